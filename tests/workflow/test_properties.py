"""Property: simulating a hypothetical ticket gives what logging it really does.

For random small rule sets and random tickets (caller, type, impact, urgency, title, team), the rules that simulate
says match are the rules that leave a firing when the ticket is logged, and the priority, team and status simulate
predicts are the ones the logged ticket has. Each example runs in its own transaction, rolled back at the end.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.tickets import factories as ticket_factories
from tests.workflow.factories import rule
from tickets import services as ticket_services
from workflow import dry_runs, snapshots
from workflow.models import RuleFiring

pytestmark = pytest.mark.django_db

LEVELS = ["high", "medium", "low"]
TYPES = ["incident", "request"]
WORDS = ["printer", "vpn", "laptop", "payroll"]


@pytest.fixture
def world(default_status, executive, critical):
    group = ticket_factories.customer_group("Finance")
    people = {
        "executive": factories.person(1, vip_status=executive),
        "critical": factories.person(2, vip_status=critical),
        "standard": factories.person(3),
    }
    ticket_factories.member(people["executive"], group)
    teams = [factories.team(1, name="VIP Desk"), factories.team(2, name="Service Desk")]
    return {"people": people, "teams": teams, "executive": executive, "critical": critical, "group": group}


def criteria_pool(world) -> list:
    return [
        ("vip_status", "is", world["executive"].pk),
        ("vip_status", "is_not", world["critical"].pk),
        ("vip_status", "at_or_above", world["critical"].pk),
        ("vip_status", "in", [world["executive"].pk, world["critical"].pk]),
        ("caller_is_vip", "true"),
        ("caller_is_vip", "false"),
        ("customer_group", "includes", world["group"].pk),
        *[("impact", "is", level) for level in LEVELS],
        ("urgency", "in", ["high", "medium"]),
        ("priority", "lte", 2),
        ("priority", "gte", 4),
        ("ticket_type", "is", "request"),
        ("title", "contains", "printer"),
        ("team", "empty"),
        ("team", "not_empty"),
    ]


def actions_pool(world) -> list:
    # Hypothesis favours the first entries: each of priority, team and status early on.
    first, second = world["teams"]
    return [
        ("assign_team", first.pk),
        ("set_priority", 1),
        ("set_status", "in_progress"),
        ("raise_priority", 1),
        ("set_status", "assigned"),
        ("assign_team", second.pk),
        ("set_impact", "high"),
        ("set_status", "pending"),
        ("set_priority", 4),
        ("set_urgency", "low"),
        ("raise_priority", 3),
        ("add_note", None, "VIP {caller} on {number}"),
    ]


@st.composite
def scenarios(draw, world):
    crit, acts = criteria_pool(world), actions_pool(world)
    rules = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "criteria": st.lists(st.sampled_from(crit), max_size=3),
                    "actions": st.lists(st.sampled_from(acts), min_size=1, max_size=3),
                    "match": st.sampled_from(["all", "any"]),
                    "stop_processing": st.booleans(),
                    "active": st.booleans(),
                    "trigger": st.sampled_from(["on_create", "both", "on_update"]),
                }
            ),
            min_size=1,
            max_size=5,
        )
    )
    ticket = draw(
        st.fixed_dictionaries(
            {
                "caller": st.sampled_from(sorted(world["people"])),
                "ticket_type": st.sampled_from(TYPES),
                "impact": st.sampled_from(LEVELS),
                "urgency": st.sampled_from(LEVELS),
                "title": st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
                "team": st.sampled_from([None, 0, 1]),
            }
        )
    )
    return rules, ticket


def test_simulate_agrees_with_logging_the_ticket(world):
    seen: Counter = Counter()

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(scenarios(world))
    def check(scenario):
        rules, data = scenario
        with transaction.atomic():
            made = [rule(f"R{i}", **spec) for i, spec in enumerate(rules)]
            caller = world["people"][data["caller"]]
            team = world["teams"][data["team"]] if data["team"] is not None else None
            fields = {k: data[k] for k in ("ticket_type", "impact", "urgency", "title")}
            simulated = dry_runs.simulate(hypothetical=snapshots.Hypothetical(caller=caller, team=team, **fields))
            expected_rules = [r.id for r in simulated.matched_rules]
            snapshot = simulated.snapshot
            changes = simulated.plan.changes
            expected = (
                changes.get("priority", snapshot.priority),
                changes.get("team", snapshot.team_id),
                changes.get("status", snapshot.status),
            )

            seen["examples"] += 1
            seen["with a match"] += bool(expected_rules)
            seen.update(f"{name} changed" for name in changes if name in ("priority", "team", "status"))

            ticket = ticket_factories.ticket(caller=caller, team=team, **fields)
            ticket.refresh_from_db()
            fired = list(RuleFiring.objects.filter(ticket=ticket).order_by("rule_position").values_list("rule_id"))
            assert [r for (r,) in fired] == expected_rules, [m.name for m in made]
            assert (ticket.priority, ticket.team_id, ticket.status) == expected
            transaction.set_rollback(True)

    check()
    # Not vacuous: many examples matched rules and changed each of the fields compared.
    assert seen["with a match"] >= seen["examples"] // 4, seen
    assert all(seen[f"{name} changed"] >= 3 for name in ("priority", "team", "status")), seen


@st.composite
def edits(draw, world):
    rules, _ = draw(scenarios(world))
    edit = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "impact": st.sampled_from(LEVELS),
                "urgency": st.sampled_from(LEVELS),
                "team": st.sampled_from([None, 0, 1]),
            },
        )
    )
    return rules, edit, draw(st.sampled_from(sorted(world["people"])))


def test_simulating_an_edit_agrees_with_making_it(world):
    """Simulate on an existing ticket with fields changed ("what if its impact were high?") gives what the edit
    really does when an analyst makes it."""
    seen: Counter = Counter()

    @settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(edits(world))
    def check(scenario):
        rules, edit, who = scenario
        with transaction.atomic():
            ticket = ticket_factories.ticket(caller=world["people"][who], title="Printer jams")  # before any rule
            for i, spec in enumerate(rules):
                rule(f"R{i}", **spec)
            changes = {"title": "Printer jams again"}  # a real edit, so that the update rules run
            for name, value in edit.items():
                changes[name] = world["teams"][value] if name == "team" and value is not None else value
            simulated = dry_runs.simulate(ticket=ticket, changes=changes, event="update")
            expected_rules = [r.id for r in simulated.matched_rules]
            snap, planned = simulated.snapshot, simulated.plan.changes
            expected = (
                planned.get("priority", snap.priority),
                planned.get("team", snap.team_id),
                planned.get("status", snap.status),
            )
            seen["examples"] += 1
            seen["with a match"] += bool(expected_rules)

            ticket_services.ticket_update(ticket, user=None, change_reason="analyst edit", **changes)
            ticket.refresh_from_db()
            fired = RuleFiring.objects.filter(ticket=ticket, event="update").order_by("rule_position")
            assert [f.rule_id for f in fired] == expected_rules
            assert (ticket.priority, ticket.team_id, ticket.status) == expected
            transaction.set_rollback(True)

    check()
    assert seen["with a match"] >= seen["examples"] // 4, seen
