"""Writes on tickets: logging (numbering, priority, due times), edits, assignment, status changes, the matrix.

Every write validates, records who and why in the ticket's history and runs in one transaction. Analyst pages pass
`auto_reason=True` so an edit without a typed reason is explained by its own diff ("status Assigned -> In progress");
the API, like every other API write, requires a reason.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length
from django.utils import timezone

from itsm.audit import clean_reason, mark
from itsm.services import ConflictError, record_update
from tickets import clock
from tickets.choices import (
    ITIL_MATRIX,
    LIFECYCLE,
    PREFIXES,
    RESPONDING_STATUSES,
    Level,
    Source,
    Status,
    TicketType,
    format_number,
)
from tickets.hooks import run_workflow
from tickets.models import PriorityMatrixCell, Ticket, TicketCounter
from tickets.notes import note_create
from tickets.steps import REFERENCES, lock_ticket, refuse_if_final, responded_by_person

_UNSET: Any = object()

UPDATABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "service_instance",
        "configuration_item",
        "source",
        "impact",
        "urgency",
        "priority",
        "team",
        "assignee",
        "service_level",
    }
)
# Derived from the fields above; shown in the history diff but not spelled out in automatic reasons.
_DERIVED_FIELDS = (
    "response_due_at",
    "resolution_due_at",
    "first_response_at",
    "response_breached",
    "resolution_breached",
)
# A reported time this far ahead of the server's clock is still "now" (clocks of integrations drift).
OPENED_AT_TOLERANCE = dt.timedelta(minutes=2)


class TransitionRefused(ConflictError):
    """A status change the lifecycle does not allow; `allowed` lists the statuses that may follow."""

    def __init__(self, ticket: Ticket, target: str, allowed: tuple[str, ...]):
        current = Status(ticket.status).label
        wanted = Status(target).label if target in Status.values else target
        names = ", ".join(str(Status(s).label) for s in allowed) or "none (the ticket is final)"
        if target == ticket.status:
            message = f"{ticket.number} is already {current}. Allowed from {current}: {names}."
        else:
            message = f"{ticket.number} cannot move from {current} to {wanted}. Allowed from {current}: {names}."
        super().__init__(message)
        self.allowed = list(allowed)


# -- the ITIL matrix ----------------------------------------------------------------------------------------------
def priority_matrix() -> dict[tuple[str, str], int]:
    """{(impact, urgency): priority}; the nine cells are recreated with the ITIL defaults if any is missing.

    The cells come from a data migration, but tests that flush the database lose them: recreating them here keeps
    logging possible whatever happened to the table.
    """
    cells = {(c.impact, c.urgency): c.priority for c in PriorityMatrixCell.objects.all()}
    if len(cells) < len(ITIL_MATRIX):
        cells = _restore_matrix()
    return cells


@transaction.atomic
def _restore_matrix() -> dict[tuple[str, str], int]:
    existing = {(c.impact, c.urgency): c.priority for c in PriorityMatrixCell.objects.all()}
    for (impact, urgency), priority in ITIL_MATRIX.items():
        if (impact, urgency) in existing:
            continue
        cell = PriorityMatrixCell(impact=impact, urgency=urgency, priority=priority)
        mark(cell, user=None, reason="ITIL default restored (the cell was missing)")
        try:
            with transaction.atomic():
                cell.save()
        except IntegrityError:
            pass  # another request restored it at the same moment
    return {(c.impact, c.urgency): c.priority for c in PriorityMatrixCell.objects.all()}


def priority_for(*, impact: str, urgency: str) -> int | None:
    """The matrix priority for an impact and urgency; None for values that are not levels (reported by full_clean)."""
    if impact not in Level.values or urgency not in Level.values:
        return None
    return priority_matrix()[(impact, urgency)]


def priority_matrix_cell_update(
    cell: PriorityMatrixCell, *, user: Any, change_reason: str | None, priority: int
) -> PriorityMatrixCell:
    return record_update(cell, user=user, change_reason=change_reason, priority=priority)


# -- numbering ----------------------------------------------------------------------------------------------------
def highest_sequence(prefix: str) -> int:
    numbers = (
        Ticket.objects.filter(number__startswith=prefix)
        .annotate(length=Length("number"))
        .order_by("-length", "-number")
        .values_list("number", flat=True)
    )
    highest = numbers.first()
    return int(highest[len(prefix) :]) if highest and highest[len(prefix) :].isdigit() else 0


def next_number(ticket_type: str) -> str:
    """Takes the next number for the type from its counter row, locked until the caller's transaction ends.

    Call it inside the transaction that saves the ticket: the row lock (PostgreSQL) or the IMMEDIATE write
    transaction (SQLite) makes concurrent callers queue, and a rollback returns the number.
    """
    prefix = PREFIXES[ticket_type]
    with transaction.atomic(savepoint=False):
        counter = TicketCounter.objects.select_for_update().filter(prefix=prefix).first()
        if counter is None:
            # First ticket of the type (or a flushed test database): start after the highest existing number.
            try:
                with transaction.atomic():
                    TicketCounter.objects.create(prefix=prefix, last_number=highest_sequence(prefix))
            except IntegrityError:
                pass  # created by a concurrent caller; we queue on its lock below
            counter = TicketCounter.objects.select_for_update().get(prefix=prefix)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
    return format_number(prefix, counter.last_number)


# -- due times ------------------------------------------------------------------------------------------------------
def due_times(
    *, service_instance: Any, priority: int | None, opened_at: dt.datetime, level: Any = _UNSET
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(response due, resolution due): the service level's targets for the priority, in its calendar's business
    time (24x7 without a calendar). The level is the instance's unless given; no service level means no targets."""
    if level is _UNSET:
        level = getattr(service_instance, "service_level", None) if service_instance is not None else None
    return clock.due_times(level=level, priority=priority, opened_at=opened_at)


