"""Change reasons and history diffs shared by the admin, the analyst pages and the API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

REASON_REQUIRED_MESSAGE = "Give a change reason: it is kept with the history of this record."


def reasons_required() -> bool:
    return getattr(settings, "ITSM_REQUIRE_CHANGE_REASON", True)


def clean_reason(reason: str | None) -> str:
    """Returns the stripped reason, or raises a field error when reasons are required and none was given."""
    reason = (reason or "").strip()
    if not reason and reasons_required():
        raise ValidationError({"change_reason": [REASON_REQUIRED_MESSAGE]}, code="required")
    return reason


def mark(instance: models.Model, *, user: Any, reason: str) -> models.Model:
    """Attaches who and why to an instance so that simple-history writes them into the next history row."""
    instance._change_reason = reason
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user
    return instance


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


# model -> fn(obj): how a related record reads in a diff when the reader may not know it (None: its own name).
# Apps register from their AppConfig.ready(), e.g. vip hides confidential VIP statuses.
_display_masks: dict[type, Any] = {}


def register_display_mask(model: type, fn: Any) -> None:
    _display_masks[model] = fn


def _display(field: models.Field | None, value: Any, names: dict) -> Any:
    if value is None or field is None:
        return value
    if field.is_relation:
        return names.get((field.related_model, value), value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def history_entries(records: list, *, known: Iterable[models.Model] = ()) -> list[dict]:
    """Turns the history rows of one record (oldest first) into entries with field-by-field changes."""
    return change_entries(list(zip([None, *records[:-1]], records, strict=True)), known=known)


def change_entries(pairs: list[tuple[Any, Any]], *, known: Iterable[models.Model] = ()) -> list[dict]:
    """Entries for (previous row or None, row) pairs of any records: each row's changes against the row before it.

    Foreign keys are shown by the name of the related record; names are fetched once per related model, so the
    cost does not grow with the number of rows; `known` records (already loaded) are not fetched again.
    """
    if not pairs:
        return []
    sample = pairs[0][1]
    source_fields = {f.attname: f for f in sample.instance_type._meta.concrete_fields if hasattr(sample, f.attname)}
    everything = list({r.history_id: r for pair in pairs for r in pair if r is not None}.values())
    m2m, names = _related_names(everything, source_fields, known)
    return [_entry(previous, record, source_fields, m2m, names) for previous, record in pairs]


def _entry(previous, record, source_fields: dict, m2m: dict, names: dict) -> dict:
    changes = []
    created = previous is None and record.history_type == "+"
    if previous is not None or created:
        for attname, field in source_fields.items():
            if field.primary_key:
                continue
            new = getattr(record, attname)
            old = getattr(previous, attname) if previous is not None else None
            if old == new or (created and new in (None, "")):
                continue
            changes.append(
                FieldChange(
                    field.name, str(field.verbose_name), _display(field, old, names), _display(field, new, names)
                )
            )
        for field, snapshots in m2m.items():
            new = snapshots[record.history_id]
            old = snapshots[previous.history_id] if previous is not None else set()
            if new != old:
                old_names = _names(field, old, names) if previous is not None else None
                changes.append(FieldChange(field.name, str(field.verbose_name), old_names, _names(field, new, names)))
    return {
        "history_id": record.history_id,
        "date": record.history_date,
        "user": record.history_user,
        "user_id": record.history_user_id,
        "change_reason": record.history_change_reason or "",
        "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
        "changes": changes,
    }


def _related_names(
    records: list, source_fields: dict, known: Iterable[models.Model] = ()
) -> tuple[dict[models.Field, dict[int, set]], dict]:
    """The many-to-many sets of each row, and the name of every related record the rows name: a query per model
    for the records not `known`."""
    wanted: dict[type, set] = {}
    for record in records:
        for attname, field in source_fields.items():
            if field.is_relation:
                value = getattr(record, attname, None)
                if value is not None:
                    wanted.setdefault(field.related_model, set()).add(value)
    m2m = _m2m_snapshots(records, wanted)
    names: dict = {}

    def name(related_model, obj) -> None:
        mask = _display_masks.get(related_model)
        names[(related_model, obj.pk)] = (mask(obj) if mask else None) or str(obj)

    for obj in known:
        model = obj._meta.concrete_model
        if obj.pk in wanted.get(model, ()):
            name(model, obj)
            wanted[model].discard(obj.pk)
    for related_model, ids in wanted.items():
        if ids:
            for obj in related_model._default_manager.filter(pk__in=ids):
                name(related_model, obj)
    return m2m, names


def _m2m_snapshots(records: list, wanted: dict[type, set]) -> dict[models.Field, dict[int, set]]:
    """Related ids per history row for the many-to-many fields tracked with `m2m_fields` (one query per field)."""
    fields = list(getattr(records[0], "_history_m2m_fields", None) or [])
    snapshots: dict[models.Field, dict[int, set]] = {}
    for field in fields:
        snapshot_model = getattr(records[0], field.name).model
        target = f"{field.m2m_reverse_field_name()}_id"
        per_row: dict[int, set] = {record.history_id: set() for record in records}
        rows = snapshot_model.objects.filter(history_id__in=list(per_row)).values_list("history_id", target)
        for history_id, related_id in rows:
            per_row[history_id].add(related_id)
        snapshots[field] = per_row
        wanted.setdefault(field.related_model, set()).update(*per_row.values())
    return snapshots


def _names(field: models.Field, ids: set, names: dict) -> str | None:
    return ", ".join(sorted(str(names.get((field.related_model, pk), pk)) for pk in ids)) or None
