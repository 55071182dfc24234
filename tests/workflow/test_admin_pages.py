"""The rule admin's Simulate, Replay and Lint pages: what they show, what they change (nothing, or the tickets with
the reason when applied), and who may use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.workflow.factories import rule
from tickets.models import Ticket
from workflow.models import Rule, RuleFiring

pytestmark = pytest.mark.django_db


# -- simulate ---------------------------------------------------------------------------------------------------------
def test_simulate_existing_ticket_shows_matches_and_the_failed_criterion_and_saves_nothing(
    admin_client, exec_person, executive, critical, log_ticket
):
    ticket = log_ticket(exec_person)
    rule("Executives P1", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)])
    rule("Critical roles", criteria=[("vip_status", "is", critical.pk)], actions=[("set_priority", 2)])
    before = (RuleFiring.objects.count(), Ticket.history.count(), Ticket.objects.get(pk=ticket.pk).priority)
    response = admin_client.get(reverse("admin:workflow_rule_simulate"), {"run": "1", "ticket": ticket.number})
    assert response.status_code == 200
    html = response.content.decode()
    assert "matched" in html and "Executives P1" in html
    assert "caller VIP status is Critical Role: saw Executive" in html
    assert "Set priority P1" in html
    assert response.context["changes"] == [
        {"field": "priority", "now": "P3", "after": "P1", "rule": "Rule 1 'Executives P1'"}
    ]
    assert (RuleFiring.objects.count(), Ticket.history.count(), Ticket.objects.get(pk=ticket.pk).priority) == before


def test_simulate_shows_the_status_that_follows_an_assignment(admin_client, exec_person, log_ticket):
    ticket = log_ticket(exec_person)
    desk = factories.team(1, name="VIP Desk")
    rule("To the desk", actions=[("assign_team", desk.pk)])
    response = admin_client.get(reverse("admin:workflow_rule_simulate"), {"run": "1", "ticket": ticket.number})
    changes = {c["field"]: (c["now"], c["after"]) for c in response.context["changes"]}
    assert changes == {"team": ("empty", "VIP Desk"), "status": ("New", "Assigned")}
    assert "status becomes Assigned (follows: Assign team VIP Desk)" in response.content.decode()


def test_simulate_hypothetical_ticket_and_an_inactive_rule(admin_client, exec_person, executive):
    draft = rule("Draft", criteria=[("impact", "is", "high")], actions=[("set_priority", 1)], active=False)
    response = admin_client.get(
        reverse("admin:workflow_rule_simulate"),
        {
            "run": "1",
            "caller": exec_person.pk,
            "ticket_type": "incident",
            "impact": "high",
            "urgency": "low",
            "event": "create",
            "try_rules": [draft.pk],
        },
    )
    assert response.status_code == 200
    evaluation = response.context["evaluation"]
    assert [r.name for r in evaluation.matched] == ["Draft"]
    assert evaluation.plan.changes == {"priority": 1}
    assert not Ticket.objects.exists()


def test_simulate_without_caller_or_ticket_is_a_field_error(admin_client):
    response = admin_client.get(reverse("admin:workflow_rule_simulate"), {"run": "1", "ticket": "INC999999"})
    assert "No ticket INC999999." in response.content.decode()
    response = admin_client.get(reverse("admin:workflow_rule_simulate"), {"run": "1"})
    assert "Choose a caller" in response.content.decode()


# -- replay -----------------------------------------------------------------------------------------------------------
def test_replay_dry_run_changes_nothing_and_apply_records_the_reason(admin_client, exec_person, executive, log_ticket):
    tickets = [log_ticket(exec_person, title=f"t{i}") for i in range(3)]
    rule("Executives P1", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)])
    url = reverse("admin:workflow_rule_replay")
    history_before = Ticket.history.count()
    response = admin_client.post(url, {"dry_run": "1"})
    report = response.context["report"]
    assert (report.scanned, report.matched, report.changed, report.applied) == (3, 3, 3, 0)
    assert "P3 → P1" in response.content.decode()
    assert f'<a href="/tickets/{tickets[0].number}/">{tickets[0].number}</a>' in response.content.decode()
    assert Ticket.history.count() == history_before
    assert set(Ticket.objects.values_list("priority", flat=True)) == {3}

    refused = admin_client.post(url, {"apply": "1"})
    assert "Give a change reason" in refused.content.decode()
    assert Ticket.history.count() == history_before

    asked = admin_client.post(url, {"apply": "1", "change_reason": "backfill VIP priorities"})
    html = asked.content.decode()
    assert "Apply to 3 tickets?" in html and "Yes, change 3 tickets" in html
    assert 'name="change_reason" value="backfill VIP priorities"' in html
    assert asked.context["report"].dry_run and Ticket.history.count() == history_before

    applied = admin_client.post(url, {"apply": "1", "confirmed": "1", "change_reason": "backfill VIP priorities"})
    assert applied.context["report"].applied == 3
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.priority == 1
        assert "backfill VIP priorities" in ticket.history.latest().history_change_reason
    assert RuleFiring.objects.filter(event="replay").count() == 3


def test_replay_one_inactive_rule_in_a_date_range(admin_client, exec_person, log_ticket):
    log_ticket(exec_person)
    draft = rule("Draft", actions=[("set_priority", 5)], active=False)
    month_ago = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    response = admin_client.post(
        reverse("admin:workflow_rule_replay"), {"dry_run": "1", "rules": [draft.pk], "date_from": month_ago}
    )
    assert response.context["report"].changed == 1
    response = admin_client.post(
        reverse("admin:workflow_rule_replay"), {"dry_run": "1", "rules": [draft.pk], "date_to": "2000-01-01"}
    )
    assert response.context["report"].scanned == 0


def test_replay_covers_at_most_a_year(admin_client):
    response = admin_client.post(
        reverse("admin:workflow_rule_replay"), {"dry_run": "1", "date_from": "2000-01-01", "date_to": "2026-01-01"}
    )
    assert response.context["report"] is None
    assert "A replay covers at most a year" in response.content.decode()


def test_replay_needs_the_rule_change_permission(client, make_user):
    from tests.base import grant

    viewer = make_user("viewer", staff=True)
    grant(viewer, Rule, "view")
    client.force_login(viewer)
    assert client.get(reverse("admin:workflow_rule_replay")).status_code == 403


def test_replay_apply_needs_ticket_permission(client, make_user):
    editor = make_user("editor", staff=True)
    from tests.base import grant

    grant(editor, Rule, "view")
    grant(editor, Rule, "change")
    client.force_login(editor)
    response = client.post(reverse("admin:workflow_rule_replay"), {"apply": "1", "change_reason": "x"})
    assert response.status_code == 200
    assert "needs the permission" in response.content.decode()


# -- lint --------------------------------------------------------------------------------------------------------------
def test_lint_page_lists_a_shadowed_rule(admin_client):
    rule("Catch-all", actions=[("set_priority", 3)], stop_processing=True)
    shadowed = rule("High impact", criteria=[("impact", "is", "high")], actions=[("set_priority", 1)])
    html = admin_client.get(reverse("admin:workflow_rule_lint")).content.decode()
    assert "Rule 2 &#x27;High impact&#x27;" in html
    assert "never fires: Rule 1 &#x27;Catch-all&#x27;" in html
    assert reverse("admin:workflow_rule_change", args=[shadowed.pk]) in html


def test_changelist_links_the_pages(admin_client):
    html = admin_client.get(reverse("admin:workflow_rule_changelist")).content.decode()
    for name in ("simulate", "replay", "lint"):
        assert reverse(f"admin:workflow_rule_{name}") in html


def test_pages_need_view_permission(client, make_user):
    staff = make_user("staff", staff=True)
    client.force_login(staff)
    for name in ("simulate", "replay", "lint"):
        assert client.get(reverse(f"admin:workflow_rule_{name}")).status_code == 403


def test_simulate_a_scheduled_rule_on_a_hypothetical_ticket_opened_a_while_ago(admin_client, exec_person):
    rule(
        "VIP unassigned 15 minutes",
        trigger="scheduled",
        criteria=[("caller_is_vip", "true"), ("minutes_since_opened", "gte", 15)],
        actions=[("raise_priority", 1)],
    )
    url = reverse("admin:workflow_rule_simulate")
    fresh = admin_client.get(url, {"run": "1", "caller": exec_person.pk, "event": "scheduled"})
    assert not fresh.context["evaluation"].matched
    assert "minutes since opened &gt;= 15: saw 0" in fresh.content.decode()
    later = admin_client.get(
        url, {"run": "1", "caller": exec_person.pk, "event": "scheduled", "opened_minutes_ago": "20"}
    )
    assert [r.name for r in later.context["evaluation"].matched] == ["VIP unassigned 15 minutes"]
    assert not RuleFiring.objects.exists()