# -- tickets --------------------------------------------------------------------------------------------------------
@transaction.atomic
def ticket_create(
    *,
    user: Any,
    change_reason: str | None,
    caller: Any,
    title: str,
    ticket_type: str = TicketType.INCIDENT,
    description: str = "",
    source: str = Source.PHONE,
    impact: str = Level.MEDIUM,
    urgency: str = Level.MEDIUM,
    service_instance: Any = None,
    configuration_item: Any = None,
    team: Any = None,
    assignee: Any = None,
    opened_at: dt.datetime | None = None,
    service_level: Any = _UNSET,
) -> Ticket:
    """Logs a ticket: priority from the matrix, the instance's service level (unless one is given) and due times in
    its business time, the caller's VIP status of the moment, the next number of its type. `opened_at` ("reported
    at") may lie in the past, never in the future: the clock starts there."""
    reason = clean_reason(change_reason)
    now = timezone.now()
    if opened_at is not None and opened_at > now + OPENED_AT_TOLERANCE:
        raise ValidationError({"opened_at": ["The reported time cannot be in the future."]})
    if service_level is _UNSET:
        service_level = getattr(service_instance, "service_level", None) if service_instance is not None else None
    ticket = Ticket(
        ticket_type=ticket_type,
        title=(title or "").strip(),
        description=description or "",
        caller=caller,
        source=source,
        impact=impact,
        urgency=urgency,
        service_instance=service_instance,
        configuration_item=configuration_item,
        team=team,
        assignee=assignee,
        opened_at=opened_at or now,
        service_level=service_level,
        vip_status_at_open_id=getattr(caller, "vip_status_id", None),
    )
    if assignee is not None:
        _check_assignee(assignee)
    ticket.priority = priority_for(impact=impact, urgency=urgency)
    ticket.status = LIFECYCLE.after_assignment(ticket.status, owned=team is not None or assignee is not None)
    clock.refresh_due(ticket)
    # Validate before taking a number: a refused ticket neither holds the counter lock long nor burns a number.
    # Related rows the caller has just read need no second look-up each (the database constraint still guards them).
    ticket.full_clean(exclude=["number", *(name for name in REFERENCES if _loaded(getattr(ticket, name)))])
    ticket.number = next_number(ticket_type)
    mark(ticket, user=user, reason=reason)
    if opened_at is not None:
        ticket._history_date = opened_at  # an imported (or demo) ticket's history starts when it was opened
    ticket.save()
    run_workflow(ticket, event="created", changes={}, user=user)
    return ticket


