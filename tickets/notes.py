"""Writes of worklog notes on tickets: a note an analyst adds, and a further call about an open ticket taken as a
note. Notes are append-only; the first public note by a person is the ticket's first response."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from itsm.services import record_update
from tickets import clock
from tickets.choices import Source
from tickets.hooks import in_workflow
from tickets.models import Ticket, TicketNote
from tickets.steps import REFERENCES, lock_ticket, refuse_if_final, responded_by_person


def note_create(
    ticket: Ticket, *, user: Any, text: str, public: bool, time_spent_minutes: int, at: dt.datetime | None = None
) -> TicketNote:
    note = note_build(ticket, user=user, text=text, public=public, time_spent_minutes=time_spent_minutes, at=at)
    note.save()
    return note


def note_build(
    ticket: Ticket, *, user: Any, text: str, public: bool, time_spent_minutes: int, at: dt.datetime | None = None
) -> TicketNote:
    note = TicketNote(
        ticket=ticket,
        author=user if getattr(user, "is_authenticated", False) else None,
        text=(text or "").strip(),
        public=public,
        time_spent_minutes=time_spent_minutes,
        created_at=at or timezone.now(),
    )
    note.full_clean(exclude=["ticket"])  # the ticket is the saved instance given, no need to look it up again
    return note


def ticket_note_add(
    ticket: Ticket,
    *,
    user: Any,
    text: str,
    public: bool = False,
    time_spent_minutes: int = 0,
    at: dt.datetime | None = None,
    change_reason: str | None = None,
) -> TicketNote:
    """Appends a worklog note. The first public note on an open ticket counts as the first response.

    `at` dates the note in the past (imports, demo data). With a `change_reason` (a note added to many tickets at
    once) the ticket's history records the note with that reason, so each ticket says why it was touched."""
    note = note_build(ticket, user=user, text=text, public=public, time_spent_minutes=time_spent_minutes or 0, at=at)
    # Validated first, so a refused note leaves the caller's transaction usable and the writes need no savepoint.
    with transaction.atomic(savepoint=False):
        note.save()
        responding = ticket.first_response_at is None and ticket.is_open and user is not None and not in_workflow()
        if responding or change_reason:
            lock_ticket(ticket)
            responded = False
            if responding:
                clock.record_breaches(ticket, note.created_at)
                responded = responded_by_person(ticket, user, note.created_at)
            if responded or change_reason:
                if at is not None:
                    ticket._history_date = at
                reason = change_reason or "first response: note"
                # A note changes no reference of the ticket: they need no second look-up each.
                record_update(ticket, user=user, change_reason=reason, clean_exclude=["number", *REFERENCES])
    return note


@transaction.atomic
def ticket_call_note_add(ticket: Ticket, *, user: Any, text: str, source: str = Source.PHONE) -> TicketNote:
    """A further call about a ticket already open: what the analyst typed while taking it becomes an internal note
    on that ticket instead of a duplicate ticket, and the ticket's history says who added it and why. Refused, with
    nothing written, when the text is empty or the ticket is closed or cancelled."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"description": ["Type what the caller says first: the description becomes the note."]})
    lock_ticket(ticket)
    refuse_if_final(ticket)
    how = Source(source).label.lower() if source in Source.values else Source.PHONE.label.lower()
    note = note_create(ticket, user=user, text=f"Further call ({how}): {text}", public=False, time_spent_minutes=0)
    # Like any note by a person, it is the response when none came yet; one history row says both.
    clock.record_breaches(ticket, note.created_at)
    responded_by_person(ticket, user, note.created_at)
    record_update(
        ticket, user=user, change_reason=f"further call ({how}) added as a note", clean_exclude=["number", *REFERENCES]
    )
    return note
