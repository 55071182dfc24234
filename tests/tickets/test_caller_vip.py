"""The caller's VIP status kept on each ticket by the database: every write path leaves it right, and the queue's VIP
order and "VIP callers only" filter follow a person's new status, a ticket's new caller and a status's new meaning
at once (on SQLite and PostgreSQL: the triggers are each database's own)."""

import pytest
from django.db import connection

from people.models import Person
from people.services import person_update
from tests import factories as base
from tests.tickets import factories
from tickets import selectors
from tickets.models import Ticket
from vip.services import vip_status_move, vip_status_update

pytestmark = pytest.mark.django_db
REASON = "test"


def kept(ticket) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT caller_vip_status_id FROM tickets_ticket WHERE id = %s", [ticket.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def world():
    executive = base.vip_status("Executive", show_on_tickets=True)
    board = base.vip_status("Board", show_on_tickets=True)
    standard = Person._meta.get_field("vip_status").get_default()
    alice, bob = base.person(1, vip_status=executive), base.person(2)
    return {
        "executive": executive,
        "board": board,
        "standard": standard,
        "alice": alice,
        "bob": bob,
        "alices": factories.ticket(1, caller=alice, title="Alice's laptop"),
        "bobs": factories.ticket(2, caller=bob, title="Bob's printer"),
    }


def vip_queue() -> list[str]:
    return [t.number for t in selectors.ticket_queue(state="all", vip_only=True)[:25]]


def queue_order() -> list[str]:
    return [t.number for t in selectors.ticket_queue(state="all")[:25]]


class TestKeptByTheDatabase:
    def test_a_new_ticket_takes_its_callers_status(self, world):
        assert kept(world["alices"]) == world["executive"].pk
        assert kept(world["bobs"]) == world["standard"]

    def test_a_persons_new_status_reaches_all_their_tickets(self, world):
        second = factories.ticket(3, caller=world["bob"])
        person_update(world["bob"], user=None, change_reason=REASON, vip_status=world["board"])
        assert kept(world["bobs"]) == kept(second) == world["board"].pk
        assert kept(world["alices"]) == world["executive"].pk  # nobody else's

    def test_a_new_caller_brings_their_status(self, world):
        ticket = Ticket.objects.get(pk=world["bobs"].pk)  # the caller is fixed on the desk; the admin may correct it
        ticket.caller = world["alice"]
        ticket.save()
        assert kept(ticket) == world["executive"].pk

    def test_saving_a_ticket_read_before_the_change_does_not_write_the_old_status_back(self, world):
        stale = Ticket.objects.get(pk=world["bobs"].pk)
        person_update(world["bob"], user=None, change_reason=REASON, vip_status=world["board"])
        stale.title = "Bob's printer, again"
        stale.save()
        assert kept(stale) == world["board"].pk

    def test_a_bulk_update_cannot_leave_it_wrong(self, world):
        Ticket.objects.filter(pk=world["bobs"].pk).update(caller=world["alice"])
        assert kept(world["bobs"]) == world["executive"].pk


class TestTheQueueFollows:
    def test_vip_callers_only_follows_a_persons_new_status(self, world):
        assert vip_queue() == [world["alices"].number]
        person_update(world["bob"], user=None, change_reason=REASON, vip_status=world["board"])
        assert sorted(vip_queue()) == sorted([world["alices"].number, world["bobs"].number])

    def test_vip_callers_only_follows_what_a_status_shows(self, world):
        vip_status_update(world["executive"], user=None, change_reason=REASON, show_on_tickets=False)
        assert vip_queue() == []

    def test_the_order_follows_the_statuses_positions(self, world):
        carol = base.person(3, vip_status=world["board"])
        board_ticket = factories.ticket(4, caller=carol)
        same = {"priority": world["alices"].priority}
        assert board_ticket.priority == same["priority"] == world["bobs"].priority
        first = queue_order()
        assert (
            first.index(world["alices"].number) < first.index(board_ticket.number) < first.index(world["bobs"].number)
        )
        vip_status_move(world["board"], position=world["executive"].position, user=None, change_reason=REASON)
        moved = queue_order()
        assert (
            moved.index(board_ticket.number) < moved.index(world["alices"].number) < moved.index(world["bobs"].number)
        )

    def test_the_api_vip_filter_reads_the_same(self, world, admin_user):
        from rest_framework.test import APIClient

        api = APIClient()
        api.force_authenticate(admin_user)
        vips = api.get("/api/tickets/", {"vip": "true"}).json()["results"]
        others = api.get("/api/tickets/", {"vip": "false"}).json()["results"]
        assert [t["number"] for t in vips] == [world["alices"].number]
        assert [t["number"] for t in others] == [world["bobs"].number]