def _snapshot(ticket: Ticket, names: set[str]) -> dict[str, Any]:
    return {name: getattr(ticket, name) for name in names}


def _display(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if name == "priority":
        return f"P{value}"
    field = Ticket._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def describe_changes(changes: dict[str, tuple[Any, Any]]) -> str:
    """An automatic change reason from a diff: "status Assigned -> In progress; priority P3 -> P2"."""
    parts = []
    for name, (old, new) in changes.items():
        if name in _DERIVED_FIELDS:
            continue
        label = str(Ticket._meta.get_field(name).verbose_name)
        if name in ("description", "resolution"):
            parts.append(f"{label} edited")
        else:
            parts.append(
                f"{label} {textwrap.shorten(_display(name, old), 60)} -> {textwrap.shorten(_display(name, new), 60)}"
            )
    return "; ".join(parts) or "ticket edited"


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, models.Model) or isinstance(new, models.Model):
        return getattr(old, "pk", old) == getattr(new, "pk", new)
    return old == new


@transaction.atomic
def ticket_update(
    ticket: Ticket, *, user: Any, change_reason: str | None = None, auto_reason: bool = False, **fields: Any
) -> Ticket:
    """Edits a ticket. Impact/urgency re-rate the priority, the priority or instance re-time the due dates, and an
    assignee or team on a New ticket makes it Assigned. Nothing changed means nothing written."""
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"Not writable through ticket_update: {', '.join(sorted(unknown))}")
    lock_ticket(ticket)
    refuse_if_final(ticket)
    watched = set(fields) | {"priority", "status", "service_level", *_DERIVED_FIELDS}
    before = _snapshot(ticket, watched)
    for name, value in fields.items():
        setattr(ticket, name, value)
    if "title" in fields:
        ticket.title = (ticket.title or "").strip()
    if ("impact" in fields or "urgency" in fields) and "priority" not in fields:
        rated = priority_for(impact=ticket.impact, urgency=ticket.urgency)
        if rated is not None:
            ticket.priority = rated
    instance_moved = "service_instance" in fields and not _same(before["service_instance"], ticket.service_instance)
    if instance_moved and "service_level" not in fields:
        ticket.service_level = getattr(ticket.service_instance, "service_level", None)
    # Breaches that happened before this edit are recorded first: a later change of targets never erases them.
    clock.record_breaches(ticket)
    if (
        not _same(before["priority"], ticket.priority)
        or not _same(before["service_level"], ticket.service_level)
        or instance_moved
    ):
        clock.refresh_due(ticket)
    if "assignee" in fields and ticket.assignee_id and not _same(before["assignee"], ticket.assignee):
        responded_by_person(ticket, user, timezone.now())
    ticket.status = LIFECYCLE.after_assignment(ticket.status, owned=bool(ticket.assignee_id or ticket.team_id))
    after = _snapshot(ticket, watched)
    changes = {name: (before[name], after[name]) for name in watched if not _same(before[name], after[name])}
    if not changes:
        return ticket
    if "assignee" in changes and ticket.assignee_id is not None:
        _check_assignee(ticket.assignee)
    ordered = {name: changes[name] for name in [*fields, "priority", "status", *_DERIVED_FIELDS] if name in changes}
    reason = (change_reason or "").strip() or (describe_changes(ordered) if auto_reason else "")
    # The number never changes and related rows that did not change were valid when saved: checking them again
    # would cost a query each on every edit (and every rule run).
    unchanged = ["number", *(name for name in REFERENCES if name not in changes or _loaded(getattr(ticket, name)))]
    record_update(ticket, user=user, change_reason=reason, clean_exclude=unchanged)
    run_workflow(ticket, event="updated", changes=_as_values(ordered), user=user)
    return ticket


def _check_assignee(user: Any) -> None:
    from tickets.selectors import assignable_analysts

    if not assignable_analysts().filter(pk=user.pk).exists():
        raise ValidationError({"assignee": [f"{user} cannot be assigned tickets: only active analysts can."]})


