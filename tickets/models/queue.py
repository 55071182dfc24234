"""How analysts set up their queue: each one's preferences (tab, page size, hidden columns) and named saved views."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class QueuePreference(models.Model):
    """How one analyst likes the queue: the tab they used last, the page size and the optional columns they hid.

    A view setting, not a record of the desk: nobody audits which tab somebody looked at, so no history and no change
    reason (like TicketRequestKey). Written by `tickets.preferences` only."""

    TABS = ("all", "mine", "my_teams", "unassigned", "at_risk")
    PAGE_SIZES = (10, 25, 50, 100)
    OPTIONAL_COLUMNS = ("status", "instance", "team", "assignee", "age", "due")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="user",
        on_delete=models.CASCADE,
        related_name="+",
    )
    tab = models.CharField(
        verbose_name="last tab",
        max_length=12,
        blank=True,
        choices=[(tab, tab) for tab in TABS],
    )
    page_size = models.PositiveSmallIntegerField(
        verbose_name="page size",
        null=True,
        blank=True,
        choices=[(size, str(size)) for size in PAGE_SIZES],
    )
    hidden_columns = models.JSONField(
        verbose_name="hidden columns",
        default=list,
        blank=True,
        help_text="Optional columns the analyst chose not to see; a column added later shows until hidden.",
    )
    updated_at = models.DateTimeField(verbose_name="updated", auto_now=True)

    class Meta:
        verbose_name = "queue preference"
        verbose_name_plural = "queue preferences"

    def __str__(self) -> str:
        return f"Queue of user {self.user_id}"

    def clean(self) -> None:
        hidden = self.hidden_columns
        if not isinstance(hidden, list) or any(column not in self.OPTIONAL_COLUMNS for column in hidden):
            raise ValidationError(
                {"hidden_columns": [f"Choose among these columns: {', '.join(self.OPTIONAL_COLUMNS)}."]}
            )


class SavedView(models.Model):
    """A named queue: its filters and sort as a query string. Personal to its owner unless shared with a team, whose
    members then see it as a tab of their queue (read-only: only the owner renames or deletes it)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="owner", on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(verbose_name="name", max_length=60)
    query = models.CharField(
        verbose_name="query",
        max_length=500,
        blank=True,
        help_text="The queue's filters and sort, e.g. state=open&priority=1&sort=-age (known parameters only).",
    )
    team = models.ForeignKey(
        "people.Team",
        verbose_name="shared with team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="saved_views",
    )
    created_at = models.DateTimeField(verbose_name="created", default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "saved view"
        verbose_name_plural = "saved views"
        permissions = [("share_savedview", "Can share a saved view with a team")]
        constraints = [
            models.UniqueConstraint(
                "owner",
                Lower("name"),
                name="saved_view_unique_name_per_owner",
                violation_error_message="You already have a view with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('tickets:queue')}?{self.query}" if self.query else reverse("tickets:queue")
