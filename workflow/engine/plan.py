"""Planning: what the matched rules' actions do to the ticket, in order, one small handler per kind of action.

The plan is a list of steps over a working copy of the ticket's plannable fields. A later action on the same field
wins (the earlier step is marked overridden and names the winner); raising the priority never goes above P1; a new
impact or urgency re-rates the priority from the matrix unless a rule set it explicitly; a status change follows the
ticket's lifecycle or is kept as a skipped step saying why; notes and notifications are rendered last, from the
final values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.engine.explain import action_display, label
from workflow.engine.types import (
    APPLIED,
    OVERRIDDEN,
    SKIPPED,
    UNCHANGED,
    ActionDef,
    EngineConfig,
    Note,
    Notification,
    Plan,
    RuleDef,
    Step,
    TicketSnapshot,
)
from workflow.engine.vocabulary import ACTIONS, PLACEHOLDER_RE, PLAN_FIELDS


@dataclass
class _Row:
    """A step while the plan is being made; frozen into a `Step` at the end."""

    rule: RuleDef
    action: ActionDef
    field: str | None
    old: Any
    new: Any
    outcome: str = APPLIED
    note: str = ""
    overridden_by: RuleDef | None = None


@dataclass
class _Planning:
    """The working state of one plan: the field values so far, which rule set each, and the rows made."""

    snapshot: TicketSnapshot
    config: EngineConfig
    state: dict[str, Any]
    set_by: dict[str, int | None] = field(default_factory=dict)
    rows: list[_Row] = field(default_factory=list)
    last_for: dict[str, _Row] = field(default_factory=dict)
    priority_explicit: bool = False

    def add(self, row: _Row) -> None:
        if row.field is not None and row.outcome in (APPLIED, UNCHANGED):
            previous = self.last_for.get(row.field)
            if previous is not None:
                previous.outcome, previous.overridden_by = OVERRIDDEN, row.rule
            self.last_for[row.field] = row
        self.rows.append(row)

    def set(self, rule: RuleDef, action: ActionDef, name: str, value: Any, note: str = "") -> None:
        """Gives `name` a value; a value equal to the current one is planned as unchanged."""
        old = self.state[name]
        self.state[name] = value
        self.set_by[name] = rule.id
        self.add(_Row(rule, action, name, old, value, APPLIED if old != value else UNCHANGED, note))

    def level(self, value: Any) -> str:
        return label(self.config.level_labels, value)

    def status(self, value: Any) -> str:
        return label(self.config.status_labels, value)


Handler = Callable[[_Planning, RuleDef, ActionDef], None]


def _priority(p: _Planning, rule: RuleDef, action: ActionDef) -> None:
    old, note = p.state["priority"], ""
    if action.type == "set_priority":
        new = int(action.value)
    else:
        steps_up = int(action.value)
        new = max(1, old - steps_up)
        if old == 1:
            note = "already P1: priority never goes above 1"
        elif old - steps_up < 1:
            note = f"capped at P1 (raising P{old} by {steps_up})"
    p.priority_explicit = True
    p.set(rule, action, "priority", new, note)


def _level(p: _Planning, rule: RuleDef, action: ActionDef) -> None:
    p.set(rule, action, ACTIONS[action.type].field, action.value)
    if p.priority_explicit:
        return
    derived = p.config.matrix.get((p.state["impact"], p.state["urgency"]))
    if derived is not None and derived != p.state["priority"]:
        note = f"from the matrix: impact {p.level(p.state['impact'])} x urgency {p.level(p.state['urgency'])}"
        p.set(rule, action, "priority", derived, note)


def _status(p: _Planning, rule: RuleDef, action: ActionDef) -> None:
    old, new = p.state["status"], action.value
    lifecycle = p.config.lifecycle
    if new == old:
        p.add(_Row(rule, action, "status", old, old, UNCHANGED))
        return
    refusal = ""
    if lifecycle is not None:
        refusal = lifecycle.missing_owner(new, owned=p.state["team"] is not None or p.state["assignee"] is not None)
        allowed = lifecycle.allowed(old)
        if not refusal and new not in allowed:
            names = ", ".join(p.status(s) for s in allowed) or "none (final status)"
            refusal = f"{p.status(old)} cannot become {p.status(new)}; allowed: {names}"
    if refusal:
        p.add(_Row(rule, action, "status", old, new, SKIPPED, refusal))
    else:
        p.set(rule, action, "status", new)


def _field(p: _Planning, rule: RuleDef, action: ActionDef) -> None:
    name = ACTIONS[action.type].field
    p.set(rule, action, name, action.value)
    lifecycle = p.config.lifecycle
    if lifecycle is None or name not in ("team", "assignee") or action.value is None:
        return
    status = lifecycle.after_assignment(p.state["status"], owned=True)
    if status != p.state["status"]:
        p.set(rule, action, "status", status, "a New ticket given a team or analyst is Assigned")


def _text(p: _Planning, rule: RuleDef, action: ActionDef) -> None:
    p.add(_Row(rule, action, None, None, None))  # rendered once the final values are known


HANDLERS: Mapping[str, Handler] = {
    "set_priority": _priority,
    "raise_priority": _priority,
    "set_impact": _level,
    "set_urgency": _level,
    "set_status": _status,
}


def _handler(kind: str) -> Handler | None:
    spec = ACTIONS.get(kind)
    if spec is None:
        return None
    return HANDLERS.get(kind) or (_field if spec.field is not None else _text)


def plan(
    snapshot: TicketSnapshot, hits: list[RuleDef], config: EngineConfig
) -> tuple[Plan, dict[int, tuple[Step, ...]]]:
    """The plan of the matched rules `hits` (in order), and each rule's steps keyed by `id(rule)`."""
    state = {
        "impact": snapshot.impact,
        "urgency": snapshot.urgency,
        "priority": snapshot.priority,
        "service_level": snapshot.service_level_id,
        "team": snapshot.team_id,
        "assignee": snapshot.assignee_id,
        "status": snapshot.status,
    }
    original = dict(state)
    p = _Planning(snapshot=snapshot, config=config, state=state)
    for rule in hits:
        for action in rule.actions:
            handler = _handler(action.type)
            if handler is not None:
                handler(p, rule, action)
    notes, notifications = _render_texts(p)
    steps: list[Step] = []
    by_rule: dict[int, list[Step]] = {}
    for row in p.rows:
        step = _step(row, config)
        steps.append(step)
        by_rule.setdefault(id(row.rule), []).append(step)
    changes = {f: state[f] for f in PLAN_FIELDS if state[f] != original[f]}
    result = Plan(
        changes=changes,
        set_by={f: rid for f, rid in p.set_by.items() if f in changes},
        steps=tuple(steps),
        notes=tuple(notes),
        notifications=tuple(notifications),
    )
    return result, {k: tuple(v) for k, v in by_rule.items()}


