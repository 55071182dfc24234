"""The demo tickets read like real work: each history runs forward in time and ends in the ticket's status."""

import io

import pytest

import people.seed
import services.seed
import tickets.seed
import vip.seed
from tickets.choices import OPEN_STATUSES
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo_ticket_histories_run_forward_and_end_in_the_ticket_status(monkeypatch, admin_user):
    monkeypatch.setattr(tickets.seed, "TARGET", 120)
    out = io.StringIO()
    for module in (vip.seed, people.seed, services.seed, tickets.seed):
        module.seed(user=admin_user, out=out)
    rows = list(Ticket.objects.prefetch_related("notes"))
    histories: dict[int, list] = {}
    for record in Ticket.history.order_by("history_id"):  # the order they were written
        histories.setdefault(record.id, []).append(record)
    assert len(rows) == 120
    assert {t.status for t in rows} > set(OPEN_STATUSES)  # open ones and finished ones
    for ticket in rows:
        history = histories[ticket.pk]
        dates = [r.history_date for r in history]
        assert dates == sorted(dates), f"{ticket.number}: history dates go backwards"
        assert history[-1].status == ticket.status, ticket.number
        notes = [n.created_at for n in sorted(ticket.notes.all(), key=lambda n: n.pk)]
        assert notes == sorted(notes), f"{ticket.number}: notes go backwards"
        if ticket.resolved_at:
            assert ticket.resolved_at >= ticket.opened_at
