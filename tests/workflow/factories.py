"""Rules for tests, written through the workflow services so they carry history like real data."""

from __future__ import annotations

from typing import Any

from workflow import services
from workflow.models import Rule

REASON = "test data"


def rule(name: str = "Rule", *, criteria=(), actions=(), active: bool = True, **fields: Any) -> Rule:
    return services.rule_create(
        user=None,
        change_reason=REASON,
        name=name,
        active=active,
        criteria=[_criterion(c) for c in criteria],
        actions=[_action(a) for a in actions],
        **fields,
    )


def _criterion(c) -> dict:
    if isinstance(c, dict):
        return c
    field, operator, *rest = c
    return {"field": field, "operator": operator, "value": rest[0] if rest else None}


def _action(a) -> dict:
    if isinstance(a, dict):
        return a
    action_type, *rest = a
    return {"type": action_type, "value": rest[0] if rest else None, "text": rest[1] if len(rest) > 1 else ""}
