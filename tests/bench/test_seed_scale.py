"""seed_scale writes its big tables as plain rows (prepared INSERTs on SQLite, COPY on PostgreSQL): the data must
still be what the services would have written, the database settings must come back, and logging goes on after it.
Run on SQLite by `make test` and on PostgreSQL with scripts/with_postgres.sh."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Q

from bench.progress import Progress
from people.models import Person
from services.models import ConfigurationItem, Membership
from tickets.choices import OPEN_STATUSES, Status
from tickets.models import Ticket, TicketNote
from tickets.services import ticket_create
from vip.models import VipStatus

ANCHOR = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
TICKETS, PEOPLE = 2000, 400


def _pragmas() -> dict[str, str]:
    with connection.cursor() as cursor:
        values = {}
        for name in ("journal_mode", "synchronous", "cache_size"):
            cursor.execute(f"PRAGMA {name}")
            values[name] = str(cursor.fetchone()[0])
    return values


@pytest.fixture
def seeded(transactional_db):
    """The command itself, outside any transaction (as on the command line), so SQLite's load settings apply."""
    before = _pragmas() if connection.vendor == "sqlite" else None
    out = io.StringIO()
    call_command(
        "seed_scale",
        tickets=TICKETS,
        people=PEOPLE,
        rules=3,
        anchor=ANCHOR.date(),
        progress_every=0,
        stdout=out,
    )
    return out.getvalue(), before


def test_counts_history_and_progress_output(seeded):
    output, _ = seeded
    assert Ticket.objects.count() == TICKETS
    assert Person.objects.filter(email__endswith="@scale.example.edu").count() == PEOPLE
    assert Membership.objects.count() == PEOPLE
    assert Person.history.filter(history_type="+").count() == PEOPLE
    assert Membership.history.count() == PEOPLE
    left_new = Ticket.objects.exclude(status=Status.NEW).count()
    assert Ticket.history.filter(history_type="+", status=Status.NEW).count() == TICKETS
    assert Ticket.history.filter(history_type="~").count() == left_new
    # The history row of a ticket is the ticket's: same number, caller and title.
    assert not Ticket.history.exclude(
        number__in=Ticket.objects.values("number"),
    ).exists()
    assert TicketNote.objects.count() >= TICKETS
    assert re.search(r"^tickets 2,000/2,000 \(100%\) [\d,]+/s, done in \d+:\d\d$", output, re.M), output
    assert re.search(r"^people 400/400 \(100%\)", output, re.M), output
    assert "Scale data in" in output and "tickets 2,000" in output


def test_every_reference_points_at_a_real_and_fitting_row(seeded):
    tickets = Ticket.objects.all()
    # A ticket's instance belongs to the caller's department; its configuration item serves that instance.
    assert (
        not tickets.filter(service_instance__isnull=False)
        .exclude(service_instance__customer_group__memberships__person=F("caller"))
        .exists()
    )
    with_item = tickets.filter(configuration_item__isnull=False)
    assert with_item.exists()
    served = ConfigurationItem.service_instances.through.objects.values_list(
        "configurationitem_id", "serviceinstance_id"
    )
    assert set(with_item.values_list("configuration_item_id", "service_instance_id")) <= set(served)
    # The assignee works in the ticket's team; New tickets have neither.
    assigned = tickets.filter(assignee__isnull=False)
    assert assigned.exists()
    assert not assigned.exclude(team__members=F("assignee")).exists()
    assert not tickets.filter(status=Status.NEW).filter(Q(team__isnull=False) | Q(assignee__isnull=False)).exists()
    assert not TicketNote.objects.exclude(ticket__in=tickets).exists()
    # VIP share: about 3.3% of people hold a status shown on tickets, and they call more often.
    shown = VipStatus.objects.filter(show_on_tickets=True)
    vip_people = Person.objects.filter(vip_status__in=shown).count()
    assert 0 < vip_people < PEOPLE * 0.1
    assert tickets.filter(caller__vip_status__in=shown).count() > TICKETS * vip_people / PEOPLE


