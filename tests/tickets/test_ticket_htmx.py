"""The ticket page's actions sent by htmx answer with the parts they change (swapped in place by id, out of band),
errors next to their fields the same way; without htmx they keep posting and redirecting."""

import re

import pytest
from django.urls import reverse

from tests import factories as base
from tests.base import count_queries
from tests.tickets import factories
from tickets import services
from tickets.choices import Status
from tickets.models import TicketNote
from tickets.notes import ticket_note_add

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
PARTS = ["ticket-head", "notes", "ticket-history", "ticket-side"]


def swapped_ids(html: str) -> list[str]:
    return re.findall(r'<[a-z]+ [^>]*?id="([^"]+)"[^>]*hx-swap-oob="true"', html)


def test_a_note_sent_by_htmx_answers_with_the_changed_parts_not_a_page(analyst_client, analyst_user):
    ticket = factories.ticket(0, service_instance=factories.instance(level=factories.service_level()))
    response = analyst_client.post(
        reverse("tickets:note", args=[ticket.number]), {"text": "Rang back, no answer", "time_spent_minutes": 5}, **HX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<body" not in html
    assert swapped_ids(html) == PARTS
    assert "Rang back, no answer" in html and "Note added." in html
    assert 'hx-swap-oob="innerHTML:.messages-region"' in html
    # The response met the first response target: the history and the service level card say so.
    assert "first response: note" in html and '<span class="badge ok">Met</span>' in html
    note = TicketNote.objects.get()
    assert (note.author, note.time_spent_minutes) == (analyst_user, 5)


def test_a_refused_note_comes_back_in_place_with_the_error_and_nothing_saved(analyst_client):
    ticket = factories.ticket(0)
    response = analyst_client.post(
        reverse("tickets:note", args=[ticket.number]), {"text": "", "time_spent_minutes": 5000}, **HX
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" not in html and swapped_ids(html) == PARTS
    assert 'id="id_text_error"' in html and "This field is required." in html
    assert 'value="5000"' in html  # what was typed stays
    assert TicketNote.objects.count() == 0


def test_assign_to_me_and_to_a_team_by_htmx(analyst_client, analyst_user):
    ticket = factories.ticket(0)
    url = reverse("tickets:assign", args=[ticket.number])
    html = analyst_client.post(url, {"me": "1"}, **HX).content.decode()
    assert "Unassign me" in html and "is assigned to you" in html
    assert '<span class="status st-assigned">Assigned</span>' in html  # the header's chip
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (analyst_user, Status.ASSIGNED)
    response = analyst_client.post(url, {"team": ""}, **HX)
    assert response.status_code == 400 and 'id="id_team_error"' in response.content.decode()
    team = base.team(1)
    assert analyst_client.post(url, {"team": team.pk}, **HX).status_code == 200
    ticket.refresh_from_db()
    assert ticket.team == team


def test_a_status_change_by_htmx_and_its_refusal_next_to_the_field(analyst_client):
    ticket = factories.ticket(0, team=base.team(0))
    url = reverse("tickets:transition", args=[ticket.number])
    response = analyst_client.post(url, {"status": "resolved", "note": ""}, **HX)
    assert response.status_code == 400
    assert 'id="id_note_error"' in response.content.decode() and "Give a resolution note" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    html = analyst_client.post(url, {"status": "in_progress"}, **HX).content.decode()
    assert "is now In progress" in html and '<span class="status st-progress">In progress</span>' in html


def test_an_action_on_a_ticket_closed_meanwhile_answers_409_with_the_reason_and_the_page_as_it_is(analyst_client):
    ticket = factories.ticket(0, team=base.team(0))
    services.ticket_transition(ticket, user=None, status=Status.RESOLVED, note="done")
    services.ticket_transition(ticket, user=None, status=Status.CLOSED)
    response = analyst_client.post(reverse("tickets:assign", args=[ticket.number]), {"me": "1"}, **HX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "can no longer be changed" in html and "it can no longer change" in html  # message and final card
    assert 'id="assign-me"' not in html


def test_without_htmx_the_actions_still_redirect(analyst_client):
    ticket = factories.ticket(0)
    response = analyst_client.post(
        reverse("tickets:note", args=[ticket.number]), {"text": "Plain post", "time_spent_minutes": 0}
    )
    assert response.status_code == 302 and response["Location"] == f"{ticket.get_absolute_url()}#notes"
    response = analyst_client.post(reverse("tickets:assign", args=[ticket.number]), {"me": "1"})
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()


def test_the_fragment_costs_the_same_queries_with_few_or_many_notes(analyst_client):
    ticket = factories.ticket(0)
    url = reverse("tickets:note", args=[ticket.number])

    def add(n):
        for i in range(n):
            ticket_note_add(ticket, user=None, text=f"note {i}")
            services.ticket_update(ticket, user=None, change_reason=f"r{i}", title=f"title {i}")

    add(2)
    analyst_client.post(url, {"text": "first response", "time_spent_minutes": 0}, **HX)
    few = count_queries(lambda: analyst_client.post(url, {"text": "x", "time_spent_minutes": 0}, **HX))
    add(40)
    assert count_queries(lambda: analyst_client.post(url, {"text": "y", "time_spent_minutes": 0}, **HX)) == few


def test_the_page_marks_its_forms_for_htmx_and_keeps_the_plain_actions(analyst_client):
    ticket = factories.ticket(0)
    html = analyst_client.get(ticket.get_absolute_url()).content.decode()
    for name in ("note", "assign", "transition"):
        url = reverse(f"tickets:{name}", args=[ticket.number])
        assert f'action="{url}"' in html and f'hx-post="{url}"' in html
    assert "data-sticky-head" in html and "tickets/ticket_page" in html
