"""Steps every write on a ticket shares: lock and reload it, refuse changes to a final one, count a person's
write as the first response. The ticket services (tickets/services.py) and the notes (tickets/notes.py) use them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from itsm.services import ConflictError
from tickets import clock
from tickets.choices import FINAL_STATUSES, Status
from tickets.hooks import in_workflow
from tickets.models import Ticket

REFERENCES = ("caller", "service_instance", "configuration_item", "team", "assignee")


def lock_ticket(ticket: Ticket) -> None:
    """Locks the row and reloads it, so a change is judged against the ticket as it is now, not as a page saw it."""
    ticket.refresh_from_db(from_queryset=Ticket.objects.select_for_update())
    ticket.__dict__.pop("_history_date", None)  # a date given for an earlier (imported) write must not carry over


def refuse_if_final(ticket: Ticket) -> None:
    if ticket.status in FINAL_STATUSES:
        raise ConflictError(
            f"{ticket.number} is {Status(ticket.status).label} and can no longer be changed; log a new ticket instead."
        )


def responded_by_person(ticket: Ticket, user: Any, now: dt.datetime) -> bool:
    """A note, status change or assignment by a person (not a rule, not the system) is the response."""
    if user is None or in_workflow():
        return False
    return clock.mark_responded(ticket, now)
