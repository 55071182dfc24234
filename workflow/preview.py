"""What the rules would do to a call before it is logged (the Log a call page's preview): simulate on the unsaved
ticket, same snapshot and engine as the live run, nothing written."""

from __future__ import annotations

from typing import Any

from workflow import dry_runs
from workflow.engine import vocabulary as vocab


def call_preview(*, ticket: Any, user: Any) -> dict[str, Any]:
    evaluation = dry_runs.simulate_unsaved(ticket, event=vocab.CREATE, viewer=user)
    labels = {rule.id: rule.label for rule in evaluation.matched_rules}
    plan = evaluation.plan
    return {
        "changes": dict(plan.changes),
        "because": {field: labels.get(rule_id, "a rule") for field, rule_id in plan.set_by.items()},
    }
