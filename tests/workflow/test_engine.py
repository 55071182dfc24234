"""The engine on hand-built snapshots: no database. One test per operator and its negation, ordering, stop processing,
no loops, all/any, priority arithmetic, status transitions, templates and traces. Validation and lint are in
test_engine_checks.py."""

from __future__ import annotations

import pytest

from tests.workflow.engine_snapshots import (
    CONFIG,
    CRITICAL,
    EXEC,
    STANDARD,
    act,
    crit,
    matches,
    rule,
    snap,
)
from workflow.engine import (
    CriterionDef,
    RuleSet,
    evaluate,
)
from workflow.engine.vocabulary import FIELDS, KIND_OPERATORS, NEGATIONS

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
