"""Log a call's preview: what the rules will do (priority with the rule that gave it, team, service level) and both
due times, before anything is saved; in one request."""

import pytest
from django.urls import reverse

from tests import factories as base
from tests.tickets import factories
from tests.workflow.factories import rule
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(client, analyst_user):
    client.force_login(analyst_user)
    return client


def test_an_executive_at_medium_medium_previews_p2_with_the_rule_team_and_due_times(analyst_client, default_status):
    executive = base.vip_status("Executive", colour="#1F4E8C", show_on_tickets=True)
    boss = base.person(1, vip_status=executive)
    desk = base.team(1, name="VIP Desk")
    gold = factories.service_level("Gold", p2_response_minutes=15, p2_resolution_minutes=240)
    email = factories.instance("Email", level=factories.service_level("Silver"))
    rule(
        "Executives are at least P2",
        criteria=[("vip_status", "is", executive.pk), ("priority", "gte", 3)],
        actions=[("set_priority", 2), ("assign_team", desk.pk), ("set_service_level", gold.pk)],
    )
    url = reverse("tickets:call_preview")
    body = analyst_client.get(
        url, {"caller": boss.pk, "impact": "medium", "urgency": "medium", "service_instance": email.pk}
    ).json()
    assert (body["matrix_priority"], body["priority"], body["team"], body["service_level"]) == (
        3,
        2,
        "VIP Desk",
        "Gold",
    )
    assert body["because"] == [
        "P3 -> P2 (Rule 1 'Executives are at least P2')",
        "team -> VIP Desk (Rule 1 'Executives are at least P2')",
        "service level -> Gold (Rule 1 'Executives are at least P2')",
    ]
    assert body["response_due"] and body["resolution_due"]
    assert not Ticket.objects.exists()


def test_a_standard_caller_previews_the_matrix_only(analyst_client, default_status):
    caller = base.person(2)
    body = analyst_client.get(
        reverse("tickets:call_preview"), {"caller": caller.pk, "impact": "high", "urgency": "high"}
    ).json()
    assert (body["priority"], body["because"], body["service_level"]) == (1, [], None)


def test_the_preview_refuses_nothing_it_cannot_read(analyst_client, default_status):
    url = reverse("tickets:call_preview")
    for params in ({"caller": "\u00b2"}, {"caller": "99999999999999999999"}, {"impact": "huge"}, {}):
        assert analyst_client.get(url, params).status_code == 200


def test_the_preview_needs_the_permission_to_log_calls(client, nobody):
    client.force_login(nobody)
    assert client.get(reverse("tickets:call_preview")).status_code == 403
