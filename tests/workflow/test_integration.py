"""The workflow through the ticket service, the ticket API and the ticket page: firings stored one per matched rule
with the rule's history version, returned with the ticket for a constant number of queries, and "Why?" on the page.
Also the engine benchmark function (run small here; the figure comes from the benchmark command)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.base import count_queries
from tests.tickets import factories as ticket_factories
from tests.workflow.factories import rule
from tickets import services as ticket_services
from workflow import services
from workflow.bench import engine_throughput
from workflow.models import RuleFiring

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(executive):
    desk = factories.team(1, name="VIP Desk")
    return {
        "p2": rule(
            "Executives at least P2",
            criteria=[("vip_status", "is", executive.pk)],
            actions=[("set_priority", 2)],
        ),
        "desk": rule(
            "VIPs go to the VIP Desk",
            criteria=[("caller_is_vip", "true"), ("impact", "in", ["high", "medium"])],
            actions=[("assign_team", desk.pk)],
        ),
        "never": rule("Never", criteria=[("title", "contains", "zebra")], actions=[("set_priority", 5)]),
        "desk_obj": desk,
    }


def test_logging_stores_one_firing_per_matched_rule_with_its_version(rules, exec_person):
    services.rule_update(rules["p2"], user=None, change_reason="reworded", description="Second version")
    ticket = ticket_factories.ticket(caller=exec_person)
    assert (ticket.priority, ticket.team, ticket.status) == (2, rules["desk_obj"], "assigned")
    firings = list(RuleFiring.objects.filter(ticket=ticket).order_by("rule_position"))
    assert [f.rule for f in firings] == [rules["p2"], rules["desk"]]
    assert firings[0].rule_version == rules["p2"].history.latest().history_id
    assert firings[0].rule_version != rules["p2"].history.earliest().history_id
    assert firings[0].criteria[0]["seen_display"] == "Executive"
    assert firings[0].actions[0] | {"old": 3, "new": 2, "outcome": "applied"} == firings[0].actions[0]
    assert firings[1].actions[0]["new"] == rules["desk_obj"].pk


def test_update_runs_update_rules_once_and_leaves_firings(rules, exec_person):
    services.rule_update(rules["p2"], user=None, change_reason="on change too", trigger="both")
    ticket = ticket_factories.ticket(caller=exec_person, impact="low", urgency="low")
    assert RuleFiring.objects.filter(ticket=ticket).count() == 1  # the desk rule wants high or medium impact
    ticket_services.ticket_update(ticket, user=None, change_reason="more people affected", impact="high")
    ticket.refresh_from_db()
    events = sorted(RuleFiring.objects.filter(ticket=ticket).values_list("event", "rule_name"))
    assert events == [
        ("create", "Executives at least P2"),
        ("update", "Executives at least P2"),
        ("update", "VIPs go to the VIP Desk"),
    ]
    assert ticket.priority == 2 and ticket.team == rules["desk_obj"]


def test_ticket_api_returns_the_firings(api, rules, exec_person):
    ticket = ticket_factories.ticket(caller=exec_person)
    response = api.get(f"/api/tickets/{ticket.number}/")
    assert response.status_code == 200, response.content
    firings = response.json()["firings"]
    assert [f["rule"]["name"] for f in firings] == ["Executives at least P2", "VIPs go to the VIP Desk"]
    first = firings[0]
    assert first["rule"] == {"id": rules["p2"].pk, "name": "Executives at least P2", "position": 1, "active": True}
    assert first["rule_version"] == rules["p2"].history.latest().history_id
    assert first["because"] == "caller VIP status = Executive"
    assert first["criteria"][0]["matched"] is True and first["criteria"][0]["seen"] == exec_person.vip_status_id
    assert first["actions"][0]["outcome"] == "applied" and first["actions"][0]["new"] == 2
    assert first["event"] == "create" and first["fired_at"]
    # The list stays as it was: no firings there.
    assert "firings" not in api.get("/api/tickets/").json()["results"][0]


def test_ticket_api_detail_query_count_is_constant(api, rules, exec_person, standard_person):
    quiet = ticket_factories.ticket(caller=standard_person)
    busy = ticket_factories.ticket(caller=exec_person)
    for n in range(3):
        ticket_services.ticket_update(busy, user=None, change_reason=f"edit {n}", title=f"Edit {n}")
    assert RuleFiring.objects.filter(ticket=busy).count() >= 2
    assert count_queries(lambda: api.get(f"/api/tickets/{quiet.number}/")) == count_queries(
        lambda: api.get(f"/api/tickets/{busy.number}/")
    )


def test_ticket_page_shows_why_next_to_priority_and_team(client, analyst_user, rules, exec_person):
    ticket = ticket_factories.ticket(caller=exec_person)
    client.force_login(analyst_user)
    html = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert html.count('<details class="why">') == 3  # priority, team, and the status the team made Assigned
    assert "Rule 1 &#x27;Executives at least P2&#x27;: caller VIP status = Executive" in html
    assert "Rule 2 &#x27;VIPs go to the VIP Desk&#x27;: caller is a VIP = yes; impact = Medium" in html


def test_ticket_page_has_no_why_when_an_analyst_changed_the_value(client, analyst_user, rules, exec_person):
    ticket = ticket_factories.ticket(caller=exec_person)
    for key in ("p2", "desk"):  # only on logging from now on, so that the analyst's edit stands
        services.rule_update(rules[key], user=None, change_reason="on logging only", trigger="on_create")
    ticket_services.ticket_update(ticket, user=None, change_reason="analyst knows better", priority=4, team=None)
    client.force_login(analyst_user)
    html = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    # Priority and team are the analyst's now; the status is still the Assigned the rule's team assignment gave.
    assert html.count('<details class="why">') == 1
    assert "Executives at least P2&#x27;: caller VIP status" not in html


def test_engine_throughput_runs():
    seconds = engine_throughput(n_snapshots=50, n_rules=20)
    assert seconds > 0
