"""The workflow rules engine: pure functions over a frozen ticket snapshot and frozen rule definitions.

Nothing here touches the database. `workflow/services.py` loads the rules and builds the snapshot; this module decides
which rules match and what they would do (the plan), and explains why (the trace). The same inputs always give the
same result, which is what makes "simulate equals live" true by construction.

Semantics (issue 6):
- Rules run in position order. Criteria are checked against the snapshot as it was when the run started: actions of
  earlier rules never re-trigger or un-trigger later rules in the same run (no loops, one run per event).
- A later action on the same field wins, unless an earlier matching rule stopped processing (then later rules are not
  evaluated at all).
- Raising the priority never goes above 1. Setting impact or urgency recomputes the priority from the ITIL matrix,
  unless a rule in this run set the priority explicitly (set or raise).
- Changing the status is applied only when the ticket's status workflow allows the transition; otherwise the step is
  kept in the plan as skipped, with the allowed statuses.
- Scheduled rules fire once per ticket: a scheduled rule the snapshot lists as already fired is skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from typing import Any

from workflow.vocabulary import (
    ACTIONS,
    BOTH,
    EVENTS,
    FIELDS,
    MATCH_ALL,
    MATCH_ANY,
    NEGATIONS,
    NO_VALUE_OPERATORS,
    OPERATORS,
    PLACEHOLDER_RE,
    PLAN_FIELDS,
    SCHEDULED,
    SET_OPERATORS,
    TRIGGER_EVENTS,
    TRIGGERS,
)


# -- inputs ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TicketSnapshot:
    """A ticket as the engine sees it: plain values only, taken at one moment (`at`)."""

    ticket_id: int | None = None
    number: str = ""
    ticket_type: str = "incident"
    title: str = ""
    description: str = ""
    impact: str = "medium"
    urgency: str = "medium"
    priority: int = 3
    status: str = "new"
    source: str = "phone"
    caller_id: int | None = None
    caller_name: str = ""
    vip_status_id: int | None = None
    vip_status_name: str = ""
    vip_position: int | None = None
    vip_is_default: bool = True
    customer_group_ids: frozenset[int] = frozenset()
    service_instance_id: int | None = None
    technical_service_id: int | None = None
    service_level_id: int | None = None
    ci_type: str | None = None
    active_timeframes: frozenset[str] = frozenset()
    heightened_timeframes: frozenset[str] = frozenset()  # the active ones flagged "heightened support"
    team_id: int | None = None
    assignee_id: int | None = None
    # The service level clock: business minutes until each target is due (negative when over; None when met, paused
    # at its stop, or without a target), whether each breached, whether the ticket waits on the caller.
    response_due_in: float | None = None
    resolution_due_in: float | None = None
    response_breached: bool = False
    resolution_breached: bool = False
    paused: bool = False
    minutes_since_opened: float = 0.0
    minutes_since_update: float = 0.0
    at: dt.datetime | None = None
    fired_rule_ids: frozenset[int] = frozenset()  # scheduled rules that already fired on this ticket
    # Display names of the id-valued fields ("team" -> "VIP Desk"; "customer_group" -> "Finance, Executives").
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def caller_is_vip(self) -> bool:
        return self.vip_status_id is not None and not self.vip_is_default

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.description}"


@dataclass(frozen=True, slots=True)
class CriterionDef:
    """One criterion of a rule. `value` is an id, a string, an int, a frozenset (in / not in) or None.

    For `at_or_above` / `below` on the VIP status, `rank` is the position of the status named by `value`.
    """

    field: str
    operator: str
    value: Any = None
    display: str = ""
    rank: int | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class ActionDef:
    type: str
    value: Any = None
    text: str = ""
    display: str = ""
    id: int | None = None


@dataclass(frozen=True, slots=True)
class RuleDef:
    id: int | None
    name: str
    position: int
    trigger: str = BOTH
    match: str = MATCH_ALL
    stop_processing: bool = False
    criteria: tuple[CriterionDef, ...] = ()
    actions: tuple[ActionDef, ...] = ()
    active: bool = True
    version_id: int | None = None  # the rule's history row the definition was read from

    @property
    def label(self) -> str:
        return f"Rule {self.position} '{self.name}'"


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """What the ticket app defines and the engine needs: the ITIL matrix and the status transitions."""

    matrix: Mapping[tuple[str, str], int]
    transitions: Mapping[str, Sequence[str]] = field(default_factory=dict)
    status_labels: Mapping[str, str] = field(default_factory=dict)
    level_labels: Mapping[str, str] = field(default_factory=dict)


# -- outputs --------------------------------------------------------------------------------------------------------
APPLIED, OVERRIDDEN, SKIPPED, UNCHANGED = "applied", "overridden", "skipped", "unchanged"
# The two ticket statuses the engine needs to know by name (the lifecycle's other rules come in EngineConfig).
NEW, ASSIGNED = "new", "assigned"
NEEDS_ASSIGNEE = "Assign the ticket to an analyst or a team first; it then becomes Assigned."


@dataclass(frozen=True, slots=True)
class Step:
    """One action of a matched rule, as planned: the field it touches, the value before and after, and its fate."""

    rule_id: int | None
    rule_label: str
    action: str
    field: str | None
    old: Any
    new: Any
    display: str
    outcome: str = APPLIED
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "field": self.field,
            "old": jsonable(self.old),
            "new": jsonable(self.new),
            "display": self.display,
            "outcome": self.outcome,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Note:
    rule_id: int | None
    text: str


@dataclass(frozen=True, slots=True)
class Notification:
    rule_id: int | None
    team_id: int | None
    email: str
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class CriterionResult:
    field: str
    label: str
    operator: str
    operator_label: str
    expected: Any
    expected_display: str
    seen: Any
    seen_display: str
    matched: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "label": self.label,
            "operator": self.operator,
            "operator_label": self.operator_label,
            "expected": jsonable(self.expected),
            "expected_display": self.expected_display,
            "seen": jsonable(self.seen),
            "seen_display": self.seen_display,
            "matched": self.matched,
        }

    @property
    def sentence(self) -> str:
        return f"{self.label} = {self.seen_display}"


MATCHED, NOT_MATCHED, NOT_EVALUATED = "matched", "not matched", "not evaluated"


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule_id: int | None
    name: str
    position: int
    outcome: str
    reason: str
    criteria: tuple[CriterionResult, ...] = ()
    steps: tuple[Step, ...] = ()
    version_id: int | None = None

    @property
    def matched(self) -> bool:
        return self.outcome == MATCHED

    @property
    def label(self) -> str:
        return f"Rule {self.position} '{self.name}'"

    @property
    def failed(self) -> tuple[CriterionResult, ...]:
        return tuple(c for c in self.criteria if not c.matched)

    @property
    def because(self) -> str:
        """ "caller VIP status = Executive; impact = High" - the values that made the rule match."""
        shown = [c.sentence for c in self.criteria if c.matched] if self.matched else []
        return "; ".join(shown) or ("no criteria: matches every ticket" if self.matched else self.reason)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "name": self.name,
            "position": self.position,
            "outcome": self.outcome,
            "reason": self.reason,
            "because": self.because,
            "criteria": [c.to_dict() for c in self.criteria],
            "steps": [s.to_dict() for s in self.steps],
        }


@dataclass(frozen=True, slots=True)
class Plan:
    """What the matched rules would do, in order, and the ticket fields that end up different."""

    changes: Mapping[str, Any]
    set_by: Mapping[str, int | None]  # field -> id of the rule whose action gave the final value
    steps: tuple[Step, ...]
    notes: tuple[Note, ...]
    notifications: tuple[Notification, ...]

    @property
    def empty(self) -> bool:
        return not (self.changes or self.notes or self.notifications)


EMPTY_PLAN = Plan(changes={}, set_by={}, steps=(), notes=(), notifications=())


class Evaluation:
    """The result of one run: the plan at once; the matched rules' explanations and the full trace on demand.

    Explanations are built lazily (the engine is pure, so building them later gives the same answer): evaluating many
    snapshots for a replay or a benchmark pays only for deciding and planning.
    """

    def __init__(
        self,
        *,
        snapshot: TicketSnapshot,
        rules: RuleSet,
        event: str,
        config: EngineConfig,
        plan: Plan,
        hits: tuple[CompiledRule, ...],
        stopped_by: RuleDef | None,
        steps_by_rule: Mapping[int, tuple[Step, ...]],
    ):
        self.snapshot = snapshot
        self.rules = rules
        self.event = event
        self.config = config
        self.plan = plan
        self.hits = hits
        self.stopped_by = stopped_by
        self._steps_by_rule = steps_by_rule

    @property
    def matched_rules(self) -> tuple[RuleDef, ...]:
        return tuple(c.rule for c in self.hits)

    @cached_property
    def matched(self) -> tuple[RuleResult, ...]:
        """The rules that matched, in order, each with every criterion (value seen, expected) and its steps."""
        return tuple(
            _result(
                c.rule,
                MATCHED,
                "stopped processing further rules" if c.rule is self.stopped_by else "",
                _criteria_results(c, self.snapshot),
                self._steps_by_rule.get(id(c.rule), ()),
            )
            for c in self.hits
        )

    @cached_property
    def trace(self) -> tuple[RuleResult, ...]:
        """Every rule in order: matched (with its steps), not matched (with the failing criteria) or not evaluated."""
        by_rule = {id(c.rule): result for c, result in zip(self.hits, self.matched, strict=True)}
        results = []
        stopped: RuleDef | None = None
        for compiled in self.rules.compiled:
            rule = compiled.rule
            skip = _skip_reason(rule, self.event, self.snapshot, stopped)
            if skip:
                results.append(_result(rule, NOT_EVALUATED, skip, ()))
                continue
            found = by_rule.get(id(rule))
            if found is not None:
                results.append(found)
                if rule.stop_processing:
                    stopped = rule
                continue
            criteria = _criteria_results(compiled, self.snapshot)
            results.append(_result(rule, NOT_MATCHED, _failure_reason(rule, criteria), criteria))
        return tuple(results)


# -- compiling rules ------------------------------------------------------------------------------------------------
Predicate = Callable[[TicketSnapshot], bool]


def _predicate(c: CriterionDef) -> Predicate:
    spec = FIELDS[c.field]
    attr, op, v = spec.attr, c.operator, c.value
    if op in SET_OPERATORS:
        v = frozenset(v or ())

    get = attrgetter(attr)

    if spec.kind == "text":
        needle = str(v or "").casefold()
        if op == "contains":
            return lambda s: needle in get(s).casefold()
        return lambda s: needle not in get(s).casefold()
    if spec.kind == "member":
        if op == "includes":
            return lambda s: v in get(s)
        return lambda s: v not in get(s)
    if spec.kind == "timeframe":
        name = str(v or "").strip().casefold()
        return {
            "any_active": lambda s: bool(s.active_timeframes),
            "none_active": lambda s: not s.active_timeframes,
            "named_active": lambda s: name in {n.casefold() for n in s.active_timeframes},
            "named_not_active": lambda s: name not in {n.casefold() for n in s.active_timeframes},
            "heightened_active": lambda s: bool(s.heightened_timeframes),
            "no_heightened_active": lambda s: not s.heightened_timeframes,
        }[op]
    if op == "at_or_above":
        rank = c.rank
        return lambda s: s.vip_position is not None and rank is not None and s.vip_position <= rank
    if op == "below":
        rank = c.rank
        return lambda s: not (s.vip_position is not None and rank is not None and s.vip_position <= rank)
    simple: dict[str, Predicate] = {
        "is": lambda s: get(s) == v,
        "is_not": lambda s: get(s) != v,
        "in": lambda s: get(s) in v,
        "not_in": lambda s: get(s) not in v,
        "true": lambda s: bool(get(s)),
        "false": lambda s: not get(s),
        "empty": lambda s: get(s) is None,
        "not_empty": lambda s: get(s) is not None,
        "eq": lambda s: get(s) == v,
        "ne": lambda s: get(s) != v,
        # A number that is not there (no running target) matches no comparison.
        "lt": lambda s: (x := get(s)) is not None and x < v,
        "lte": lambda s: (x := get(s)) is not None and x <= v,
        "gt": lambda s: (x := get(s)) is not None and x > v,
        "gte": lambda s: (x := get(s)) is not None and x >= v,
    }
    return simple[op]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: RuleDef
    predicates: tuple[Predicate, ...]
    events: frozenset[str]
    match_all: bool


class RuleSet:
    """Rules compiled once into predicates, sorted by position: load once, evaluate many snapshots."""

    def __init__(self, rules: Iterable[RuleDef]):
        ordered = sorted(rules, key=lambda r: (r.position, r.id or 0))
        self.compiled = tuple(
            CompiledRule(
                rule=r,
                predicates=tuple(_predicate(c) for c in r.criteria),
                events=TRIGGER_EVENTS.get(r.trigger, frozenset()),
                match_all=r.match != MATCH_ANY,
            )
            for r in ordered
        )
        # Per event, the active rules that run on it, in order: the evaluation loop skips nothing.
        self.by_event: dict[str, tuple[CompiledRule, ...]] = {
            event: tuple(c for c in self.compiled if c.rule.active and event in c.events) for event in EVENTS
        }

    @property
    def rules(self) -> tuple[RuleDef, ...]:
        return tuple(c.rule for c in self.compiled)

    def __len__(self) -> int:
        return len(self.compiled)


def compile_rules(rules: Iterable[RuleDef] | RuleSet) -> RuleSet:
    return rules if isinstance(rules, RuleSet) else RuleSet(rules)


# -- evaluation -----------------------------------------------------------------------------------------------------
def evaluate(
    snapshot: TicketSnapshot,
    rules: Iterable[RuleDef] | RuleSet,
    *,
    event: str,
    config: EngineConfig,
) -> Evaluation:
    """Runs the rules over one snapshot for one event ("create", "update" or "scheduled")."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}; expected one of {', '.join(EVENTS)}.")
    ruleset = compile_rules(rules)
    hits: list[CompiledRule] = []
    stopped_by: RuleDef | None = None
    scheduled = event == SCHEDULED
    fired = snapshot.fired_rule_ids
    for compiled in ruleset.by_event.get(event, ()):
        if scheduled and compiled.rule.id in fired:
            continue
        preds = compiled.predicates
        if compiled.match_all:
            ok = True
            for p in preds:
                if not p(snapshot):
                    ok = False
                    break
        else:
            ok = not preds
            for p in preds:
                if p(snapshot):
                    ok = True
                    break
        if ok:
            hits.append(compiled)
            if compiled.rule.stop_processing:
                stopped_by = compiled.rule
                break
    if hits:
        plan, steps_by_rule = _plan(snapshot, [c.rule for c in hits], config)
    else:
        plan, steps_by_rule = EMPTY_PLAN, {}
    return Evaluation(
        snapshot=snapshot,
        rules=ruleset,
        event=event,
        config=config,
        plan=plan,
        hits=tuple(hits),
        stopped_by=stopped_by,
        steps_by_rule=steps_by_rule,
    )


