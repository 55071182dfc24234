"""The analyst's queue preferences (last tab, page size, hidden columns): kept in the database so they follow the
analyst from device to device and across sign-ins, and cached in the session so a queue page reads them without a
query of its own.

Writes are validated and atomic like every service; they carry no history or change reason, being view settings
(see `QueuePreference`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction

from tickets.models import QueuePreference

SESSION_KEY = "tickets.queue_preferences"


@dataclass(frozen=True)
class Preferences:
    tab: str = ""
    page_size: int | None = None
    hidden_columns: tuple[str, ...] = field(default_factory=tuple)

    def default_tab(self, user: Any) -> str:
        """The tab used last; else "Mine" for those who work tickets (may change them), "All" for readers."""
        if self.tab:
            return self.tab
        return "mine" if user.has_perm("tickets.change_ticket") else "all"


def _from_row(row: QueuePreference | None) -> Preferences:
    if row is None:
        return Preferences()
    hidden = tuple(c for c in row.hidden_columns or () if c in QueuePreference.OPTIONAL_COLUMNS)
    return Preferences(tab=row.tab, page_size=row.page_size, hidden_columns=hidden)


def _cache(request, prefs: Preferences) -> None:
    data = asdict(prefs)
    data["hidden_columns"] = list(prefs.hidden_columns)
    request.session[SESSION_KEY] = data


def queue_preferences(request) -> Preferences:
    """The signed-in user's preferences: from the session, or read once from the database into it."""
    cached = request.session.get(SESSION_KEY)
    if isinstance(cached, dict):
        try:
            return Preferences(
                tab=str(cached.get("tab", "")),
                page_size=cached.get("page_size"),
                hidden_columns=tuple(cached.get("hidden_columns", ())),
            )
        except (TypeError, ValueError):
            pass  # a session from an older layout: read the row again
    prefs = _from_row(QueuePreference.objects.filter(user=request.user).first())
    _cache(request, prefs)
    return prefs


@transaction.atomic
def queue_preferences_set(
    request,
    *,
    tab: str | None = None,
    page_size: int | None = None,
    hidden_columns: list[str] | None = None,
) -> Preferences:
    """Stores what was given (None keeps the stored value); unknown tabs, sizes or columns raise ValidationError."""
    QueuePreference.objects.get_or_create(user=request.user)  # two first visits at once: one row, no IntegrityError
    row = QueuePreference.objects.select_for_update().get(user=request.user)
    if tab is not None:
        row.tab = tab
    if page_size is not None:
        row.page_size = page_size
    if hidden_columns is not None:
        row.hidden_columns = list(dict.fromkeys(hidden_columns))
    row.full_clean(exclude=["user"])
    row.save()
    prefs = _from_row(row)
    _cache(request, prefs)
    return prefs
