"""The full-text indexes, on whichever database the run uses (scripts/with_postgres.sh runs them on PostgreSQL):
prefixes, accents, words in any order, the same ranking rules, and an index the database keeps current by itself."""

import pytest
from django.db import connection

from itsm import fulltext
from itsm.counts import Total
from itsm.fulltext import parse
from people.search import search_people
from services import services as svc
from services.search import search_configuration_items, search_groups, search_instances
from tests import factories as base
from tests.tickets import factories
from tickets import selectors, services
from tickets.models import Ticket, TicketNote
from tickets.notes import ticket_note_add
from tickets.search import match_tickets, search_tickets

pytestmark = pytest.mark.django_db


def found(text, **kwargs):
    rows, _ = search_tickets(parse(text), user=None, **{"limit": 50, **kwargs})
    return [t.number for t in rows]


def index_is_consistent() -> bool:
    """SQLite: FTS5's own integrity check against the content view; PostgreSQL: every stored vector equals the one
    computed afresh from the ticket and its notes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in ("tickets_ticket_fts", "people_person_fts", "services_serviceinstance_fts"):
                cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
            return True
        cursor.execute(
            "SELECT count(*) FROM tickets_ticket t WHERE t.search_vector IS DISTINCT FROM tickets_ticket_vector("
            "t.number, t.title, t.description, (SELECT string_agg(n.text, ' ' ORDER BY n.id) "
            "FROM tickets_ticketnote n WHERE n.ticket_id = t.id))"
        )
        return cursor.fetchone()[0] == 0


@pytest.fixture
def noise(db):
    """Unrelated tickets, so that a word's rarity counts as it does in a real desk."""
    return [factories.ticket(100 + i, title=f"Unrelated request {i}", description="nothing here") for i in range(6)]


class TestTickets:
    def test_prefixes_words_in_any_order_and_accents(self, noise):
        ticket = factories.ticket(0, title="Printer jams on the 3rd floor", description="Café corner, near the lift")
        assert found("print") == [ticket.number]
        assert found("jams printer") == [ticket.number]
        assert found("FLOOR 3rd PRINTER") == [ticket.number]
        assert found("cafe") == [ticket.number]
        assert found("CAFÉ corner") == [ticket.number]
        assert found("printer elevator") == []  # every word must match
        assert found("rinter") == []  # a prefix, not any substring
        greek = factories.ticket(1, title="ΑΘΗΝΑ ΓΡΑΦΕΙΟ office, МОСКВА")  # noqa: RUF001 Greek and Cyrillic capitals
        assert found("αθηνα москва") == [greek.number]

    def test_number_title_description_and_notes_all_count(self, noise):
        ticket = factories.ticket(0, title="Laptop battery", description="swollen casing")
        ticket_note_add(ticket, user=None, text="Courier collects the unit tomorrow")
        assert found(ticket.number.lower()[:6]) and ticket.number in found(ticket.number)
        assert found("swollen") == [ticket.number]
        assert found("courier") == [ticket.number]
        assert found("laptop courier") == [ticket.number]  # words from different fields

    def test_title_ranks_above_description_above_notes(self, noise):
        in_notes = factories.ticket(1, title="Request one", description="plain words here")
        ticket_note_add(in_notes, user=None, text="the zebra pattern came back")
        in_description = factories.ticket(2, title="Request two", description="zebra pattern on screen")
        in_title = factories.ticket(3, title="Zebra pattern", description="plain words here")
        assert found("zebra") == [in_title.number, in_description.number, in_notes.number]
        assert found("pattern zeb") == [in_title.number, in_description.number, in_notes.number]

    def test_notes_are_searched_only_for_readers_who_may_read_them(self, noise, make_user):
        ticket = factories.ticket(0, title="Mailbox full")
        ticket_note_add(ticket, user=None, text="password is hunter2")
        cmdb = make_user("cmdb-reader", "CMDB Setup")  # may view tickets, not their notes
        analyst = make_user("reader", "Analyst")
        assert [t.number for t in search_tickets(parse("hunter2"), user=analyst, limit=5)[0]] == [ticket.number]
        assert search_tickets(parse("hunter2"), user=cmdb, limit=5) == ([], Total(0, exact=True))
        assert search_tickets(parse("mailbox"), user=cmdb, limit=5)[1] == Total(1, exact=True)
        assert not match_tickets(Ticket.objects.all(), parse("hunter2"), user=cmdb).exists()

    def test_the_index_follows_edits_notes_and_deletes(self, noise):
        ticket = factories.ticket(0, title="Scanner offline")
        services.ticket_update(ticket, user=None, change_reason="retitled", title="Plotter offline")
        assert found("scanner") == [] and found("plotter") == [ticket.number]
        ticket_note_add(ticket, user=None, text="toner ordered")
        ticket_note_add(ticket, user=None, text="toner arrived")
        services.ticket_update(ticket, user=None, change_reason="more detail", description="Paper tray 2")
        assert found("toner tray plotter") == [ticket.number]
        assert index_is_consistent()
        TicketNote.objects.filter(ticket=ticket, text="toner ordered").delete()
        assert found("ordered") == [] and found("arrived") == [ticket.number]
        assert index_is_consistent()
        Ticket.objects.filter(pk=ticket.pk).delete()
        assert found("plotter") == []
        assert index_is_consistent()

    def test_bulk_inserts_are_indexed_by_the_database(self, noise):
        caller = base.person(1)
        rows = Ticket.objects.bulk_create(
            [Ticket(number=f"INC9{i:05d}", title=f"Bulk kiosk {i}", caller=caller, priority=3) for i in range(3)]
        )
        TicketNote.objects.bulk_create([TicketNote(ticket=rows[0], text="kiosk rebooted remotely")])
        assert sorted(found("kiosk")) == sorted(t.number for t in rows)
        assert found("remotely") == [rows[0].number]
        assert index_is_consistent()

    def test_ranked_pages_and_totals(self, noise):
        tickets = [factories.ticket(i, title=f"Badge reader {i}") for i in range(5)]
        first, total = search_tickets(parse("badge"), user=None, limit=2)
        second, _ = search_tickets(parse("badge"), user=None, limit=2, offset=2)
        past, past_total = search_tickets(parse("badge"), user=None, limit=2, offset=10)
        assert total == past_total == Total(5, exact=True) and past == []
        assert len({t.pk for t in first + second}) == 4 and {t.pk for t in first + second} <= {t.pk for t in tickets}

    def test_the_newest_matches_are_ranked_and_older_ones_follow_newest_first(self, noise, monkeypatch):
        """A word in thousands of tickets: only the newest RANK_WINDOW are ranked (ranking reads every match), the
        best of them first; older matches follow by age, and pages join up without a gap or a repeat."""
        monkeypatch.setattr(fulltext, "RANK_WINDOW", 3)
        best_but_old = factories.ticket(0, title="Scanner", description="scanner scanner scanner")
        older = factories.ticket(1, title="Scanner queue", description="long text " * 20)
        newest = [
            factories.ticket(2 + i, title="Scanner stuck", description=f"case {i} " + "text " * 20 * (3 - i))
            for i in range(3)
        ]
        ranked = found("scanner")
        assert ranked[:3] == [newest[2].number, newest[1].number, newest[0].number]  # shortest text ranks best
        assert ranked[3:] == [older.number, best_but_old.number]  # past the window: newest first
        pages = [found("scanner", limit=2, offset=offset) for offset in (0, 2, 4)]
        assert [n for page in pages for n in page] == ranked
        _, total = search_tickets(parse("scanner"), user=None, limit=2, offset=2)
        if connection.vendor == "postgresql":
            # More matches than the window: PostgreSQL would read every match to count them, so it estimates.
            assert not total.exact and (total.estimated or total.label == "3+")
        else:
            assert total == Total(5, exact=True)  # SQLite counts them from the index
        _, within = search_tickets(parse("queue"), user=None, limit=2)
        assert within == Total(1, exact=True)  # fewer than the window: counted from the window itself

    def test_the_queue_search_is_full_text_and_still_finds_callers_and_numbers(self, noise):
        caller = base.person(7, first_name="Ingrid", last_name="Østergård", email="ingrid@example.org")
        ticket = factories.ticket(0, caller=caller, title="VPN drops", description="every hour")
        ticket_note_add(ticket, user=None, text="Router firmware updated")

        def queue(text):
            return [t.number for t in selectors.ticket_queue(search=text)]

        assert queue("firmware vpn") == [ticket.number]
        assert queue("ingrid") == [ticket.number]
        assert queue("ØSTERGÅRD") == [ticket.number]
        assert queue(ticket.number.lower()) == [ticket.number]
        assert queue("hour drops") == [ticket.number]
        assert queue('"OR" * NEAR(') == []


