"""The engine's validation (values that do not fit a field, an operator or an action) and its lint (contradictions,
shadowed rules, rules that can never fire), on plain values: no database."""

from __future__ import annotations

import pytest

from tests.workflow.engine_snapshots import (
    CRITICAL,
    EXEC,
    HIGH_IMPACT,
    POSITIONS,
    STANDARD,
    TRANSITIONS,
    act,
    crit,
    rule,
)
from workflow.engine import (
    Known,
    LintContext,
    lint,
    validate_action,
    validate_criterion,
    validate_rule,
)

# -- validation ---------------------------------------------------------------------------------------------------
KNOWN = Known(
    vip_status_ids=frozenset(POSITIONS),
    team_ids=frozenset({7, 8}),
    service_instance_ids=frozenset({200}),
    technical_service_ids=frozenset({300}),
    group_ids=frozenset({100, 101}),
    service_level_ids=frozenset({400}),
    user_ids=frozenset({3}),
    ticket_types={"incident": "Incident", "request": "Service request"},
    levels={"high": "High", "medium": "Medium", "low": "Low"},
    statuses={s: s.title() for s in TRANSITIONS},
    sources=frozenset({"phone", "email"}),
    ci_types=frozenset({"server"}),
    transitions=TRANSITIONS,
    status_needing_input={"resolved": "Resolving needs a resolution note: a rule cannot resolve a ticket."},
)


def test_validation_accepts_good_values():
    assert validate_criterion("vip_status", "in", [EXEC, CRITICAL], KNOWN) == {}
    assert validate_criterion("priority", "lte", 2, KNOWN) == {}
    assert validate_criterion("team", "empty", None, KNOWN) == {}
    assert validate_action("assign_team", 7, "", KNOWN) == {}
    assert validate_action("add_note", None, "Call {caller} about {number}", KNOWN) == {}


@pytest.mark.parametrize(
    ("args", "key", "message"),
    [
        (("status", "is", "sleeping"), "value", "Unknown status 'sleeping'"),
        (("priority", "eq", 7), "value", "Priority 7 does not exist"),
        (("team", "is", 99), "value", "Team 99 does not exist."),
        (("vip_status", "in", []), "value", "at least one"),
        (("vip_status", "in", [EXEC, 999]), "value", "VIP status 999 does not exist."),
        (("vip_status", "gte", EXEC), "operator", "does not apply to caller VIP status"),
        (("colour", "is", "red"), "field", "Unknown field 'colour'"),
        (("title", "contains", "  "), "value", "Enter the text"),
        (("priority", "eq", "2"), "value", "whole number"),
        (("priority", "eq", True), "value", "whole number"),
    ],
)
def test_validation_refuses_values_that_do_not_fit(args, key, message):
    errors = validate_criterion(*args, KNOWN)
    assert message in " ".join(errors[key])


def test_minutes_criteria_only_on_scheduled_rules():
    errors = validate_criterion("minutes_since_opened", "gte", 15, KNOWN, trigger="on_create")
    assert "Only scheduled rules" in errors["field"][0]
    assert validate_criterion("minutes_since_opened", "gte", 15, KNOWN, trigger="scheduled") == {}


@pytest.mark.parametrize(
    ("action", "value", "text", "key", "message"),
    [
        ("set_priority", 7, "", "value", "Priority 7 does not exist"),
        ("raise_priority", 0, "", "value", "Raise by 1 to 4"),
        ("set_impact", "huge", "", "value", "Unknown level 'huge'"),
        ("assign_team", 99, "", "value", "Team 99 does not exist."),
        ("assign_analyst", 42, "", "value", "Analyst 42 does not exist."),
        ("set_status", "sleeping", "", "value", "Unknown status 'sleeping'"),
        ("set_status", "resolved", "", "value", "resolution note"),
        ("set_status", "new", "", "value", "only a starting status"),
        ("set_service_level", 1, "", "value", "Service level 1 does not exist."),
        ("notify_email", "not-an-address", "", "value", "Enter an email address"),
        ("add_note", None, "", "text", "Write the note"),
        ("add_note", None, "Hi {boss}", "text", "Unknown placeholder {boss}"),
        ("explode", None, "", "type", "Unknown action 'explode'"),
    ],
)
def test_action_validation(action, value, text, key, message):
    errors = validate_action(action, value, text, KNOWN)
    assert message in " ".join(errors[key])


def test_validate_rule_shapes_errors_like_the_input():
    errors = validate_rule(
        trigger="on_create",
        match="all",
        criteria=[{"field": "priority", "operator": "eq", "value": 2}, {"field": "status", "operator": "is"}],
        actions=[{"type": "set_priority", "value": 7}],
        known=KNOWN,
    )
    assert errors["criteria"][0] == {}
    assert "value" in errors["criteria"][1]
    assert "Priority 7" in errors["actions"][0]["value"][0]
    assert "trigger" in validate_rule(trigger="sometimes", match="all", criteria=[], actions=[], known=KNOWN)


# -- lint ---------------------------------------------------------------------------------------------------------
LINT = LintContext(
    vip_positions=POSITIONS,
    default_vip_status_id=STANDARD,
    retired_instance_ids=frozenset({201}),
    retired_service_ids=frozenset({301}),
    inactive_team_ids=frozenset({8}),
    choices={"status": frozenset(TRANSITIONS)},
    transitions=TRANSITIONS,
    names={("team", 8): "Old Desk", ("service_instance", 201): "Mail - Retired dept"},
)
ACTS = [act("set_priority", 1)]


def codes(rules, ctx=LINT):
    return [(w.rule_id, w.code) for w in lint(rules, ctx)]


