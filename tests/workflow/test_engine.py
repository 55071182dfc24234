"""The engine on hand-built snapshots: no database. One test per operator and its negation, ordering, stop processing,
no loops, all/any, priority arithmetic, status transitions, templates, traces, validation and lint."""

from __future__ import annotations

import datetime as dt

import pytest

from tickets.choices import Lifecycle
from workflow.engine import (
    ActionDef,
    CriterionDef,
    EngineConfig,
    Known,
    LintContext,
    RuleDef,
    RuleSet,
    TicketSnapshot,
    evaluate,
    lint,
    validate_action,
    validate_criterion,
    validate_rule,
)
from workflow.engine.vocabulary import FIELDS, KIND_OPERATORS, NEGATIONS

LEVELS = ("high", "medium", "low")
MATRIX = {
    ("high", "high"): 1,
    ("high", "medium"): 2,
    ("high", "low"): 3,
    ("medium", "high"): 2,
    ("medium", "medium"): 3,
    ("medium", "low"): 4,
    ("low", "high"): 3,
    ("low", "medium"): 4,
    ("low", "low"): 5,
}
TRANSITIONS = {
    "new": ("assigned", "in_progress", "resolved", "cancelled"),
    "assigned": ("in_progress", "pending", "resolved", "cancelled"),
    "in_progress": ("pending", "resolved", "cancelled"),
    "pending": ("in_progress", "resolved", "cancelled"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
    "cancelled": (),
}
LIFECYCLE = Lifecycle(
    transitions=TRANSITIONS,
    new="new",
    assigned="assigned",
    needs_owner="Assign the ticket to an analyst or a team first; it then becomes Assigned.",
)
CONFIG = EngineConfig(
    matrix=MATRIX,
    lifecycle=LIFECYCLE,
    status_labels={"new": "New", "assigned": "Assigned", "closed": "Closed", "in_progress": "In progress"},
    level_labels={"high": "High", "medium": "Medium", "low": "Low"},
)
EXEC, CRITICAL, HIGH_IMPACT, STANDARD = 11, 12, 13, 14  # VIP status ids, positions 1..4
POSITIONS = {EXEC: 1, CRITICAL: 2, HIGH_IMPACT: 3, STANDARD: 4}
NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def snap(**fields) -> TicketSnapshot:
    base = {
        "ticket_id": 1,
        "number": "INC000001",
        "title": "Printer jammed",
        "description": "Paper stuck in tray 2",
        "caller_id": 5,
        "caller_name": "Ada Lovelace",
        "vip_status_id": EXEC,
        "vip_status_name": "Executive",
        "vip_position": 1,
        "vip_is_default": False,
        "customer_group_ids": frozenset({100, 101}),
        "service_instance_id": 200,
        "technical_service_id": 300,
        "service_level_id": 400,
        "ci_type": "server",
        "active_timeframes": frozenset({"Registration week"}),
        "heightened_timeframes": frozenset({"Registration week"}),
        "team_id": None,
        "assignee_id": None,
        "minutes_since_opened": 20.0,
        "minutes_since_update": 5.0,
        "at": NOW,
    }
    base.update(fields)
    return TicketSnapshot(**base)


def crit(field, operator, value=None, **kw) -> CriterionDef:
    return CriterionDef(field=field, operator=operator, value=value, **kw)


def rule(rid, *criteria, actions=(), position=None, **kw) -> RuleDef:
    return RuleDef(
        id=rid,
        name=kw.pop("name", f"rule {rid}"),
        position=position if position is not None else rid,
        criteria=tuple(criteria),
        actions=tuple(actions),
        **kw,
    )


def act(action_type, value=None, text="") -> ActionDef:
    return ActionDef(type=action_type, value=value, text=text)


def matches(criterion: CriterionDef, snapshot: TicketSnapshot, event="create") -> bool:
    result = evaluate(snapshot, [rule(1, criterion, actions=[act("set_priority", 1)])], event=event, config=CONFIG)
    return bool(result.matched)


# -- one test per operator and its negation ----------------------------------------------------------------------
# (criterion, snapshot fields under which it holds, snapshot fields under which it does not)
OPERATOR_CASES = [
    (crit("vip_status", "is", EXEC), {}, {"vip_status_id": CRITICAL}),
    (crit("vip_status", "in", frozenset({EXEC, CRITICAL})), {"vip_status_id": CRITICAL}, {"vip_status_id": STANDARD}),
    (crit("vip_status", "at_or_above", CRITICAL, rank=2), {"vip_position": 2}, {"vip_position": 3}),
    (crit("caller_is_vip", "true"), {}, {"vip_status_id": STANDARD, "vip_is_default": True}),
    (crit("ticket_type", "is", "incident"), {}, {"ticket_type": "request"}),
    (crit("ticket_type", "in", frozenset({"problem", "change"})), {"ticket_type": "change"}, {}),
    (crit("impact", "is", "high"), {"impact": "high"}, {"impact": "low"}),
    (crit("urgency", "in", frozenset({"high", "medium"})), {"urgency": "medium"}, {"urgency": "low"}),
    (crit("priority", "eq", 2), {"priority": 2}, {"priority": 3}),
    (crit("priority", "lte", 2), {"priority": 2}, {"priority": 3}),
    (crit("priority", "lt", 2), {"priority": 1}, {"priority": 2}),
    (crit("status", "is", "new"), {}, {"status": "assigned"}),
    (crit("status", "in", frozenset({"new", "assigned"})), {"status": "assigned"}, {"status": "pending"}),
    (crit("source", "is", "email"), {"source": "email"}, {}),
    (crit("service_instance", "is", 200), {}, {"service_instance_id": 201}),
    (crit("service_instance", "empty"), {"service_instance_id": None}, {}),
    (crit("technical_service", "is", 300), {}, {"technical_service_id": None}),
    (crit("customer_group", "includes", 101), {}, {"customer_group_ids": frozenset({100})}),
    (crit("service_level", "is", 400), {}, {"service_level_id": 401}),
    (crit("ci_type", "is", "server"), {}, {"ci_type": None}),
    (crit("ci_type", "in", frozenset({"server", "database"})), {"ci_type": "database"}, {"ci_type": "network"}),
    (crit("timeframe", "any_active"), {}, {"active_timeframes": frozenset()}),
    (crit("timeframe", "named_active", "registration WEEK"), {}, {"active_timeframes": frozenset({"Exams"})}),
    (crit("timeframe", "heightened_active"), {}, {"heightened_timeframes": frozenset()}),
    (crit("title", "contains", "PRINTER"), {}, {"title": "Laptop"}),
    (crit("description", "contains", "tray"), {}, {"description": ""}),
    (crit("text", "contains", "tray 2"), {}, {"description": "", "title": "x"}),
    (crit("team", "empty"), {}, {"team_id": 7}),
    (crit("team", "is", 7), {"team_id": 7}, {"team_id": 8}),
    (crit("assignee", "empty"), {}, {"assignee_id": 3}),
    (crit("minutes_since_opened", "gte", 15), {}, {"minutes_since_opened": 14.9}),
    (crit("minutes_since_opened", "gt", 20), {"minutes_since_opened": 20.5}, {}),
    (crit("minutes_since_update", "lte", 5), {}, {"minutes_since_update": 6.0}),
]


def _negated(c: CriterionDef) -> CriterionDef:
    return CriterionDef(field=c.field, operator=NEGATIONS[c.operator], value=c.value, rank=c.rank)


@pytest.mark.parametrize(("criterion", "holds", "fails"), OPERATOR_CASES, ids=lambda v: getattr(v, "operator", ""))
def test_operator(criterion, holds, fails):
    assert matches(criterion, snap(**holds))
    assert not matches(criterion, snap(**fails))


@pytest.mark.parametrize(("criterion", "holds", "fails"), OPERATOR_CASES, ids=lambda v: getattr(v, "operator", ""))
def test_operator_negation(criterion, holds, fails):
    negated = _negated(criterion)
    assert not matches(negated, snap(**holds))
    assert matches(negated, snap(**fails))


def test_every_operator_of_every_field_is_covered():
    covered = {(c.field, c.operator) for c, _h, _f in OPERATOR_CASES}
    covered |= {(f, NEGATIONS[o]) for f, o in covered}
    kinds_covered = {(FIELDS[f].kind, o) for f, o in covered}
    for kind, operators in KIND_OPERATORS.items():
        for operator in operators:
            assert (kind, operator) in kinds_covered, f"{kind} {operator} has no test"


def test_vip_at_or_above_uses_vip_order_not_ids():
    above_critical = crit("vip_status", "at_or_above", CRITICAL, rank=2)
    assert matches(above_critical, snap(vip_status_id=EXEC, vip_position=1))
    assert matches(above_critical, snap(vip_status_id=CRITICAL, vip_position=2))
    assert not matches(above_critical, snap(vip_status_id=STANDARD, vip_position=4))
    assert not matches(above_critical, snap(vip_status_id=None, vip_position=None))


def test_caller_is_vip_is_false_for_the_default_status_and_for_no_status():
    assert not matches(crit("caller_is_vip", "true"), snap(vip_status_id=STANDARD, vip_is_default=True))
    assert not matches(crit("caller_is_vip", "true"), snap(vip_status_id=None))


# -- all / any, order, stop processing, no loops -----------------------------------------------------------------
def test_match_all_needs_every_criterion_and_any_needs_one():
    criteria = [crit("impact", "is", "high"), crit("vip_status", "is", EXEC)]
    all_rule = rule(1, *criteria, actions=[act("set_priority", 1)])
    any_rule = rule(1, *criteria, actions=[act("set_priority", 1)], match="any")
    ticket = snap(impact="low")
    assert not evaluate(ticket, [all_rule], event="create", config=CONFIG).matched
    assert evaluate(ticket, [any_rule], event="create", config=CONFIG).matched
    assert not evaluate(snap(impact="low", vip_status_id=STANDARD), [any_rule], event="create", config=CONFIG).matched


def test_rule_without_criteria_matches_every_ticket():
    result = evaluate(snap(), [rule(1, actions=[act("assign_team", 9)])], event="create", config=CONFIG)
    assert result.plan.changes == {"team": 9, "status": "assigned"}  # a New ticket with a team is Assigned
    assert "every ticket" in result.matched[0].because


def test_rules_run_in_position_order_and_the_later_action_wins():
    first = rule(1, actions=[act("assign_team", 7)], position=2, name="second by position")
    second = rule(2, actions=[act("assign_team", 8)], position=1, name="first by position")
    result = evaluate(snap(), [first, second], event="create", config=CONFIG)
    assert [r.rule_id for r in result.matched] == [2, 1]
    assert result.plan.changes["team"] == 7
    assert result.plan.set_by["team"] == 1
    overridden = [s for s in result.plan.steps if s.outcome == "overridden"]
    assert len(overridden) == 1 and overridden[0].rule_id == 2
    assert "overridden by Rule 2 'second by position'" in overridden[0].note


def test_stop_processing_keeps_later_rules_from_running():
    stopper = rule(1, crit("vip_status", "is", EXEC), actions=[act("assign_team", 7)], stop_processing=True)
    later = rule(2, actions=[act("assign_team", 8), act("set_priority", 5)])
    result = evaluate(snap(), [stopper, later], event="create", config=CONFIG)
    assert result.plan.changes == {"team": 7, "status": "assigned"}
    assert [r.rule_id for r in result.matched] == [1]
    assert result.trace[1].outcome == "not evaluated"
    assert "stopped processing" in result.trace[1].reason


def test_stop_processing_only_when_the_rule_matched():
    stopper = rule(1, crit("vip_status", "is", CRITICAL), actions=[act("assign_team", 7)], stop_processing=True)
    later = rule(2, actions=[act("assign_team", 8)])
    result = evaluate(snap(), [stopper, later], event="create", config=CONFIG)
    assert result.plan.changes == {"team": 8, "status": "assigned"}


def test_actions_never_retrigger_rules_in_the_same_run():
    # Rule 1 sets priority 1; rule 2 would match P1 tickets, but criteria see the ticket as it was (P3).
    raise_it = rule(1, actions=[act("set_priority", 1)])
    on_p1 = rule(2, crit("priority", "eq", 1), actions=[act("assign_team", 9)])
    # Rule 3 empties the team that rule 4 requires: rule 4 still sees the team the run started with.
    result = evaluate(snap(priority=3), [raise_it, on_p1], event="create", config=CONFIG)
    assert result.plan.changes == {"priority": 1}
    assert [r.rule_id for r in result.matched] == [1]


def test_triggers_select_rules_by_event():
    on_create = rule(1, actions=[act("assign_team", 1)], trigger="on_create")
    on_update = rule(2, actions=[act("set_priority", 2)], trigger="on_update")
    scheduled = rule(3, actions=[act("set_urgency", "high")], trigger="scheduled")
    rules = [on_create, on_update, scheduled]
    assert [r.rule_id for r in evaluate(snap(), rules, event="create", config=CONFIG).matched] == [1]
    assert [r.rule_id for r in evaluate(snap(), rules, event="update", config=CONFIG).matched] == [2]
    assert [r.rule_id for r in evaluate(snap(), rules, event="scheduled", config=CONFIG).matched] == [3]


def test_inactive_rules_do_not_run_and_show_as_inactive():
    result = evaluate(snap(), [rule(1, actions=[act("set_priority", 1)], active=False)], event="create", config=CONFIG)
    assert not result.matched
    assert result.trace[0].reason == "inactive"


def test_scheduled_rule_fires_once_per_ticket():
    escalate = rule(1, crit("minutes_since_opened", "gte", 15), actions=[act("raise_priority", 1)], trigger="scheduled")
    assert evaluate(snap(), [escalate], event="scheduled", config=CONFIG).matched
    again = evaluate(snap(fired_rule_ids=frozenset({1})), [escalate], event="scheduled", config=CONFIG)
    assert not again.matched
    assert "already fired" in again.trace[0].reason


def test_unknown_event_is_refused():
    with pytest.raises(ValueError, match="Unknown event"):
        evaluate(snap(), [], event="deleted", config=CONFIG)


# -- priority, impact, urgency ------------------------------------------------------------------------------------
def test_raise_priority_never_goes_above_1():
    result = evaluate(snap(priority=2), [rule(1, actions=[act("raise_priority", 3)])], event="create", config=CONFIG)
    assert result.plan.changes["priority"] == 1
    assert "capped at P1" in result.plan.steps[0].note
    at_top = evaluate(snap(priority=1), [rule(1, actions=[act("raise_priority", 1)])], event="create", config=CONFIG)
    assert at_top.plan.changes == {}
    assert at_top.plan.steps[0].outcome == "unchanged"


def test_raise_priority_builds_on_earlier_actions():
    rules = [rule(1, actions=[act("set_priority", 4)]), rule(2, actions=[act("raise_priority", 1)])]
    result = evaluate(snap(priority=5), rules, event="create", config=CONFIG)
    assert result.plan.changes["priority"] == 3
    assert result.plan.set_by["priority"] == 2


def test_set_impact_recomputes_priority_from_the_matrix():
    result = evaluate(
        snap(impact="medium", urgency="medium", priority=3),
        [rule(1, actions=[act("set_impact", "high")])],
        event="create",
        config=CONFIG,
    )
    assert result.plan.changes == {"impact": "high", "priority": 2}
    assert "from the matrix" in result.plan.steps[-1].note


def test_set_impact_keeps_a_priority_that_a_rule_set():
    rules = [rule(1, actions=[act("set_priority", 5)]), rule(2, actions=[act("set_urgency", "high")])]
    result = evaluate(snap(impact="high", urgency="low", priority=3), rules, event="create", config=CONFIG)
    assert result.plan.changes == {"urgency": "high", "priority": 5}


def test_raise_after_impact_starts_from_the_matrix_value():
    rules = [rule(1, actions=[act("set_impact", "high"), act("raise_priority", 1)])]
    result = evaluate(snap(impact="low", urgency="medium", priority=4), rules, event="create", config=CONFIG)
    assert result.plan.changes == {"impact": "high", "priority": 1}


# -- status, notes, notifications ---------------------------------------------------------------------------------
def test_status_change_follows_allowed_transitions():
    to_assigned = [rule(1, actions=[act("set_status", "assigned")])]
    ok = evaluate(snap(status="new", team_id=3), to_assigned, event="create", config=CONFIG)
    assert ok.plan.changes == {"status": "assigned"}
    nobody = evaluate(snap(status="new"), to_assigned, event="create", config=CONFIG)
    assert nobody.plan.changes == {}
    assert nobody.plan.steps[0].outcome == "skipped" and "Assign the ticket" in nobody.plan.steps[0].note
    refused = evaluate(
        snap(status="closed"), [rule(1, actions=[act("set_status", "in_progress")])], event="update", config=CONFIG
    )
    assert refused.plan.changes == {}
    step = refused.plan.steps[0]
    assert step.outcome == "skipped"
    assert "Closed cannot become In progress" in step.note


def test_note_and_notification_templates_are_filled_in():
    rules = [
        rule(
            1,
            actions=[
                act("set_priority", 1),
                act("add_note", text="VIP call {number} from {caller} ({vip_status}), now {priority}"),
                act("notify_email", "vip@example.org"),
                act("notify_team", 7, text="Look at {number}"),
            ],
            name="VIP",
        )
    ]
    plan = evaluate(snap(), rules, event="create", config=CONFIG).plan
    assert plan.notes[0].text == "VIP call INC000001 from Ada Lovelace (Executive), now P1"
    email, team = plan.notifications
    assert email.email == "vip@example.org" and "INC000001" in email.subject and "Ada Lovelace" in email.body
    assert team.team_id == 7 and team.body == "Look at INC000001"
    assert plan.changes == {"priority": 1}


# -- trace -------------------------------------------------------------------------------------------------------
def test_trace_explains_every_rule():
    rules = [
        rule(1, crit("vip_status", "is", EXEC, display="Executive"), actions=[act("set_priority", 2)], name="Execs"),
        rule(2, crit("impact", "is", "high", display="High"), actions=[act("set_priority", 1)], name="High impact"),
    ]
    result = evaluate(snap(names={"vip_status": "Executive"}), rules, event="create", config=CONFIG)
    first, second = result.trace
    assert first.outcome == "matched"
    assert first.because == "caller VIP status = Executive"
    assert first.criteria[0].to_dict()["seen"] == EXEC
    assert second.outcome == "not matched"
    failed = second.failed[0]
    assert (failed.field, failed.expected, failed.seen, failed.matched) == ("impact", "high", "medium", False)
    assert "saw medium" in second.reason
    assert result.plan.set_by["priority"] == 1


def test_trace_of_match_any_lists_every_criterion_even_after_the_first_match():
    any_rule = rule(1, crit("impact", "is", "medium"), crit("urgency", "is", "high"), match="any", actions=[])
    result = evaluate(snap(), [any_rule], event="create", config=CONFIG)
    assert [c.matched for c in result.matched[0].criteria] == [True, False]


def test_same_input_same_result_and_ruleset_can_be_reused():
    rules = RuleSet(
        [rule(i, crit("priority", "gte", i % 5 + 1), actions=[act("raise_priority", 1)]) for i in range(20)]
    )
    first = evaluate(snap(priority=5), rules, event="create", config=CONFIG)
    second = evaluate(snap(priority=5), rules, event="create", config=CONFIG)
    assert first.plan == second.plan
    assert first.plan.changes["priority"] == 1


def test_snapshot_is_frozen():
    with pytest.raises(AttributeError):
        snap().priority = 1  # type: ignore[misc]


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
