"""Full-text search over tickets: number and title (weight A), description (B) and the notes (C), in one document
per ticket, kept by the database (see the migration): adding a note, editing a title or bulk-inserting tickets
updates the index in the same statement. Readers who may not view notes search without them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from itsm.fulltext import Field, FullTextIndex, Matches, SearchQuery, in_order
from people.search import PERSON_INDEX
from tickets.models import Ticket

TICKET_INDEX = FullTextIndex(
    "tickets_ticket",
    (Field("number", "A"), Field("title", "A"), Field("description", "B"), Field("notes", "C")),
    lexicon="tickets_ticket_lexeme",  # PostgreSQL, migration 0011
)
WITHOUT_NOTES = ("number", "title", "description")
VIEW_NOTES = "tickets.view_ticketnote"


def searchable_fields(user: Any) -> tuple[str, ...] | None:
    """None (every field) for a reader who may see notes, else the fields without them: a search must not reveal
    what a note says to someone who may not read it. None as the user is the system itself."""
    return None if user is None or user.has_perm(VIEW_NOTES) else WITHOUT_NOTES


def match_tickets(tickets: QuerySet[Ticket], query: SearchQuery, *, user: Any = None) -> QuerySet[Ticket]:
    """Tickets whose own text holds every word, or whose caller's name, e-mail or phone does."""
    if not query:
        return tickets
    own = Matches(TICKET_INDEX, query, only=searchable_fields(user))
    return tickets.filter(own | Matches(PERSON_INDEX, query, column="caller_id"))


def search_tickets(query: SearchQuery, *, user: Any, limit: int, offset: int = 0) -> tuple[list[Ticket], int]:
    """The best matching tickets (by their own text), best first, with what a result row shows, and how many match."""
    ids, total = TICKET_INDEX.ranked(query, limit=limit, offset=offset, only=searchable_fields(user))
    rows = Ticket.objects.select_related("caller__vip_status", "service_instance", "assignee")
    return in_order(rows, ids), total
