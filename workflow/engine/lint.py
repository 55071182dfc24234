"""Warnings about rules that can never fire or never get the chance to. Pure: what exists comes as plain sets.

- contradictory criteria (priority >= 3 and <= 2; status is New and is not New; "contains x" and "does not contain x"),
- criteria on a retired service instance or technical service, an inactive team or analyst,
- actions assigning or notifying an inactive team or analyst,
- a rule that an earlier, active, stop-processing rule always shadows (whenever this one matches, the earlier one
  matched first and stopped),
- a rule without actions, a scheduled rule without a time criterion.

Reasoning works per field on the set of values a criterion allows: a finite set ("one of"), everything except a set
("none of"), a numeric range, required/forbidden members (groups, timeframes) or required/forbidden text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.engine.explain import expected_display
from workflow.engine.types import CriterionDef, RuleDef
from workflow.engine.vocabulary import (
    FIELDS,
    MATCH_ANY,
    OPERATORS,
    PRIORITIES,
    SCHEDULED,
    SET_OPERATORS,
    TRIGGER_EVENTS,
)


@dataclass(frozen=True)
class LintContext:
    vip_positions: Mapping[int, int] = field(default_factory=dict)  # VIP status id -> position
    default_vip_status_id: int | None = None
    retired_instance_ids: frozenset[int] = frozenset()
    retired_service_ids: frozenset[int] = frozenset()
    inactive_team_ids: frozenset[int] = frozenset()
    inactive_user_ids: frozenset[int] = frozenset()
    choices: Mapping[str, frozenset[str]] = field(default_factory=dict)  # field -> all values (type, status, ...)
    transitions: Mapping[str, Iterable[str]] | None = None
    names: Mapping[tuple[str, int], str] = field(default_factory=dict)  # ("team", 3) -> "VIP Desk"


@dataclass(frozen=True)
class LintWarning:
    rule_id: int | None
    rule_label: str
    code: str
    message: str
    other_rule_id: int | None = None

    # Criteria that change with time alone: a scheduled rule needs one, or it fires on every match at the next run.


TIME_FIELDS = frozenset(
    {
        "minutes_since_opened",
        "minutes_since_update",
        "response_due_in",
        "resolution_due_in",
        "response_breached",
        "resolution_breached",
    }
)


def to_dict(self) -> dict[str, Any]:
    return {
        "rule_id": self.rule_id,
        "rule": self.rule_label,
        "code": self.code,
        "message": self.message,
        "other_rule_id": self.other_rule_id,
    }


# -- value sets -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Discrete:
    """`include` True: one of `values`; False: anything except `values`."""

    include: bool
    values: frozenset

    def meet(self, other: Discrete) -> Discrete:
        if self.include and other.include:
            return Discrete(True, self.values & other.values)
        if self.include:
            return Discrete(True, self.values - other.values)
        if other.include:
            return Discrete(True, other.values - self.values)
        return Discrete(False, self.values | other.values)

    def empty(self) -> bool:
        return self.include and not self.values

    def within(self, other: Discrete) -> bool:
        if self.include and other.include:
            return self.values <= other.values
        if self.include:
            return not (self.values & other.values)
        if other.include:
            return False
        return other.values <= self.values


@dataclass(frozen=True)
class Range:
    lo: float = -math.inf
    lo_in: bool = True
    hi: float = math.inf
    hi_in: bool = True

    def meet(self, other: Range) -> Range:
        lo, lo_in = max((self.lo, self.lo_in), (other.lo, other.lo_in), key=lambda b: (b[0], not b[1]))
        hi, hi_in = min((self.hi, self.hi_in), (other.hi, other.hi_in), key=lambda b: (b[0], b[1]))
        return Range(lo, lo_in, hi, hi_in)

    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_in and self.hi_in))

    def within(self, other: Range) -> bool:
        if self.empty():
            return True
        lo_ok = self.lo > other.lo or (self.lo == other.lo and (other.lo_in or not self.lo_in))
        hi_ok = self.hi < other.hi or (self.hi == other.hi and (other.hi_in or not self.hi_in))
        return lo_ok and hi_ok


ANY_TOKEN, HEIGHTENED_TOKEN = "*any", "*heightened"


@dataclass(frozen=True)
class Members:
    """Set-valued fields (the caller's groups, active timeframes): members that must and must not be present."""

    required: frozenset = frozenset()
    forbidden: frozenset = frozenset()

    def meet(self, other: Members) -> Members:
        return Members(self.required | other.required, self.forbidden | other.forbidden)

    def empty(self) -> bool:
        return bool(self.required & self.forbidden) or (ANY_TOKEN in self.forbidden and bool(self.required))

    def within(self, other: Members) -> bool:
        if ANY_TOKEN in self.forbidden and not other.required:
            return True  # "none active" implies every "not active" criterion
        return other.required <= self.required and other.forbidden <= self.forbidden


@dataclass(frozen=True)
class Text:
    must: frozenset = frozenset()
    must_not: frozenset = frozenset()

    def meet(self, other: Text) -> Text:
        return Text(self.must | other.must, self.must_not | other.must_not)

    def empty(self) -> bool:
        return any(n in m for n in self.must_not for m in self.must) or "" in self.must_not

    def within(self, other: Text) -> bool:
        musts = all(any(o in m for m in self.must) for o in other.must)
        nots = all(any(m in o for m in self.must_not) for o in other.must_not)
        return musts and nots


ValueSet = Discrete | Range | Members | Text


def _domain(key: str, ctx: LintContext) -> frozenset | None:
    if key == "priority":
        return frozenset(PRIORITIES)
    if key == "caller_is_vip":
        return frozenset({True, False})
    if key == "vip_status":
        return frozenset(ctx.vip_positions) or None
    return ctx.choices.get(key)


def allowed(c: CriterionDef, ctx: LintContext) -> tuple[str, ValueSet] | None:
    """The field (after folding "caller is a VIP" into the VIP status) and the values the criterion lets through."""
    spec = FIELDS.get(c.field)
    if spec is None:
        return None
    op, v, key = c.operator, c.value, c.field
    if spec.kind == "text":
        needle = str(v or "").casefold()
        return key, (Text(must=frozenset({needle})) if op == "contains" else Text(must_not=frozenset({needle})))
    if spec.kind == "member":
        return key, (Members(required=frozenset({v})) if op == "includes" else Members(forbidden=frozenset({v})))
    if spec.kind == "timeframe":
        name = str(v or "").strip().casefold()
        return key, {
            "any_active": Members(required=frozenset({ANY_TOKEN})),
            "none_active": Members(forbidden=frozenset({ANY_TOKEN})),
            "named_active": Members(required=frozenset({ANY_TOKEN, name})),
            "named_not_active": Members(forbidden=frozenset({name})),
            "heightened_active": Members(required=frozenset({ANY_TOKEN, HEIGHTENED_TOKEN})),
            "no_heightened_active": Members(forbidden=frozenset({HEIGHTENED_TOKEN})),
        }[op]
    if spec.kind == "number" and key != "priority":
        return key, {
            "eq": Range(v, True, v, True),
            "lt": Range(hi=v, hi_in=False),
            "lte": Range(hi=v),
            "gt": Range(lo=v, lo_in=False),
            "gte": Range(lo=v),
            "ne": None,
        }[op] or None
    if key == "caller_is_vip":
        if ctx.default_vip_status_id is not None:
            default = frozenset({ctx.default_vip_status_id})
            return "vip_status", _fold(Discrete(op == "false", default), "vip_status", ctx)
        return key, Discrete(True, frozenset({op == "true"}))
    if op in ("at_or_above", "below"):
        if not ctx.vip_positions or c.rank is None:
            return None
        above = frozenset(i for i, p in ctx.vip_positions.items() if p <= c.rank)
        return key, _fold(Discrete(True, above) if op == "at_or_above" else Discrete(False, above), key, ctx)
    if key == "priority":
        values = {
            "eq": {v},
            "ne": set(PRIORITIES) - {v},
            "lt": {p for p in PRIORITIES if p < v},
            "lte": {p for p in PRIORITIES if p <= v},
            "gt": {p for p in PRIORITIES if p > v},
            "gte": {p for p in PRIORITIES if p >= v},
        }[op]
        return key, Discrete(True, frozenset(values))
    if op in ("is", "is_not"):
        return key, _fold(Discrete(op == "is", frozenset({v})), key, ctx)
    if op in SET_OPERATORS:
        return key, _fold(Discrete(op == "in", frozenset(v or ())), key, ctx)
    if op in ("empty", "not_empty"):
        return key, Discrete(op == "empty", frozenset({None}))
    return None


def _fold(values: Discrete, key: str, ctx: LintContext) -> Discrete:
    """Turns "anything except" into "one of" when the field's values are all known (VIP statuses, priorities)."""
    domain = _domain(key, ctx)
    if domain is None or values.include:
        return values
    return Discrete(True, domain - values.values)


@dataclass
class Condition:
    """What a rule requires per field (match all), or None for criteria lint cannot reason about."""

    per_field: dict[str, ValueSet]
    opaque: list[CriterionDef]
    sources: dict[str, list[CriterionDef]]


def _condition(criteria: Iterable[CriterionDef], ctx: LintContext) -> Condition:
    per_field: dict[str, ValueSet] = {}
    opaque: list[CriterionDef] = []
    sources: dict[str, list[CriterionDef]] = {}
    for c in criteria:
        found = allowed(c, ctx)
        if found is None:
            opaque.append(c)
            continue
        key, values = found
        sources.setdefault(key, []).append(c)
        current = per_field.get(key)
        per_field[key] = values if current is None else current.meet(values)  # type: ignore[arg-type]
    return Condition(per_field=per_field, opaque=opaque, sources=sources)


def _implies(cond: Condition, c: CriterionDef, ctx: LintContext) -> bool:
    """Whether every ticket meeting `cond` meets criterion `c`."""
    if any(_same(c, other) for other in cond.opaque):
        return True
    found = allowed(c, ctx)
    if found is None:
        return False
    key, values = found
    have = cond.per_field.get(key)
    return have is not None and type(have) is type(values) and have.within(values)  # type: ignore[arg-type]


def _same(a: CriterionDef, b: CriterionDef) -> bool:
    return (a.field, a.operator, a.value, a.rank) == (b.field, b.operator, b.value, b.rank)


def _rule_implies(conditions: list[Condition], earlier: RuleDef, ctx: LintContext) -> bool:
    """Whether the earlier rule matches every ticket that meets one of `conditions` (the later rule's cases)."""
    if not earlier.criteria:
        return True
    for cond in conditions:
        hits = [_implies(cond, c, ctx) for c in earlier.criteria]
        if not (any(hits) if earlier.match == MATCH_ANY else all(hits)):
            return False
    return True


def _cases(rule: RuleDef, ctx: LintContext) -> list[Condition] | None:
    """The later rule's ways of matching: one condition (all), or one per criterion (any)."""
    if rule.match == MATCH_ANY and rule.criteria:
        return [_condition([c], ctx) for c in rule.criteria]
    return [_condition(rule.criteria, ctx)]


def _describe(c: CriterionDef) -> str:
    spec = FIELDS[c.field]
    return f"{spec.label} {OPERATORS[c.operator]} {expected_display(c)}".strip()


def _name(ctx: LintContext, kind: str, value: Any) -> str:
    return ctx.names.get((kind, value), str(value))


# -- checks ---------------------------------------------------------------------------------------------------------
def _rule_warnings(rule: RuleDef, ctx: LintContext) -> list[LintWarning]:
    out: list[LintWarning] = []

    def warn(code: str, message: str) -> None:
        out.append(LintWarning(rule_id=rule.id, rule_label=rule.label, code=code, message=message))

    match_all = rule.match != MATCH_ANY or len(rule.criteria) <= 1
    if match_all:
        cond = _condition(rule.criteria, ctx)
        for key, values in cond.per_field.items():
            if values.empty():
                described = " and ".join(_describe(c) for c in cond.sources[key])
                if len(cond.sources[key]) > 1:
                    warn("contradiction", f"can never fire: its criteria contradict each other ({described}).")
                else:
                    warn("contradiction", f"can never fire: no ticket can have {described}.")
    for c in rule.criteria:
        ids = set(c.value) if isinstance(c.value, frozenset | set | list | tuple) else {c.value}
        requires = c.operator in ("is", "in") and match_all
        if c.field == "service_instance" and requires and ids and ids <= ctx.retired_instance_ids:
            names = ", ".join(_name(ctx, "service_instance", i) for i in ids)
            warn("retired_instance", f"can never fire: service instance {names} is retired.")
        if c.field == "technical_service" and requires and ids and ids <= ctx.retired_service_ids:
            names = ", ".join(_name(ctx, "technical_service", i) for i in ids)
            warn("retired_service", f"can never fire: technical service {names} is retired.")
        if c.field == "team" and requires and ids and ids <= ctx.inactive_team_ids:
            names = ", ".join(_name(ctx, "team", i) for i in ids)
            warn("inactive_team", f"can never fire: team {names} is inactive, so no ticket is assigned to it.")
        if c.field == "assignee" and requires and ids and ids <= ctx.inactive_user_ids:
            names = ", ".join(_name(ctx, "user", i) for i in ids)
            warn("inactive_user", f"can never fire: analyst {names} is inactive.")
    for a in rule.actions:
        if a.type in ("assign_team", "notify_team") and a.value in ctx.inactive_team_ids:
            verb = "assigns" if a.type == "assign_team" else "notifies"
            warn("inactive_team", f"{verb} the inactive team {_name(ctx, 'team', a.value)}.")
        if a.type == "assign_analyst" and a.value in ctx.inactive_user_ids:
            warn("inactive_user", f"assigns the inactive analyst {_name(ctx, 'user', a.value)}.")
    if not rule.actions:
        warn("no_actions", "does nothing: it has no actions.")
    if rule.trigger == SCHEDULED and not any(c.field in TIME_FIELDS for c in rule.criteria):
        warn(
            "no_time_criterion",
            "is scheduled but has no time criterion ('minutes since', 'due in', 'breached'): it fires on every "
            "matching open ticket at the next run.",
        )
    if ctx.transitions is not None and match_all:
        cond = _condition(rule.criteria, ctx)
        statuses = cond.per_field.get("status")
        if isinstance(statuses, Discrete) and statuses.include and statuses.values:
            for a in rule.actions:
                if a.type == "set_status" and not any(
                    a.value in tuple(ctx.transitions.get(s, ())) or a.value == s for s in statuses.values
                ):
                    warn("status_never_applies", f"changes the status to '{a.value}', which its statuses never allow.")
    return out


def lint(rules: Iterable[RuleDef], ctx: LintContext | None = None) -> list[LintWarning]:
    """Warnings for every rule, in position order."""
    ctx = ctx or LintContext()
    ordered = sorted(rules, key=lambda r: (r.position, r.id or 0))
    warnings: list[LintWarning] = []
    stoppers: list[RuleDef] = []
    for rule in ordered:
        warnings += _rule_warnings(rule, ctx)
        events = TRIGGER_EVENTS.get(rule.trigger, frozenset())
        cases = _cases(rule, ctx)
        if cases is not None and not any(w.code == "contradiction" for w in warnings if w.rule_id == rule.id):
            for earlier in stoppers:
                # A scheduled rule fires once per ticket, so it stops later rules only on its first run.
                if earlier.trigger == SCHEDULED:
                    continue
                if events <= TRIGGER_EVENTS.get(earlier.trigger, frozenset()) and _rule_implies(cases, earlier, ctx):
                    warnings.append(
                        LintWarning(
                            rule_id=rule.id,
                            rule_label=rule.label,
                            code="shadowed",
                            message=f"never fires: {earlier.label} matches every ticket this rule matches, first, "
                            "and stops processing.",
                            other_rule_id=earlier.id,
                        )
                    )
                    break
        if rule.active and rule.stop_processing:
            stoppers.append(rule)
    return warnings


__all__ = ["LintContext", "LintWarning", "lint"]
