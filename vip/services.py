"""Writes on VIP statuses: create, update, default, move, delete. Positions stay 1..N, exactly one default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from simple_history.utils import bulk_update_with_history

from itsm import positions
from itsm.audit import clean_reason, mark
from itsm.services import ConflictError, record_delete
from vip.models import VipStatus
from vip.selectors import lock_all_statuses


@dataclass(frozen=True)
class Holder:
    """A model whose rows hold a VIP status (registered by the app that owns it, so vip imports nothing upward)."""

    model: type[models.Model]
    field: str


_holders: list[Holder] = []


def register_holder(model: type[models.Model], field: str) -> None:
    if not any(h.model is model and h.field == field for h in _holders):
        _holders.append(Holder(model=model, field=field))


def with_holder_counts(statuses):
    """Statuses annotated with `holders`: how many people (every registered holder) hold each, in the same query."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    total = Value(0, output_field=IntegerField())
    for holder in _holders:
        counted = (
            holder.model._default_manager.filter(**{holder.field: OuterRef("pk")})
            .order_by()
            .values(holder.field)
            .annotate(n=Count("pk"))
            .values("n")
        )
        total = total + Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    return statuses.annotate(holders=total)


def vip_status_holder_count(status: VipStatus) -> int:
    return sum(h.model._default_manager.filter(**{h.field: status}).count() for h in _holders)


def _unset_other_defaults(keep: VipStatus, *, user: Any, reason: str) -> None:
    for other in VipStatus.objects.filter(is_default=True).exclude(pk=keep.pk):
        other.is_default = False
        mark(other, user=user, reason=f"{reason} (default moved to '{keep.name}')")
        other.save(update_fields=["is_default"])


_WRITABLE = {"name", "colour", "show_on_tickets", "is_default", "description"}


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - _WRITABLE
    if unknown:
        raise ValueError(f"Not writable here: {', '.join(sorted(unknown))}")


@transaction.atomic
def vip_status_create(*, user: Any, change_reason: str | None, **fields: Any) -> VipStatus:
    reason = clean_reason(change_reason)
    _check_fields(fields)
    statuses = lock_all_statuses()
    status = VipStatus(**fields)
    status.position = len(statuses) + 1
    if not any(s.is_default for s in statuses):
        status.is_default = True
    status.full_clean(validate_constraints=not status.is_default)
    if status.is_default:
        status.validate_constraints(exclude={"is_default"})
        _unset_other_defaults(status, user=user, reason=reason)
    mark(status, user=user, reason=reason)
    status.save()
    return status


@transaction.atomic
def vip_status_update(status: VipStatus, *, user: Any, change_reason: str | None, **fields: Any) -> VipStatus:
    reason = clean_reason(change_reason)
    _check_fields(fields)
    lock_all_statuses()
    current = VipStatus.objects.get(pk=status.pk)
    if current.is_default and fields.get("is_default") is False:
        raise ValidationError(
            {
                "is_default": ValidationError(
                    "There must always be one default status: make another status the default instead.",
                    code="conflict",
                )
            }
        )
    for name, value in fields.items():
        setattr(status, name, value)
    status.position = current.position
    becomes_default = status.is_default and not current.is_default
    status.full_clean(validate_constraints=not becomes_default)
    if becomes_default:
        status.validate_constraints(exclude={"is_default"})
        _unset_other_defaults(status, user=user, reason=reason)
    mark(status, user=user, reason=reason)
    status.save()
    return status


@transaction.atomic
def vip_status_move(status: VipStatus, *, position: int, user: Any, change_reason: str | None = None) -> VipStatus:
    """Moves a status to `position` (1 = top); the others shift, positions stay 1..N."""
    statuses = lock_all_statuses()
    if not 1 <= position <= len(statuses):
        raise ValidationError(
            {"position": ValidationError(f"Choose a position from 1 to {len(statuses)}.", code="conflict")}
        )
    return positions.move(
        statuses,
        status,
        position=position,
        user=user,
        change_reason=change_reason,
        gone="This VIP status no longer exists.",
    )


def vip_status_move_by(status: VipStatus, *, direction: str, user: Any) -> VipStatus:
    """Admin buttons: up, down, top, bottom."""
    target = positions.target(status.position, direction=direction, count=VipStatus.objects.count())
    return vip_status_move(status, position=target, user=user)


@transaction.atomic
def vip_status_delete(status: VipStatus, *, user: Any, change_reason: str | None) -> int:
    """Deletes a status; people holding it move to the default, each with a history row carrying the reason.

    Returns how many holders moved. The default status cannot be deleted.
    """
    reason = clean_reason(change_reason)
    statuses = lock_all_statuses()
    current = next((s for s in statuses if s.pk == status.pk), None)
    if current is None:
        return 0
    if current.is_default:
        raise ConflictError(
            f"'{current.name}' is the default VIP status and cannot be deleted: make another status the default first."
        )
    default = next(s for s in statuses if s.is_default)
    moved = 0
    for holder in _holders:
        rows = list(holder.model._default_manager.filter(**{holder.field: current}))
        for row in rows:
            setattr(row, holder.field, default)
        if rows:
            bulk_update_with_history(
                rows,
                holder.model,
                [holder.field],
                default_user=user if getattr(user, "is_authenticated", False) else None,
                default_change_reason=f"{reason} (VIP status '{current.name}' deleted; moved to '{default.name}')",
                batch_size=500,
            )
            moved += len(rows)
    record_delete(current, user=user, change_reason=reason)
    positions.renumber([s for s in statuses if s.pk != current.pk], user=user, reasons={})
    return moved


__all__ = [
    "ConflictError",
    "register_holder",
    "vip_status_create",
    "vip_status_delete",
    "vip_status_holder_count",
    "vip_status_move",
    "vip_status_move_by",
    "vip_status_update",
]
