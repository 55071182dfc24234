"""Hand-built inputs for the engine tests: the ITIL matrix, a lifecycle, VIP status ids, a ticket snapshot with
sensible defaults, and short builders for criteria, rules and actions. No database."""

from __future__ import annotations

import datetime as dt

from tickets.choices import Lifecycle
from workflow.engine import (
    ActionDef,
    CriterionDef,
    EngineConfig,
    RuleDef,
    TicketSnapshot,
    evaluate,
)

LEVELS = ("high", "medium", "low")
MATRIX = {
    ("high", "high"): 1,
    ("high", "medium"): 2,
    ("high", "low"): 3,
    ("medium", "high"): 2,
    ("medium", "medium"): 3,
    ("medium", "low"): 4,
    ("low", "high"): 3,
    ("low", "medium"): 4,
    ("low", "low"): 5,
}
TRANSITIONS = {
    "new": ("assigned", "in_progress", "resolved", "cancelled"),
    "assigned": ("in_progress", "pending", "resolved", "cancelled"),
    "in_progress": ("pending", "resolved", "cancelled"),
    "pending": ("in_progress", "resolved", "cancelled"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
    "cancelled": (),
}
LIFECYCLE = Lifecycle(
    transitions=TRANSITIONS,
    new="new",
    assigned="assigned",
    needs_owner="Assign the ticket to an analyst or a team first; it then becomes Assigned.",
)
CONFIG = EngineConfig(
    matrix=MATRIX,
    lifecycle=LIFECYCLE,
    status_labels={"new": "New", "assigned": "Assigned", "closed": "Closed", "in_progress": "In progress"},
    level_labels={"high": "High", "medium": "Medium", "low": "Low"},
)
EXEC, CRITICAL, HIGH_IMPACT, STANDARD = 11, 12, 13, 14  # VIP status ids, positions 1..4
POSITIONS = {EXEC: 1, CRITICAL: 2, HIGH_IMPACT: 3, STANDARD: 4}
NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def snap(**fields) -> TicketSnapshot:
    base = {
        "ticket_id": 1,
        "number": "INC000001",
        "title": "Printer jammed",
        "description": "Paper stuck in tray 2",
        "caller_id": 5,
        "caller_name": "Ada Lovelace",
        "vip_status_id": EXEC,
        "vip_status_name": "Executive",
        "vip_position": 1,
        "vip_is_default": False,
        "customer_group_ids": frozenset({100, 101}),
        "service_instance_id": 200,
        "technical_service_id": 300,
        "service_level_id": 400,
        "ci_type": "server",
        "active_timeframes": frozenset({"Registration week"}),
        "heightened_timeframes": frozenset({"Registration week"}),
        "team_id": None,
        "assignee_id": None,
        "minutes_since_opened": 20.0,
        "minutes_since_update": 5.0,
        "at": NOW,
    }
    base.update(fields)
    return TicketSnapshot(**base)


def crit(field, operator, value=None, **kw) -> CriterionDef:
    return CriterionDef(field=field, operator=operator, value=value, **kw)


def rule(rid, *criteria, actions=(), position=None, **kw) -> RuleDef:
    return RuleDef(
        id=rid,
        name=kw.pop("name", f"rule {rid}"),
        position=position if position is not None else rid,
        criteria=tuple(criteria),
        actions=tuple(actions),
        **kw,
    )


def act(action_type, value=None, text="") -> ActionDef:
    return ActionDef(type=action_type, value=value, text=text)


def matches(criterion: CriterionDef, snapshot: TicketSnapshot, event="create") -> bool:
    result = evaluate(snapshot, [rule(1, criterion, actions=[act("set_priority", 1)])], event=event, config=CONFIG)
    return bool(result.matched)