def _skip_reason(rule: RuleDef, event: str, snapshot: TicketSnapshot, stopped: RuleDef | None) -> str:
    if not rule.active:
        return "inactive"
    if event not in TRIGGER_EVENTS.get(rule.trigger, frozenset()):
        return f"trigger '{TRIGGERS.get(rule.trigger, rule.trigger)}' does not run on {event}"
    if stopped is not None:
        return f"{stopped.label} matched and stopped processing"
    if event == SCHEDULED and rule.id in snapshot.fired_rule_ids:
        return "already fired on this ticket (scheduled rules fire once per ticket)"
    return ""


def _failure_reason(rule: RuleDef, criteria: tuple[CriterionResult, ...]) -> str:
    failed = [c for c in criteria if not c.matched]
    if rule.match == MATCH_ANY:
        return "no criterion matched"
    return "; ".join(
        f"{c.label} {c.operator_label} {c.expected_display}".strip() + f": saw {c.seen_display}" for c in failed
    )


def _result(
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


def _criteria_results(compiled: CompiledRule, snapshot: TicketSnapshot) -> tuple[CriterionResult, ...]:
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


# -- planning -------------------------------------------------------------------------------------------------------
def _plan(
    snapshot: TicketSnapshot, hits: list[RuleDef], config: EngineConfig
) -> tuple[Plan, dict[int, tuple[Step, ...]]]:
    state: dict[str, Any] = {
        "impact": snapshot.impact,
        "urgency": snapshot.urgency,
        "priority": snapshot.priority,
        "service_level": snapshot.service_level_id,
        "team": snapshot.team_id,
        "assignee": snapshot.assignee_id,
        "status": snapshot.status,
    }
    original = dict(state)
    set_by: dict[str, int | None] = {}
    priority_explicit = False
    # Steps are built as mutable rows [rule, action, field, old, new, outcome, note] and frozen at the end.
    rows: list[list[Any]] = []
    last_for: dict[str, int] = {}  # field -> index of the step that last set it
    texts: list[int] = []  # indexes of notes and notifications, rendered once the final state is known

    def add(rule: RuleDef, action: ActionDef, fld: str | None, old: Any, new: Any, outcome=APPLIED, note="") -> None:
        if fld is not None and outcome in (APPLIED, UNCHANGED):
            previous = last_for.get(fld)
            if previous is not None:
                rows[previous][5] = OVERRIDDEN
                rows[previous][6] = rule  # the note names this rule once the plan is frozen
            last_for[fld] = len(rows)
        rows.append([rule, action, fld, old, new, outcome, note])

    for rule in hits:
        for action in rule.actions:
            spec = ACTIONS.get(action.type)
            if spec is None:
                continue
            kind = action.type
            if kind == "set_priority" or kind == "raise_priority":
                old = state["priority"]
                note = ""
                if kind == "set_priority":
                    new = int(action.value)
                else:
                    steps_up = int(action.value)
                    new = max(1, old - steps_up)
                    if old == 1:
                        note = "already P1: priority never goes above 1"
                    elif old - steps_up < 1:
                        note = f"capped at P1 (raising P{old} by {steps_up})"
                state["priority"] = new
                priority_explicit = True
                set_by["priority"] = rule.id
                add(rule, action, "priority", old, new, APPLIED if new != old else UNCHANGED, note)
            elif kind == "set_impact" or kind == "set_urgency":
                fld = spec.field
                old = state[fld]
                state[fld] = action.value
                set_by[fld] = rule.id
                add(rule, action, fld, old, action.value, APPLIED if old != action.value else UNCHANGED)
                if not priority_explicit:
                    derived = config.matrix.get((state["impact"], state["urgency"]))
                    if derived is not None and derived != state["priority"]:
                        old_p = state["priority"]
                        state["priority"] = derived
                        set_by["priority"] = rule.id
                        add(
                            rule,
                            action,
                            "priority",
                            old_p,
                            derived,
                            note=f"from the matrix: impact {_label(config.level_labels, state['impact'])} x "
                            f"urgency {_label(config.level_labels, state['urgency'])}",
                        )
            elif kind == "set_status":
                old = state["status"]
                allowed = tuple(config.transitions.get(old, ())) if config.transitions else None
                if action.value == old:
                    add(rule, action, "status", old, old, UNCHANGED)
                elif action.value == ASSIGNED and state["team"] is None and state["assignee"] is None:
                    # The ticket's lifecycle: Assigned means someone has it (the ticket service refuses otherwise).
                    add(rule, action, "status", old, action.value, SKIPPED, NEEDS_ASSIGNEE)
                elif allowed is not None and action.value not in allowed:
                    names = ", ".join(_label(config.status_labels, s) for s in allowed) or "none (final status)"
                    add(
                        rule,
                        action,
                        "status",
                        old,
                        action.value,
                        SKIPPED,
                        f"{_label(config.status_labels, old)} cannot become "
                        f"{_label(config.status_labels, action.value)}; allowed: {names}",
                    )
                else:
                    state["status"] = action.value
                    set_by["status"] = rule.id
                    add(rule, action, "status", old, action.value)
            elif spec.field is not None:
                fld = spec.field
                old = state[fld]
                state[fld] = action.value
                set_by[fld] = rule.id
                add(rule, action, fld, old, action.value, APPLIED if old != action.value else UNCHANGED)
                if fld in ("team", "assignee") and action.value is not None and state["status"] == NEW:
                    # As the ticket service does: a New ticket given a team or an analyst becomes Assigned.
                    state["status"] = ASSIGNED
                    set_by["status"] = rule.id
                    add(rule, action, "status", NEW, ASSIGNED, note="a New ticket given a team or analyst is Assigned")
            else:
                texts.append(len(rows))
                add(rule, action, None, None, None)

    notes: list[Note] = []
    notifications: list[Notification] = []
    for index in texts:
        row = rows[index]
        rule, action = row[0], row[1]
        values = _template_values(snapshot, state, rule)
        body = render_template(action.text, values)
        if action.type == "add_note":
            notes.append(Note(rule_id=rule.id, text=body))
            row[4], row[6] = body, body
        else:
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
            row[4], row[6] = body, subject

    steps: list[Step] = []
    by_rule: dict[int, list[Step]] = {}
    for rule, action, fld, old, new, outcome, note in rows:
        if outcome == OVERRIDDEN:
            note = f"overridden by {note.label}"
        step = Step(
            rule_id=rule.id,
            rule_label=rule.label,
            action=action.type,
            field=fld,
            old=old,
            new=new,
            display=action.display or _action_display(action, config),
            outcome=outcome,
            note=note,
        )
        steps.append(step)
        by_rule.setdefault(id(rule), []).append(step)
    changes = {f: state[f] for f in PLAN_FIELDS if state[f] != original[f]}
    plan = Plan(
        changes=changes,
        set_by={f: rid for f, rid in set_by.items() if f in changes},
        steps=tuple(steps),
        notes=tuple(notes),
        notifications=tuple(notifications),
    )
    return plan, {k: tuple(v) for k, v in by_rule.items()}


def _label(labels: Mapping[str, str], value: Any) -> str:
    return labels.get(value, str(value)) if value is not None else "empty"


def _action_display(action: ActionDef, config: EngineConfig) -> str:
    spec = ACTIONS[action.type]
    if action.type == "set_priority":
        return f"{spec.label} P{action.value}"
    if action.type == "raise_priority":
        return f"{spec.label} {action.value}"
    if action.type in ("set_impact", "set_urgency"):
        return f"{spec.label} {_label(config.level_labels, action.value)}"
    if action.type == "set_status":
        return f"{spec.label} to {_label(config.status_labels, action.value)}"
    if spec.value == "none":
        return spec.label
    return f"{spec.label} {action.value}"


def _template_values(snapshot: TicketSnapshot, state: Mapping[str, Any], rule: RuleDef) -> dict[str, str]:
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


# -- helpers for callers --------------------------------------------------------------------------------------------
def jsonable(value: Any) -> Any:
    """Plain JSON for stored traces: sets become sorted lists, datetimes ISO strings."""
    if isinstance(value, frozenset | set):
        return sorted((jsonable(v) for v in value), key=lambda v: (str(type(v)), v))
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 2)
    return value


def why(evaluation_or_results: Iterable[RuleResult], field_name: str) -> RuleResult | None:
    """The matched rule whose applied step gave `field_name` its final value in a run, if any."""
    winner = None
    for result in evaluation_or_results:
        for step in result.steps:
            if step.field == field_name and step.outcome == APPLIED:
                winner = result
    return winner


# Validation and lint live in their own modules to keep this one readable; they are part of the engine's API.
from workflow.lint import LintContext, LintWarning, lint  # noqa: E402
from workflow.validation import Known, validate_action, validate_criterion, validate_rule  # noqa: E402

__all__ = [
    "ACTIONS",
    "FIELDS",
    "NEGATIONS",
    "OPERATORS",
    "ActionDef",
    "CriterionDef",
    "EngineConfig",
    "Evaluation",
    "Known",
    "LintContext",
    "LintWarning",
    "Plan",
    "RuleDef",
    "RuleResult",
    "RuleSet",
    "TicketSnapshot",
    "compile_rules",
    "evaluate",
    "lint",
    "validate_action",
    "validate_criterion",
    "validate_rule",
    "why",
]
