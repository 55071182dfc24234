"""The one way to read history: a record's own history (detail pages, the API) and recent changes across every
tracked model (the audit log), each row with what changed against the row before it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from itsm.audit import change_entries, history_entries


def tracked_models() -> list:
    return sorted(
        (m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")),
        key=lambda m: str(m._meta.verbose_name),
    )


def history_rows(obj: models.Model) -> models.QuerySet:
    """A record's history rows, oldest first, with who made each one."""
    return obj.history.select_related("history_user").order_by("history_date", "history_id")


def history_for(obj: models.Model, *, rows: models.QuerySet | None = None) -> list[dict]:
    """A record's history, newest first, each entry with its field-by-field changes (a constant number of queries).
    The related records the page loaded with it (`select_related`) name themselves: only the others are read."""
    entries = history_entries(list(rows if rows is not None else history_rows(obj)), known=_loaded_relations(obj))
    entries.reverse()
    return entries


def _loaded_relations(obj: models.Model, depth: int = 2) -> list[models.Model]:
    """The related records already loaded on `obj` (and on those, to `depth`), read from Django's relation cache."""
    found = []
    for related in obj._state.fields_cache.values():
        if isinstance(related, models.Model):
            found.append(related)
            if depth > 1:
                found += _loaded_relations(related, depth - 1)
    return found


def recent_changes(
    models_: list,
    *,
    user_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 200,
) -> list[dict]:
    """The newest history rows of the given models, newest first, each compared with the row before it of the same
    record. Per model: one query for the rows (each carrying the id of its previous row), one for those previous
    rows, and one per related model named; the count does not grow with the number of rows."""
    found = []
    for model in models_:
        history_model = getattr(model, model._meta.simple_history_manager_attribute).model
        rows = _filtered(history_model.objects.all(), user_id=user_id, since=since, until=until)
        previous_id = history_model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by(
            "-history_id"
        )
        rows = rows.annotate(previous_id=Subquery(previous_id.values("history_id")[:1]))
        found += [(row, model) for row in rows.select_related("history_user").order_by("-history_date")[:limit]]
    found.sort(key=lambda pair: pair[0].history_date, reverse=True)
    found = found[:limit]
    entries: dict[tuple[type, int], dict] = {}
    for model in {m for _, m in found}:
        rows = [row for row, m in found if m is model]
        previous = type(rows[0]).objects.in_bulk([r.previous_id for r in rows if r.previous_id is not None])
        pairs = [(previous.get(r.previous_id), r) for r in rows]
        for row, entry in zip(rows, change_entries(pairs), strict=True):
            entries[model, row.history_id] = {**entry, "record": row, "model": model}
    return [entries[model, row.history_id] for row, model in found]


def _filtered(rows: models.QuerySet, *, user_id: Any, since: Any, until: Any) -> models.QuerySet:
    if user_id is not None:
        rows = rows.filter(history_user_id=user_id)
    if since:
        rows = rows.filter(history_date__gte=timezone.make_aware(dt.datetime.combine(since, dt.time.min)))
    if until:
        rows = rows.filter(history_date__lte=timezone.make_aware(dt.datetime.combine(until, dt.time.max)))
    return rows
