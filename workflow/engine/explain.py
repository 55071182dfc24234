"""Explaining a run: why a rule matched, failed or was not evaluated, and how values read to a person."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow.engine.compile import CompiledRule, Predicate
from workflow.engine.types import (
    ActionDef,
    CriterionDef,
    CriterionResult,
    EngineConfig,
    RuleDef,
    RuleResult,
    Step,
    TicketSnapshot,
)
from workflow.engine.vocabulary import (
    ACTIONS,
    FIELDS,
    MATCH_ANY,
    NO_VALUE_OPERATORS,
    OPERATORS,
    SCHEDULED,
    TRIGGER_EVENTS,
    TRIGGERS,
)


def skip_reason(rule: RuleDef, event: str, snapshot: TicketSnapshot, stopped: RuleDef | None) -> str:
    if not rule.active:
        return "inactive"
    if event not in TRIGGER_EVENTS.get(rule.trigger, frozenset()):
        return f"trigger '{TRIGGERS.get(rule.trigger, rule.trigger)}' does not run on {event}"
    if stopped is not None:
        return f"{stopped.label} matched and stopped processing"
    if event == SCHEDULED and rule.id in snapshot.fired_rule_ids:
        return "already fired on this ticket (scheduled rules fire once per ticket)"
    return ""


def failure_reason(rule: RuleDef, criteria: tuple[CriterionResult, ...]) -> str:
    failed = [c for c in criteria if not c.matched]
    if rule.match == MATCH_ANY:
        return "no criterion matched"
    return "; ".join(
        f"{c.label} {c.operator_label} {c.expected_display}".strip() + f": saw {c.seen_display}" for c in failed
    )


def rule_result(
    rule: RuleDef,
    outcome: str,
    reason: str,
    criteria: tuple[CriterionResult, ...],
    steps: tuple[Step, ...] = (),
) -> RuleResult:
    return RuleResult(
        rule_id=rule.id,
        name=rule.name,
        position=rule.position,
        outcome=outcome,
        reason=reason,
        criteria=criteria,
        steps=steps,
        version_id=rule.version_id,
    )


def seen_value(field_key: str, snapshot: TicketSnapshot) -> Any:
    spec = FIELDS[field_key]
    if spec.kind == "vip":
        return snapshot.vip_status_id
    if spec.kind == "timeframe":
        return snapshot.active_timeframes
    return getattr(snapshot, spec.attr)


def seen_display(field_key: str, snapshot: TicketSnapshot) -> str:
    spec = FIELDS[field_key]
    value = seen_value(field_key, snapshot)
    if field_key in snapshot.names:
        return snapshot.names[field_key]
    if spec.kind == "vip":
        return snapshot.vip_status_name or ("none" if value is None else str(value))
    if spec.kind == "timeframe":
        active = sorted(snapshot.active_timeframes)
        return ", ".join(active) if active else "none active"
    if spec.kind == "member":
        return ", ".join(str(v) for v in sorted(value)) if value else "none"
    if spec.kind == "flag":
        return "yes" if value else "no"
    if spec.kind == "text":
        text = str(value).replace("\n", " ").strip()
        return f'"{text[:60]}…"' if len(text) > 60 else f'"{text}"'
    if spec.kind == "number" and isinstance(value, float):
        return f"{value:.0f}"
    if value is None or value == "":
        return "empty"
    return str(value)


def expected_display(c: CriterionDef) -> str:
    if c.display:
        return c.display
    if c.operator in NO_VALUE_OPERATORS:
        return ""
    if isinstance(c.value, frozenset | set | tuple | list):
        return ", ".join(str(v) for v in sorted(c.value, key=str))
    return "" if c.value is None else str(c.value)


def criteria_results(compiled: CompiledRule, snapshot: TicketSnapshot) -> tuple[CriterionResult, ...]:
    return tuple(
        _criterion_result(c, snapshot, p) for c, p in zip(compiled.rule.criteria, compiled.predicates, strict=True)
    )


def _criterion_result(c: CriterionDef, snapshot: TicketSnapshot, predicate: Predicate) -> CriterionResult:
    spec = FIELDS[c.field]
    return CriterionResult(
        field=c.field,
        label=spec.label,
        operator=c.operator,
        operator_label=OPERATORS[c.operator],
        expected=c.value,
        expected_display=expected_display(c),
        seen=seen_value(c.field, snapshot),
        seen_display=seen_display(c.field, snapshot),
        matched=predicate(snapshot),
    )


def label(labels: Mapping[str, str], value: Any) -> str:
    return labels.get(value, str(value)) if value is not None else "empty"


def action_display(action: ActionDef, config: EngineConfig) -> str:
    spec = ACTIONS[action.type]
    if action.type == "set_priority":
        return f"{spec.label} P{action.value}"
    if action.type == "raise_priority":
        return f"{spec.label} {action.value}"
    if action.type in ("set_impact", "set_urgency"):
        return f"{spec.label} {label(config.level_labels, action.value)}"
    if action.type == "set_status":
        return f"{spec.label} to {label(config.status_labels, action.value)}"
    if spec.value == "none":
        return spec.label
    return f"{spec.label} {action.value}"
