"""Compiling rules: each criterion becomes a predicate over the snapshot once, so evaluating many snapshots (replay,
the benchmark) only calls functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter

from workflow.engine.types import CriterionDef, RuleDef, TicketSnapshot
from workflow.engine.vocabulary import EVENTS, FIELDS, MATCH_ANY, SET_OPERATORS, TRIGGER_EVENTS

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