def _loaded(value: Any) -> bool:
    """A row the caller has just read (a form's or serializer's choice, a rule's team): known to exist."""
    return isinstance(value, models.Model) and value.pk is not None and not value._state.adding


def _as_values(changes: dict[str, tuple[Any, Any]]) -> dict[str, tuple[Any, Any]]:
    """Related objects become ids, so the workflow sees plain values."""
    return {
        name: tuple(getattr(v, "pk", v) if isinstance(v, models.Model) else v for v in pair)
        for name, pair in changes.items()
    }


def ticket_assign(
    ticket: Ticket,
    *,
    user: Any,
    assignee: Any = _UNSET,
    team: Any = _UNSET,
    change_reason: str | None = None,
) -> Ticket:
    """Assigns to an analyst and/or a team (None clears); a New ticket becomes Assigned."""
    fields = {}
    if assignee is not _UNSET:
        fields["assignee"] = assignee
    if team is not _UNSET:
        fields["team"] = team
    return ticket_update(ticket, user=user, change_reason=change_reason, auto_reason=True, **fields)


def allowed_transitions(ticket: Ticket) -> tuple[str, ...]:
    return LIFECYCLE.allowed(ticket.status)


@transaction.atomic
def ticket_transition(
    ticket: Ticket,
    *,
    user: Any,
    status: str,
    note: str = "",
    change_reason: str | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """Moves the ticket along its lifecycle. Refused moves raise TransitionRefused naming the allowed ones.

    Resolving needs a note (it becomes the resolution and a public note); reopening a resolved ticket clears the
    resolution. The reason is automatic ("status Assigned -> In progress: <note>") unless one is given. `at` dates
    the change in the past, for imports and demo data; pages and the API never pass it.
    """
    if status not in Status.values:
        choices = ", ".join(Status.values)
        raise ValidationError({"status": [f"'{status}' is not a ticket status; use one of: {choices}."]})
    lock_ticket(ticket)
    current = ticket.status
    allowed = LIFECYCLE.allowed(current)
    if status not in allowed:
        raise TransitionRefused(ticket, status, allowed)
    note = (note or "").strip()
    if status == Status.RESOLVED and not note:
        raise ValidationError({"note": ["Give a resolution note: what was done to resolve the ticket."]})
    missing = LIFECYCLE.missing_owner(status, owned=bool(ticket.assignee_id or ticket.team_id))
    if missing:
        raise ValidationError({"status": [missing]})
    now = at or timezone.now()
    clock.record_breaches(ticket, now)
    ticket.status = status
    clock.on_status_change(ticket, current, status, now)
    if status == Status.RESOLVED:
        ticket.resolved_at, ticket.resolution = now, note
    elif current == Status.RESOLVED:  # reopened
        ticket.resolved_at, ticket.resolution = None, ""
    if status == Status.CLOSED:
        ticket.closed_at = now
    if status in RESPONDING_STATUSES:
        responded_by_person(ticket, user, now)
    if status == Status.RESOLVED:
        clock.record_breaches(ticket, now)  # resolved late: the resolution breach is recorded with the move
    clock.after_status_change(ticket)
    auto = f"status {Status(current).label} -> {Status(status).label}"
    reason = (change_reason or "").strip() or (f"{auto}: {textwrap.shorten(note, 300)}" if note else auto)
    if at is not None:
        ticket._history_date = at
    record_update(ticket, user=user, change_reason=reason)
    if note:
        note_create(ticket, user=user, text=note, public=status == Status.RESOLVED, time_spent_minutes=0, at=at)
    run_workflow(ticket, event="updated", changes={"status": (current, status)}, user=user)
    return ticket


def breach_reason_set(breach: Any, *, user: Any, change_reason: str | None, reason: str) -> Any:
    """An analyst explains a breach ("waiting for vendor"); the breach itself never changes."""
    return record_update(breach, user=user, change_reason=change_reason, reason=(reason or "").strip())


__all__ = [
    "TransitionRefused",
    "allowed_transitions",
    "breach_reason_set",
    "describe_changes",
    "due_times",
    "next_number",
    "priority_for",
    "priority_matrix",
    "priority_matrix_cell_update",
    "ticket_assign",
    "ticket_create",
    "ticket_transition",
    "ticket_update",
]