@pytest.mark.parametrize(
    "criteria",
    [
        [crit("priority", "gte", 3), crit("priority", "lte", 2)],
        [crit("status", "is", "new"), crit("status", "is_not", "new")],
        [crit("status", "is", "new"), crit("status", "is", "assigned")],
        [crit("vip_status", "in", frozenset({EXEC})), crit("vip_status", "not_in", frozenset({EXEC}))],
        [crit("vip_status", "at_or_above", CRITICAL, rank=2), crit("vip_status", "is", HIGH_IMPACT)],
        [crit("caller_is_vip", "false"), crit("vip_status", "is", EXEC)],
        [crit("title", "contains", "disk full"), crit("title", "not_contains", "disk")],
        [crit("team", "empty"), crit("team", "is", 7)],
        [crit("customer_group", "includes", 100), crit("customer_group", "excludes", 100)],
        [crit("timeframe", "none_active"), crit("timeframe", "named_active", "Exams")],
        [crit("minutes_since_opened", "gte", 30), crit("minutes_since_opened", "lt", 10)],
        [crit("priority", "lt", 1)],
    ],
)
def test_lint_finds_contradictions(criteria):
    assert (1, "contradiction") in codes([rule(1, *criteria, actions=ACTS)])


@pytest.mark.parametrize(
    "criteria",
    [
        [crit("priority", "gte", 2), crit("priority", "lte", 2)],
        [crit("vip_status", "at_or_above", CRITICAL, rank=2), crit("vip_status", "is", EXEC)],
        [crit("title", "contains", "disk"), crit("title", "not_contains", "printer")],
        [crit("customer_group", "includes", 100), crit("customer_group", "includes", 101)],
        [crit("minutes_since_opened", "gte", 10), crit("minutes_since_opened", "lt", 30)],
    ],
)
def test_lint_accepts_criteria_that_can_hold_together(criteria):
    assert (1, "contradiction") not in codes([rule(1, *criteria, actions=ACTS)])


def test_lint_match_any_is_not_a_contradiction():
    any_rule = rule(1, crit("status", "is", "new"), crit("status", "is", "assigned"), match="any", actions=ACTS)
    assert codes([any_rule]) == []


def test_lint_retired_instance_inactive_team_and_empty_rules():
    rules = [
        rule(1, crit("service_instance", "is", 201), actions=ACTS),
        rule(2, crit("team", "is", 8), actions=ACTS),
        rule(3, actions=[act("assign_team", 8)]),
        rule(4, crit("technical_service", "in", frozenset({301})), actions=ACTS),
        rule(5, crit("priority", "eq", 1)),
    ]
    found = codes(rules)
    assert (1, "retired_instance") in found
    assert (2, "inactive_team") in found
    assert (3, "inactive_team") in found
    assert (4, "retired_service") in found
    assert (5, "no_actions") in found
    message = next(w.message for w in lint(rules, LINT) if w.rule_id == 1)
    assert "Mail - Retired dept" in message


def test_lint_scheduled_rule_without_time_criterion():
    assert (1, "no_time_criterion") in codes([rule(1, crit("priority", "eq", 1), actions=ACTS, trigger="scheduled")])


def test_lint_status_change_never_allowed():
    closed = rule(1, crit("status", "is", "closed"), actions=[act("set_status", "in_progress")])
    assert (1, "status_never_applies") in codes([closed])


def test_lint_shadowed_by_earlier_stop_processing_rule():
    broad = rule(1, crit("vip_status", "at_or_above", CRITICAL, rank=2), actions=ACTS, stop_processing=True)
    narrow = rule(2, crit("vip_status", "is", EXEC), crit("impact", "is", "high"), actions=ACTS)
    other = rule(3, crit("vip_status", "is", HIGH_IMPACT), actions=ACTS)
    warnings = lint([broad, narrow, other], LINT)
    shadowed = [w for w in warnings if w.code == "shadowed"]
    assert [(w.rule_id, w.other_rule_id) for w in shadowed] == [(2, 1)]
    assert "Rule 1 'rule 1'" in shadowed[0].message


def test_lint_shadowing_needs_stop_processing_and_covering_triggers():
    broad = rule(1, actions=ACTS, stop_processing=False)
    assert "shadowed" not in [c for _r, c in codes([broad, rule(2, actions=ACTS)])]
    create_only = rule(1, actions=ACTS, stop_processing=True, trigger="on_create")
    both = rule(2, actions=ACTS, trigger="both")
    assert "shadowed" not in [c for _r, c in codes([create_only, both])]
    assert (2, "shadowed") in codes([rule(1, actions=ACTS, stop_processing=True), both])
    inactive = rule(1, actions=ACTS, stop_processing=True, active=False)
    assert "shadowed" not in [c for _r, c in codes([inactive, both])]


def test_lint_shadowing_of_match_any_rules():
    stopper = rule(1, crit("priority", "lte", 2), actions=ACTS, stop_processing=True)
    covered = rule(2, crit("priority", "eq", 1), crit("priority", "eq", 2), match="any", actions=ACTS)
    escapes = rule(3, crit("priority", "eq", 1), crit("impact", "is", "high"), match="any", actions=ACTS)
    found = codes([stopper, covered, escapes])
    assert (2, "shadowed") in found
    assert (3, "shadowed") not in found


def test_lint_caller_is_vip_covers_every_non_default_status():
    stopper = rule(1, crit("caller_is_vip", "true"), actions=ACTS, stop_processing=True)
    execs = rule(2, crit("vip_status", "is", EXEC), actions=ACTS)
    assert (2, "shadowed") in codes([stopper, execs])
