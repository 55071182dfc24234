"""How a dry run reads to a person and to an integrator: the plan's changes (value now, value after, the rule that
set it), the steps in words and the trace. The admin's Simulate page and the API's simulate answer are built here
from one list of changes, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from people.models import Team
from services.models import ServiceLevel
from workflow import definitions
from workflow.engine import APPLIED, Evaluation, Step
from workflow.engine import vocabulary as vocab


@dataclass(frozen=True)
class Change:
    """A field the plan changes: its value before the run, after it, and the rule whose action gave the final value."""

    field: str
    old: Any
    new: Any
    set_by: int | None
    rule_label: str


def changes(evaluation: Evaluation) -> list[Change]:
    plan, snapshot = evaluation.plan, evaluation.snapshot
    before = {
        "priority": snapshot.priority,
        "team": snapshot.team_id,
        "status": snapshot.status,
        "impact": snapshot.impact,
        "urgency": snapshot.urgency,
        "assignee": snapshot.assignee_id,
        "service_level": snapshot.service_level_id,
    }
    last = {step.field: step for step in plan.steps if step.field and step.outcome == APPLIED}
    return [
        Change(
            field=name,
            old=before.get(name),
            new=new,
            set_by=plan.set_by.get(name),
            rule_label=last[name].rule_label if name in last else "",
        )
        for name, new in plan.changes.items()
    ]


class FieldValues:
    """Ticket field values as the ticket page shows them (P2, Assigned, VIP Desk); names read once per page."""

    def __init__(self, evaluation: Evaluation):
        ids: dict[str, set] = {"team": set(), "assignee": set(), "service_level": set()}
        for step in evaluation.plan.steps:
            if step.field in ids:
                ids[step.field].update(v for v in (step.old, step.new) if v)
        user_model = get_user_model()
        self.names = {
            "team": dict(Team.objects.filter(pk__in=ids["team"]).values_list("pk", "name")) if ids["team"] else {},
            "assignee": (
                dict(user_model.objects.filter(pk__in=ids["assignee"]).values_list("pk", user_model.USERNAME_FIELD))
                if ids["assignee"]
                else {}
            ),
            "service_level": (
                dict(ServiceLevel.objects.filter(pk__in=ids["service_level"]).values_list("pk", "name"))
                if ids["service_level"]
                else {}
            ),
        }

    def show(self, field: str, value: Any) -> str:
        if value in (None, ""):
            return "empty"
        if field == "priority":
            return f"P{value}"
        if field == "status":
            return definitions.choice_labels("statuses").get(value, str(value))
        if field in ("impact", "urgency"):
            return definitions.choice_labels("levels").get(value, str(value))
        return str(self.names.get(field, {}).get(value, value))


def step_text(step: Step, values: FieldValues) -> str:
    """A plan step in words; a field that follows another action (status after an assignment) says so."""
    spec = vocab.ACTIONS.get(step.action)
    if step.field and spec is not None and spec.field != step.field:
        return f"{step.field.replace('_', ' ')} becomes {values.show(step.field, step.new)} (follows: {step.display})"
    return step.display


def simulate_page(evaluation: Evaluation) -> dict[str, Any]:
    """The Simulate page's trace (every rule, its steps in words) and the changes in words."""
    values = FieldValues(evaluation)
    return {
        "trace": [{"result": r, "steps": [(s, step_text(s, values)) for s in r.steps]} for r in evaluation.trace],
        "changes": [
            {
                "field": c.field.replace("_", " "),
                "now": values.show(c.field, c.old),
                "after": values.show(c.field, c.new),
                "rule": c.rule_label,
            }
            for c in changes(evaluation)
        ],
    }


def simulate_result(evaluation: Evaluation, ticket: Any) -> dict[str, Any]:
    """The API's simulate answer: ids and codes, every rule with its trace, the changes and what would be sent."""
    plan = evaluation.plan
    return {
        "ticket": ticket,
        "event": evaluation.event,
        "values": {k: str(v) for k, v in evaluation.snapshot.names.items()},
        "matched": [r.id for r in evaluation.matched_rules],
        "rules": [{**result.to_dict(), "matched": result.matched} for result in evaluation.trace],
        "changes": [{"field": c.field, "old": c.old, "new": c.new, "set_by": c.set_by} for c in changes(evaluation)],
        "steps": [s.to_dict() for s in plan.steps],
        "notes": [n.text for n in plan.notes],
        "notifications": [
            {"team": n.team_id, "email": n.email or "", "subject": n.subject or ""} for n in plan.notifications
        ],
    }


def call_outcome(evaluation: Evaluation) -> dict[str, Any]:
    """For the Log a call preview: the fields the rules change and, per field, the rule that did it."""
    labels = {rule.id: rule.label for rule in evaluation.matched_rules}
    plan = evaluation.plan
    return {
        "changes": dict(plan.changes),
        "because": {field: labels.get(rule_id, "a rule") for field, rule_id in plan.set_by.items()},
    }
