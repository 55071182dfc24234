"""The ticket admins: the ITIL matrix is editable by admins with a reason (and audited); tickets are edited with a
reason through the ticket services, never deleted."""

import pytest
from django.urls import reverse

from tests import factories as base
from tests.base import history_of
from tests.tickets import factories
from tickets import services
from tickets.choices import Level
from tickets.models import PriorityMatrixCell, Ticket
from tickets.notes import ticket_note_add

pytestmark = pytest.mark.django_db

NOTES_FORMSET = {
    "notes-TOTAL_FORMS": "0",
    "notes-INITIAL_FORMS": "0",
    "notes-MIN_NUM_FORMS": "0",
    "notes-MAX_NUM_FORMS": "1000",
}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def cell(impact, urgency) -> PriorityMatrixCell:
    services.priority_matrix()
    return PriorityMatrixCell.objects.get(impact=impact, urgency=urgency)


class TestPriorityMatrixAdmin:
    def test_changelist_shows_the_nine_cells_even_after_a_flush(self, admin_client):
        PriorityMatrixCell.objects.all().delete()
        response = admin_client.get(reverse("admin:tickets_prioritymatrixcell_changelist"))
        assert response.status_code == 200
        assert response.context["cl"].result_count == 9

    def test_editing_a_cell_needs_a_reason(self, admin_client):
        target = cell(Level.LOW, Level.HIGH)
        url = reverse("admin:tickets_prioritymatrixcell_change", args=[target.pk])
        response = admin_client.post(url, {"priority": 2})
        assert response.status_code == 200
        assert "change_reason" in response.context["adminform"].form.errors
        target.refresh_from_db()
        assert target.priority == 3

    def test_an_edited_cell_is_audited_and_rates_new_tickets(self, admin_client, admin_user):
        target = cell(Level.LOW, Level.HIGH)
        url = reverse("admin:tickets_prioritymatrixcell_change", args=[target.pk])
        response = admin_client.post(url, {"priority": 2, "change_reason": "low-impact outages still hurt"})
        assert response.status_code == 302
        row = history_of(target).last()
        assert (row.priority, row.history_user, row.history_change_reason) == (
            2,
            admin_user,
            "low-impact outages still hurt",
        )
        assert factories.ticket(0, impact=Level.LOW, urgency=Level.HIGH).priority == 2

    def test_cells_cannot_be_added_or_deleted(self, admin_client):
        target = cell(Level.HIGH, Level.HIGH)
        assert admin_client.get(reverse("admin:tickets_prioritymatrixcell_add")).status_code == 403
        delete = reverse("admin:tickets_prioritymatrixcell_delete", args=[target.pk])
        assert admin_client.post(delete, {"post": "yes", "change_reason": "x"}).status_code == 403
        assert PriorityMatrixCell.objects.filter(pk=target.pk).exists()


class TestTicketAdmin:
    def add_data(self, caller):
        return {
            "ticket_type": "request",
            "title": "New laptop",
            "description": "",
            "caller": caller.pk,
            "source": "email",
            "impact": "medium",
            "urgency": "high",
            **NOTES_FORMSET,
        }

    def test_add_needs_a_reason_then_numbers_and_rates_the_ticket(self, admin_client, admin_user):
        caller = base.person(0)
        url = reverse("admin:tickets_ticket_add")
        response = admin_client.post(url, self.add_data(caller))
        assert response.status_code == 200 and "change_reason" in response.context["adminform"].form.errors
        assert not Ticket.objects.exists()
        response = admin_client.post(url, {**self.add_data(caller), "change_reason": "mailed in"})
        assert response.status_code == 302
        ticket = Ticket.objects.get()
        assert (ticket.number, ticket.priority) == ("REQ000001", 2)
        assert history_of(ticket).get().history_change_reason == "mailed in"

    def test_change_goes_through_the_service_with_the_reason(self, admin_client, admin_user):
        ticket = factories.ticket(0)
        ticket_note_add(ticket, user=None, text="Rang the caller")  # the notes inline is read-only
        url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
        assert "Rang the caller" in admin_client.get(url).content.decode()
        data = {
            "title": "Printer jams on every job",
            "description": "",
            "caller": ticket.caller_id,
            "source": "phone",
            "impact": "high",
            "urgency": "high",
            **NOTES_FORMSET,
        }
        response = admin_client.post(url, data)
        assert response.status_code == 200 and "change_reason" in response.context["adminform"].form.errors
        response = admin_client.post(url, {**data, "change_reason": "whole floor affected"})
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert (ticket.title, ticket.priority) == ("Printer jams on every job", 1)  # re-rated by the service
        row = history_of(ticket).last()
        assert (row.history_user, row.history_change_reason) == (admin_user, "whole floor affected")

    def test_tickets_are_never_deleted(self, admin_client):
        ticket = factories.ticket(0)
        delete = reverse("admin:tickets_ticket_delete", args=[ticket.pk])
        assert admin_client.post(delete, {"post": "yes", "change_reason": "x"}).status_code == 403
        assert Ticket.objects.filter(pk=ticket.pk).exists()
