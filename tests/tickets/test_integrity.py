"""What tickets point at is kept by the database: callers, instances and CIs in use cannot be deleted (409 naming
the ticket), deleting a team or an analyst leaves the ticket, and notes are append-only."""

import pytest

from people.models import Person
from services.models import ConfigurationItem, ServiceInstance
from tests import factories as base
from tests.tickets import factories
from tickets.models import Ticket, TicketNote

pytestmark = pytest.mark.django_db

REASON = {"HTTP_X_CHANGE_REASON": "clean-up"}


def test_deleting_a_caller_with_tickets_is_409_naming_the_ticket(api):
    caller = base.person(0)
    ticket = factories.ticket(0, caller=caller)
    response = api.delete(f"/api/people/{caller.pk}/", **REASON)
    assert response.status_code == 409, response.content
    assert ticket.number in response.json()["detail"]
    assert Person.objects.filter(pk=caller.pk).exists()


def test_deleting_an_instance_or_ci_used_by_a_ticket_is_409_naming_the_ticket(api):
    instance = factories.instance("Email")
    item = factories.configuration_item("mx01", instances=[instance])
    ticket = factories.ticket(0, service_instance=instance, configuration_item=item)
    for url in (f"/api/service-instances/{instance.pk}/", f"/api/configuration-items/{item.pk}/"):
        response = api.delete(url, **REASON)
        assert response.status_code == 409, response.content
        assert ticket.number in response.json()["detail"]
    assert ServiceInstance.objects.filter(pk=instance.pk).exists()
    assert ConfigurationItem.objects.filter(pk=item.pk).exists()


def test_deleting_a_team_keeps_its_tickets_unassigned_from_it(api):
    team = base.team(0)
    ticket = factories.ticket(0, team=team)
    assert api.delete(f"/api/teams/{team.pk}/", **REASON).status_code == 204
    ticket.refresh_from_db()
    assert ticket.team is None and Ticket.objects.count() == 1


def test_notes_are_append_only_through_the_api(api):
    ticket = factories.ticket(0)
    url = f"/api/tickets/{ticket.number}/notes/"
    assert api.post(url, {"text": "Rang back", "change_reason": "x"}, format="json").status_code == 201
    note = TicketNote.objects.get()
    for method in (api.put, api.patch, api.delete):
        assert method(url, {"text": "rewritten"}, format="json").status_code == 405
        assert method(f"{url}{note.pk}/", {"text": "rewritten"}, format="json").status_code in (404, 405)
    note.refresh_from_db()
    assert note.text == "Rang back"