class TestPeopleAndServices:
    def test_people_by_name_email_and_phone_name_first(self):
        by_name = base.person(1, first_name="Quinn", last_name="Ortega", email="q.ortega@example.org")
        by_email = base.person(2, first_name="Sam", last_name="Lee", email="quinn.desk@example.org")
        by_phone = base.person(3, first_name="Ana", last_name="Diaz", phone="+1 (555) 123-4567")
        rows, total = search_people(parse("quinn"), limit=10)
        assert rows == [by_name, by_email] and total == Total(2, exact=True)
        assert search_people(parse("15551234567"), limit=5)[0] == [by_phone]
        assert search_people(parse("555 4567"), limit=5)[0] == [by_phone]
        assert search_people(parse("ortega example"), limit=5)[0] == [by_name]

    def test_people_accents_fold_both_ways(self):
        zoe = base.person(1, first_name="Zoë", last_name="Müller", email="")
        plain = base.person(2, first_name="Zoe", last_name="Muller", email="")
        assert set(search_people(parse("zoe muller"), limit=5)[0]) == {zoe, plain}
        assert set(search_people(parse("ZOË MÜLL"), limit=5)[0]) == {zoe, plain}

    def test_instances_groups_and_configuration_items(self):
        group = factories.customer_group("Régie Finance", organisation_code="A061234", kind="department")
        instance = factories.instance("Payroll Hosting", group=group, notes="nightly batch window")
        item = factories.configuration_item("payroll-db01", instances=[instance], serial_number="SN-77AB")
        assert search_instances(parse("payroll regie"), limit=5)[0] == [instance]
        assert search_instances(parse("nightly"), limit=5)[0] == [instance]
        assert search_groups(parse("a0612"), limit=5)[0] == [group]
        assert search_groups(parse("regie"), limit=5)[0] == [group]
        items, total = search_configuration_items(parse("payroll db01"), limit=5)
        assert items == [item] and total == Total(1, exact=True)
        assert search_configuration_items(parse("77ab"), limit=5)[0] == [item]
        svc.customer_group_update(group, user=None, change_reason="renamed", name="Régie Budget")
        assert search_groups(parse("finance"), limit=5)[0] == []
        assert search_groups(parse("budget"), limit=5)[0] == [group]
