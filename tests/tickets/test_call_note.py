"""A further call about an open ticket becomes a note on it ("Add as a note to INC..."), through the service with the
audit trail, instead of a duplicate ticket; refusals (nothing typed, the ticket closed) change nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from itsm.services import ConflictError
from tests import factories as base
from tests.base import history_of
from tests.tickets import factories
from tickets import services
from tickets.choices import Status
from tickets.models import Ticket, TicketNote
from tickets.notes import ticket_call_note_add

pytestmark = pytest.mark.django_db


def close(ticket):
    services.ticket_assign(ticket, user=None, team=base.team(0))
    services.ticket_transition(ticket, user=None, status=Status.RESOLVED, note="done")
    services.ticket_transition(ticket, user=None, status=Status.CLOSED)


# -- the service ------------------------------------------------------------------------------------------------------
def test_the_call_becomes_an_internal_note_the_response_and_one_history_row(analyst_user):
    ticket = factories.ticket(0)
    rows = history_of(ticket).count()
    note = ticket_call_note_add(ticket, user=analyst_user, text="  Still jams on tray 2 \n", source="email")
    assert (note.ticket, note.author, note.public) == (ticket, analyst_user, False)
    assert note.text == "Further call (email): Still jams on tray 2"
    ticket.refresh_from_db()
    assert ticket.first_response_at == note.created_at
    history = history_of(ticket)
    assert history.count() == rows + 1
    last = history.last()
    assert (last.history_user, last.history_change_reason) == (analyst_user, "further call (email) added as a note")


@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_empty_description_is_refused_and_changes_nothing(analyst_user, text):
    ticket = factories.ticket(0)
    rows = history_of(ticket).count()
    with pytest.raises(ValidationError) as refused:
        ticket_call_note_add(ticket, user=analyst_user, text=text)
    assert "description" in refused.value.message_dict
    assert TicketNote.objects.count() == 0 and history_of(ticket).count() == rows


def test_a_closed_ticket_is_refused_and_changes_nothing(analyst_user):
    ticket = factories.ticket(0)
    close(ticket)
    notes, rows = TicketNote.objects.count(), history_of(ticket).count()
    with pytest.raises(ConflictError) as refused:
        ticket_call_note_add(ticket, user=analyst_user, text="It broke again")
    assert "Closed" in refused.value.message and "log a new ticket" in refused.value.message
    assert TicketNote.objects.count() == notes and history_of(ticket).count() == rows


# -- the view (the log-call form posts to it with formaction) --------------------------------------------------------
def call(**fields):
    return {
        "caller": "",
        "caller_query": "",
        "title": "Printer again",
        "description": "Tray 2 jams again",
        "ticket_type": "incident",
        "source": "phone",
        "impact": "medium",
        "urgency": "medium",
        **fields,
    }


def test_add_as_a_note_adds_the_description_and_opens_the_ticket(analyst_client, analyst_user):
    ticket = factories.ticket(0)
    response = analyst_client.post(
        reverse("tickets:call_note", args=[ticket.number]), call(caller=ticket.caller_id), follow=True
    )
    assert response.redirect_chain == [(f"{ticket.get_absolute_url()}#notes", 302)]
    html = response.content.decode()
    assert f"The call is now a note on {ticket.number}" in html and "Further call (phone): Tray 2 jams again" in html
    assert Ticket.objects.count() == 1  # no duplicate logged
    assert TicketNote.objects.get().author == analyst_user


def test_an_empty_description_shows_log_a_call_again_with_the_reason_and_what_was_typed(analyst_client):
    ticket = factories.ticket(0)
    response = analyst_client.post(
        reverse("tickets:call_note", args=[ticket.number]),
        call(caller=ticket.caller_id, description="  ", title="Half-typed title"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["description"]  # only the reason of this refusal, not the rest of the call judged
    html = response.content.decode()
    assert "Type what the caller says first" in html and 'value="Half-typed title"' in html
    assert f"Add as a note to {ticket.number}" in html  # the caller card is back, to try again
    assert TicketNote.objects.count() == 0


def test_a_closed_ticket_is_refused_on_the_form_and_nothing_changes(analyst_client):
    ticket = factories.ticket(0)
    close(ticket)
    rows = history_of(ticket).count()
    response = analyst_client.post(reverse("tickets:call_note", args=[ticket.number]), call(caller=ticket.caller_id))
    assert response.status_code == 409
    assert "can no longer be changed" in response.content.decode()
    assert "Tray 2 jams again" in response.content.decode()
    assert TicketNote.objects.filter(text__startswith="Further call").count() == 0
    assert history_of(ticket).count() == rows


def test_permissions_login_and_unknown_tickets(client, make_user, analyst_user):
    from itsm.roles import SERVICE_LEVEL_MANAGER

    ticket = factories.ticket(0)
    url = reverse("tickets:call_note", args=[ticket.number])
    assert client.post(url, call()).status_code == 302  # to the sign-in page
    client.force_login(make_user("slm-only", SERVICE_LEVEL_MANAGER))
    assert client.post(url, call()).status_code == 403  # may read tickets, not add notes
    client.force_login(analyst_user)
    assert client.get(url).status_code == 405
    assert client.post(reverse("tickets:call_note", args=["INC999999"]), call()).status_code == 404
    assert TicketNote.objects.count() == 0


@pytest.mark.parametrize("fields", [{"description": "jams\x00again"}, {"source": "carrier-pigeon"}])
def test_input_no_note_may_hold_is_refused_next_to_its_field(analyst_client, fields):
    ticket = factories.ticket(0)
    response = analyst_client.post(reverse("tickets:call_note", args=[ticket.number]), call(**fields))
    assert response.status_code == 400 and list(response.context["form"].errors) == list(fields)
    assert TicketNote.objects.count() == 0
