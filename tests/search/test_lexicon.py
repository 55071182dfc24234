"""PostgreSQL expands a prefix to the whole words of the ticket index (its lexicon, kept by the database) before it
searches: the same tickets as the prefix itself, found faster. SQLite's FTS5 index has prefix indexes of its own."""

import pytest
from django.db import connection

from itsm import fulltext
from itsm.fulltext import parse
from tests.tickets import factories
from tickets.notes import ticket_note_add
from tickets.search import TICKET_INDEX, search_tickets
from tickets.services import ticket_update

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="the lexicon exists on PostgreSQL only; SQLite's FTS5 index has prefix indexes of its own",
    ),
]


def found(text):
    return [t.number for t in search_tickets(parse(text), user=None, limit=50)[0]]


def expansions(text):
    with connection.cursor() as cursor:
        return TICKET_INDEX._expansions(cursor, parse(text))


def test_the_lexicon_follows_new_tickets_edits_and_notes():
    ticket = factories.ticket(0, title="Zebrafish scanner offline")
    assert expansions("zebraf") == {"zebraf": ["zebrafish"]} and found("zebraf scann") == [ticket.number]
    ticket_update(ticket, user=None, change_reason="renamed", title="Quokka scanner offline")
    assert found("quok") == [ticket.number] and found("zebraf") == []  # the old word is gone from the ticket
    ticket_note_add(ticket, user=None, text="Wombatty cable swapped")
    assert found("wombat quokka") == [ticket.number]


def test_expanded_and_plain_prefixes_find_the_same_tickets_in_the_same_order(monkeypatch):
    for i, title in enumerate(["Printer jams", "Printers offline", "Print queue stuck", "Sprint planning"]):
        factories.ticket(i, title=title, description=f"building {i}")
    expanded = [found(text) for text in ("print", "print build", "printers", "pri")]
    assert expansions("print") == {"print": ["print", "printer", "printers"]}
    plain_index = fulltext.FullTextIndex(TICKET_INDEX.table, TICKET_INDEX.fields)
    monkeypatch.setattr("tickets.search.TICKET_INDEX", plain_index)
    assert [found(text) for text in ("print", "print build", "printers", "pri")] == expanded
    assert len(expanded[0]) == 3 and len(expanded[3]) == 3  # "sprint" does not start with "pri"


def test_a_prefix_of_too_many_words_stays_a_prefix(monkeypatch):
    tickets = [factories.ticket(i, title=f"Scanner model{i} offline") for i in range(3)]
    monkeypatch.setattr(fulltext, "MAX_EXPANSIONS", 2)
    assert "model" not in expansions("model")
    assert sorted(found("model")) == sorted(t.number for t in tickets)
