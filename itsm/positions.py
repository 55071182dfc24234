"""Rows kept in a unique order 1..N (VIP statuses, workflow rules): moving one, and writing the new positions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.utils import bulk_update_with_history

# Moved rows first step aside above this offset: the unique position constraint is checked row by row (PostgreSQL),
# so a direct swap would collide. Those positions never leave the transaction.
ASIDE = 1_000_000


def renumber[M: models.Model](rows: Sequence[M], *, user: Any, reasons: dict[int, str]) -> None:
    """Writes positions 1..N in the given order, with a history row for every row whose position changed."""
    changed = []
    for index, row in enumerate(rows, start=1):
        if row.position != index:
            old = row.position
            row.position = index
            row._change_reason = reasons.get(row.pk, f"moved from {old} to {index}")
            changed.append(row)
    if not changed:
        return
    model = type(changed[0])
    model.objects.filter(pk__in=[r.pk for r in changed]).update(position=models.F("position") + ASIDE)
    bulk_update_with_history(
        changed,
        model,
        ["position"],
        default_user=user if getattr(user, "is_authenticated", False) else None,
    )


def move[M: models.Model](
    rows: Sequence[M], moved: M, *, position: int, user: Any, change_reason: str | None, gone: str
) -> M:
    """Moves `moved` to `position` among the locked `rows` (the caller checks the range); the others shift.

    The moved row's history says "moved from 3 to 1" (with the reason, when given); every shifted row says why it
    shifted. `gone`: the message when the row was deleted meanwhile."""
    current = next((r for r in rows if r.pk == moved.pk), None)
    if current is None:
        raise ValidationError({"position": [gone]})
    old = current.position
    order = [r for r in rows if r.pk != moved.pk]
    order.insert(position - 1, current)
    extra = (change_reason or "").strip()
    reasons = {}
    for index, row in enumerate(order, start=1):
        if row.position != index:
            if row.pk == current.pk:
                reasons[row.pk] = f"moved from {old} to {index}" + (f": {extra}" if extra else "")
            else:
                reasons[row.pk] = (
                    f"shifted from {row.position} to {index} ('{current.name}' moved from {old} to {position})"
                )
    renumber(order, user=user, reasons=reasons)
    moved.position = current.position
    return current


def target(position: int, *, direction: str, count: int) -> int:
    """Where the admin's up / down / top / bottom buttons send a row at `position` among `count`."""
    wanted = {"up": position - 1, "down": position + 1, "top": 1, "bottom": count}[direction]
    return max(1, min(count, wanted))
