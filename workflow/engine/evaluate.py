"""Evaluating rules over one snapshot: which rules match (in order, with stop processing and scheduled rules firing
once), the plan they make, and the trace, built only when asked for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property

from workflow.engine.compile import CompiledRule, RuleSet, compile_rules
from workflow.engine.explain import criteria_results, failure_reason, rule_result, skip_reason
from workflow.engine.plan import plan
from workflow.engine.types import (
    EMPTY_PLAN,
    MATCHED,
    NOT_EVALUATED,
    NOT_MATCHED,
    EngineConfig,
    Plan,
    RuleDef,
    RuleResult,
    Step,
    TicketSnapshot,
)
from workflow.engine.vocabulary import EVENTS, SCHEDULED


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
            rule_result(
                c.rule,
                MATCHED,
                "stopped processing further rules" if c.rule is self.stopped_by else "",
                criteria_results(c, self.snapshot),
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
            skip = skip_reason(rule, self.event, self.snapshot, stopped)
            if skip:
                results.append(rule_result(rule, NOT_EVALUATED, skip, ()))
                continue
            found = by_rule.get(id(rule))
            if found is not None:
                results.append(found)
                if rule.stop_processing:
                    stopped = rule
                continue
            criteria = criteria_results(compiled, self.snapshot)
            results.append(rule_result(rule, NOT_MATCHED, failure_reason(rule, criteria), criteria))
        return tuple(results)


# -- compiling rules ------------------------------------------------------------------------------------------------


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
        planned, steps_by_rule = plan(snapshot, [c.rule for c in hits], config)
    else:
        planned, steps_by_rule = EMPTY_PLAN, {}
    return Evaluation(
        snapshot=snapshot,
        rules=ruleset,
        event=event,
        config=config,
        plan=planned,
        hits=tuple(hits),
        stopped_by=stopped_by,
        steps_by_rule=steps_by_rule,
    )