def test_due_fields_follow_the_service_level_and_the_anchor(seeded):
    checked = 0
    for t in Ticket.objects.select_related("service_level").iterator():
        assert t.opened_at.tzinfo is not None and t.opened_at <= ANCHOR
        if t.service_level is None:
            assert t.response_due_at is None and t.resolution_due_at is None and t.next_due_at is None
            continue
        response, resolution = t.service_level.target(t.priority)
        assert t.response_due_at - t.opened_at == dt.timedelta(minutes=response), t.number
        assert t.resolution_due_at - t.opened_at == dt.timedelta(minutes=resolution), t.number
        if t.status in OPEN_STATUSES:
            running = t.response_due_at if t.first_response_at is None else t.resolution_due_at
            assert t.next_due_at == running, t.number
            assert abs(t.due_soon_at - (running - (running - t.opened_at) * 0.25)) < dt.timedelta(seconds=1)
        else:
            assert t.next_due_at is None and t.due_soon_at is None, t.number
        if t.first_response_at is not None:
            assert t.response_breached == (t.first_response_at > t.response_due_at), t.number
        if t.resolved_at is not None:
            assert t.resolution_breached == (t.resolved_at > t.resolution_due_at), t.number
            assert t.resolution and t.resolved_at < ANCHOR
        checked += 1
    assert checked > TICKETS * 0.7
    # Numbers follow the opening time within each type.
    incidents = list(Ticket.objects.filter(ticket_type="incident").order_by("number").values_list("opened_at"))
    assert incidents == sorted(incidents)


def test_database_settings_come_back_and_logging_continues(seeded):
    _, before = seeded
    if connection.vendor == "sqlite":
        assert _pragmas() == before
    highest = Ticket.objects.order_by("-id").first()
    caller = Person.objects.filter(email__endswith="@scale.example.edu").first()
    ticket = ticket_create(user=None, change_reason="After the seed", caller=caller, title="Printer jammed")
    assert ticket.pk > highest.pk  # the identity sequences moved past the keys written by hand
    last_incident = Ticket.objects.filter(ticket_type="incident").exclude(pk=ticket.pk).order_by("-number").first()
    assert int(ticket.number[3:]) == int(last_incident.number[3:]) + 1
    person = Person.objects.create(first_name="New", last_name="Person", vip_status=caller.vip_status)
    assert person.pk > caller.pk
    assert Ticket.objects.aggregate(n=Count("id"))["n"] == TICKETS + 1


def test_progress_on_a_terminal_updates_one_line_and_in_a_log_writes_periodic_lines():
    now = [0.0]
    text = []
    log = Progress(text.append, tty=False, interval=10, clock=lambda: now[0])
    bar = log.bar("tickets", 1000)
    for _ in range(10):
        now[0] += 3
        bar.advance(100)
    bar.close()
    lines = "".join(text).splitlines()
    # Every 10 s a line with the rate and what is left, then the final one.
    assert lines[:3] == [
        "tickets 400/1,000 (40%) 33/s, ETA 0:18",
        "tickets 800/1,000 (80%) 33/s, ETA 0:06",
        "tickets 1,000/1,000 (100%) 33/s, done in 0:30",
    ]
    assert len(lines) == 3
    now[0] = 0.0
    text.clear()
    tty = Progress(text.append, tty=True, clock=lambda: now[0])
    bar = tty.bar("tickets", 1000)
    now[0] = 1
    bar.advance(250)
    tty.log("a phase ends")
    bar.advance(750)
    bar.close()
    written = "".join(text)
    assert written.startswith("\rtickets 250/1,000 (25%) 250/s, ETA 0:03\x1b[K\na phase ends\n")
    assert written.endswith("done in 0:01\x1b[K\n")


def test_search_documents_hold_the_notes_and_tickets_their_callers_vip_status(seeded):
    """Notes are written before their tickets, so a ticket's document takes them in once: it must still hold them
    all; and the loader's tickets carry their caller's VIP status like the desk's."""
    from itsm.fulltext import parse
    from tests.search.test_fulltext import index_is_consistent
    from tickets.search import match_tickets

    assert index_is_consistent()
    note = TicketNote.objects.order_by("id").last()
    word = max(re.findall(r"[a-z]{5,}", note.text.lower()), key=len)
    assert match_tickets(Ticket.objects.filter(pk=note.ticket_id), parse(word)).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM tickets_ticket t JOIN people_person p ON p.id = t.caller_id "
            "WHERE t.caller_vip_status_id IS DISTINCT FROM p.vip_status_id"
        )
        assert cursor.fetchone()[0] == 0
