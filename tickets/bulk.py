"""Bulk actions on tickets picked in the queue: assign, change status, add a note, all or nothing.

Each ticket goes through the same service as the single-ticket action (ticket_assign, ticket_transition,
ticket_note_add), so locking, the lifecycle, the service clock and the workflow rules behave exactly alike; the cost
is therefore per ticket (a lock, a save, a history row, the rules). One change reason explains every ticket's
history row. When any ticket refuses the change, the whole transaction is rolled back and the refusals are returned
per ticket number: nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from itsm.audit import clean_reason
from itsm.services import ConflictError
from tickets import selectors, services
from tickets.models import Ticket
from tickets.notes import ticket_note_add

MAX_TICKETS = 200
ASSIGN, STATUS, NOTE = "assign", "status", "note"
ACTIONS = {ASSIGN: "Assign", STATUS: "Change status", NOTE: "Add a note"}
# Which permissions each action needs: the same as the single-ticket action.
PERMISSIONS = {
    ASSIGN: ("tickets.view_ticket", "tickets.change_ticket"),
    STATUS: ("tickets.view_ticket", "tickets.change_ticket"),
    NOTE: ("tickets.view_ticket", "tickets.add_ticketnote"),
}
_UNSET: Any = object()


class TooMany(ValidationError):
    def __init__(self, count: int):
        message = f"At most {MAX_TICKETS} tickets at once ({count} were selected): act on fewer and repeat."
        super().__init__({"tickets": [ValidationError(message, code="max_length")]})


@dataclass
class BulkRefused(Exception):
    """Some tickets refused the change, so none changed. `refusals`: {number: [messages]}. `conflict`: every refusal
    comes from the tickets' state (a final ticket, a move the lifecycle forbids), none from what was asked."""

    refusals: dict[str, list[str]] = field(default_factory=dict)
    conflict: bool = True
    total: int = 0

    @property
    def message(self) -> str:
        count = len(self.refusals)
        return (
            f"Nothing was changed: {count} of {self.total} ticket{'s' if self.total != 1 else ''} cannot take this "
            f"change."
        )

    def lines(self) -> list[str]:
        """'INC000123: cannot move from Closed to In progress. ...' per refusal."""
        return [f"{number}: {text}" for number, texts in self.refusals.items() for text in texts]


@dataclass
class BulkResult:
    tickets: list[Ticket]
    unchanged: list[str]


def find_tickets(refs: Iterable[str | int]) -> tuple[list[Ticket], list[str]]:
    """The tickets named by number ('INC000042', 'inc42') or id, in id order (a fixed lock order, so two bulk
    actions over the same tickets queue instead of deadlocking), and the references that name no ticket."""
    numbers: dict[str, str] = {}
    ids: dict[int, str] = {}
    missing: list[str] = []
    for ref in refs:
        if isinstance(ref, int) and not isinstance(ref, bool):
            ids[ref] = str(ref)
            continue
        number = selectors.normalise_number(str(ref))
        if number is None:
            missing.append(str(ref)[:30])
        else:
            numbers[number] = str(ref)
    if len(numbers) + len(ids) > MAX_TICKETS:
        raise TooMany(len(numbers) + len(ids))
    found = list(Ticket.objects.filter(Q(number__in=numbers) | Q(pk__in=ids)).order_by("pk")) if numbers or ids else []
    seen_numbers = {t.number for t in found}
    seen_ids = {t.pk for t in found}
    missing += [ref for number, ref in numbers.items() if number not in seen_numbers]
    missing += [ref for pk, ref in ids.items() if pk not in seen_ids]
    unique = list({t.pk: t for t in found}.values())
    return unique, missing


def _strip_number(number: str, text: str) -> str:
    # The services' messages name the ticket ("INC000123 cannot move ..."); the list names it once, in front.
    return text[len(number) :].lstrip(" :") if text.startswith(number) else text


def _run(tickets: list[Ticket], write: Callable[[Ticket], Any]) -> list[Ticket]:
    """Applies `write` to each ticket in one transaction; any refusal rolls every ticket back."""
    if not tickets:
        raise ValidationError({"tickets": ["Select at least one ticket."]})
    if len(tickets) > MAX_TICKETS:
        raise TooMany(len(tickets))
    refused = BulkRefused(total=len(tickets))
    try:
        with transaction.atomic():
            for ticket in tickets:
                try:
                    # The services' own atomic blocks are savepoints here: a refusal leaves the transaction usable,
                    # so every ticket is judged and the analyst sees all the reasons at once.
                    write(ticket)
                except ConflictError as error:
                    refused.refusals[ticket.number] = [_strip_number(ticket.number, error.message)]
                except ValidationError as error:
                    refused.conflict = False
                    refused.refusals[ticket.number] = [_strip_number(ticket.number, m) for m in error.messages]
            if refused.refusals:
                raise refused
    except BulkRefused:
        for ticket in tickets:
            ticket.refresh_from_db()  # the instances carry the rolled-back values
        raise
    return tickets


def bulk_assign(
    tickets: list[Ticket], *, user: Any, change_reason: str | None, team: Any = _UNSET, assignee: Any = _UNSET
) -> BulkResult:
    """Assigns every ticket to the team and/or analyst (a New ticket becomes Assigned)."""
    reason = clean_reason(change_reason)
    if team is _UNSET and assignee is _UNSET:
        raise ValidationError({"team": ["Choose a team or an analyst to assign the tickets to."]})
    fields = {k: v for k, v in (("team", team), ("assignee", assignee)) if v is not _UNSET}
    unchanged = [
        t.number
        for t in tickets
        if all(getattr(t, f"{name}_id") == getattr(value, "pk", value) for name, value in fields.items())
    ]
    done = _run(tickets, lambda t: services.ticket_assign(t, user=user, change_reason=reason, **fields))
    return BulkResult(done, unchanged)


def bulk_transition(
    tickets: list[Ticket], *, user: Any, change_reason: str | None, status: str, note: str = ""
) -> BulkResult:
    """Moves every ticket to the status (resolving needs the note, which becomes each ticket's resolution)."""
    reason = clean_reason(change_reason)
    done = _run(
        tickets,
        lambda t: services.ticket_transition(t, user=user, status=status, note=note, change_reason=reason),
    )
    return BulkResult(done, [])


def bulk_note(
    tickets: list[Ticket], *, user: Any, change_reason: str | None, text: str, public: bool = False
) -> BulkResult:
    """Adds the same note to every ticket; each ticket's history records the reason."""
    reason = clean_reason(change_reason)
    if not (text or "").strip():
        raise ValidationError({"note": ["Write the note to add."]})
    done = _run(
        tickets,
        lambda t: ticket_note_add(t, user=user, text=text, public=public, change_reason=reason),
    )
    return BulkResult(done, [])
