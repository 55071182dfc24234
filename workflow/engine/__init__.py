"""The workflow rules engine: pure functions over a frozen ticket snapshot and frozen rule definitions.

Nothing here touches the database: the workflow's selectors load the rules and build the snapshot, its services apply
the plan. The engine decides which rules match and what they would do (the plan), and explains why (the trace). The
same inputs always give the same result, which is what makes "simulate equals live" true by construction.

- `types`: the snapshot, the rule definitions, the configuration, the plan and the trace's rows.
- `compile`: criteria into predicates, once per rule set.
- `evaluate`: which rules match, in order (stop processing; a scheduled rule fires once per ticket).
- `plan`: what the matched rules' actions do, one handler per kind of action.
- `explain`: why a rule matched or not, in words.
- `validation` and `lint`: whether a rule can be saved, and what in a rule set can never fire or is shadowed.

Semantics: rules run in position order; criteria are checked against the snapshot as it was when the run started
(no loops, one run per event); a later action on the same field wins unless an earlier matching rule stopped
processing; raising the priority never goes above 1; a new impact or urgency re-rates the priority from the ITIL
matrix unless a rule in the run set the priority; a status change follows the ticket's lifecycle or is kept as a
skipped step with the reason.
"""

from workflow.engine.compile import RuleSet, compile_rules
from workflow.engine.evaluate import Evaluation, evaluate
from workflow.engine.explain import expected_display, seen_display
from workflow.engine.lint import LintContext, LintWarning, lint
from workflow.engine.plan import render_template
from workflow.engine.types import (
    APPLIED,
    MATCHED,
    NOT_EVALUATED,
    NOT_MATCHED,
    OVERRIDDEN,
    SKIPPED,
    UNCHANGED,
    ActionDef,
    CriterionDef,
    CriterionResult,
    EngineConfig,
    Lifecycle,
    Plan,
    RuleDef,
    RuleResult,
    Step,
    TicketSnapshot,
    jsonable,
)
from workflow.engine.validation import Known, validate_action, validate_criterion, validate_rule

__all__ = [
    "APPLIED",
    "MATCHED",
    "NOT_EVALUATED",
    "NOT_MATCHED",
    "OVERRIDDEN",
    "SKIPPED",
    "UNCHANGED",
    "ActionDef",
    "CriterionDef",
    "CriterionResult",
    "EngineConfig",
    "Evaluation",
    "Known",
    "Lifecycle",
    "LintContext",
    "LintWarning",
    "Plan",
    "RuleDef",
    "RuleResult",
    "RuleSet",
    "Step",
    "TicketSnapshot",
    "compile_rules",
    "evaluate",
    "expected_display",
    "jsonable",
    "lint",
    "render_template",
    "seen_display",
    "validate_action",
    "validate_criterion",
    "validate_rule",
]