def _step(row: _Row, config: EngineConfig) -> Step:
    note = f"overridden by {row.overridden_by.label}" if row.outcome == OVERRIDDEN else row.note
    return Step(
        rule_id=row.rule.id,
        rule_label=row.rule.label,
        action=row.action.type,
        field=row.field,
        old=row.old,
        new=row.new,
        display=row.action.display or action_display(row.action, config),
        outcome=row.outcome,
        note=note,
    )


def _render_texts(p: _Planning) -> tuple[list[Note], list[Notification]]:
    notes: list[Note] = []
    notifications: list[Notification] = []
    snapshot, state = p.snapshot, p.state
    for row in p.rows:
        if row.field is not None or row.action.type not in ACTIONS:
            continue
        rule, action = row.rule, row.action
        values = template_values(snapshot, state, rule)
        body = render_template(action.text, values)
        if action.type == "add_note":
            notes.append(Note(rule_id=rule.id, text=body))
            row.new, row.note = body, body
            continue
        subject = f"[{snapshot.number or 'new ticket'}] {rule.name}"
        if not body:
            body = (
                f"{rule.label} matched {snapshot.number or 'a ticket'} "
                f"for {values['caller']} ({values['vip_status']}), priority P{state['priority']}."
            )
        notifications.append(
            Notification(
                rule_id=rule.id,
                team_id=action.value if action.type == "notify_team" else None,
                email=action.value if action.type == "notify_email" else "",
                subject=subject,
                body=body,
            )
        )
        row.new, row.note = body, subject
    return notes, notifications


def template_values(snapshot: TicketSnapshot, state: Mapping[str, Any], rule: RuleDef) -> dict[str, str]:
    return {
        "number": snapshot.number or "(new ticket)",
        "title": snapshot.title,
        "caller": snapshot.caller_name or "unknown caller",
        "vip_status": snapshot.vip_status_name or "no VIP status",
        "priority": f"P{state['priority']}",
        "team": snapshot.names.get("team", "") if state["team"] == snapshot.team_id else str(state["team"] or ""),
        "status": str(state["status"]),
        "rule": rule.name,
    }


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Replaces {number}, {caller}, ... ; anything else in braces is left as written (validation refuses it)."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), template or "").strip()
