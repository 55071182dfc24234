"""The workflow vocabulary: triggers, criterion fields and their operators, action types, template placeholders.

Plain constants shared by the engine, validation, lint, the models' choices and the API; no Django, no database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# -- triggers ----------------------------------------------------------------------------------------------------------
CREATE, UPDATE, SCHEDULED = "create", "update", "scheduled"
EVENTS = (CREATE, UPDATE, SCHEDULED)

ON_CREATE, ON_UPDATE, BOTH = "on_create", "on_update", "both"
TRIGGERS: dict[str, str] = {
    ON_CREATE: "When a ticket is logged",
    ON_UPDATE: "When a ticket changes",
    BOTH: "When a ticket is logged or changes",
    SCHEDULED: "Scheduled (escalations)",
}
TRIGGER_EVENTS: dict[str, frozenset[str]] = {
    ON_CREATE: frozenset({CREATE}),
    ON_UPDATE: frozenset({UPDATE}),
    BOTH: frozenset({CREATE, UPDATE}),
    SCHEDULED: frozenset({SCHEDULED}),
}
MATCH_ALL, MATCH_ANY = "all", "any"
MATCHES = {MATCH_ALL: "All criteria", MATCH_ANY: "Any criterion"}

OPERATORS: dict[str, str] = {
    "is": "is",
    "is_not": "is not",
    "in": "is one of",
    "not_in": "is not one of",
    "at_or_above": "is at or above",
    "below": "is below",
    "true": "yes",
    "false": "no",
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "lte": "<=",
    "gt": ">",
    "gte": ">=",
    "empty": "is empty",
    "not_empty": "is not empty",
    "includes": "includes",
    "excludes": "does not include",
    "contains": "contains",
    "not_contains": "does not contain",
    "any_active": "any active",
    "none_active": "none active",
    "named_active": "active, named",
    "named_not_active": "not active, named",
    "heightened_active": "a heightened-support one active",
    "no_heightened_active": "no heightened-support one active",
}

# Every operator and the operator that means its opposite (used by tests, lint and the admin's help).
NEGATIONS: dict[str, str] = {
    "is": "is_not",
    "in": "not_in",
    "at_or_above": "below",
    "true": "false",
    "eq": "ne",
    "lt": "gte",
    "lte": "gt",
    "empty": "not_empty",
    "includes": "excludes",
    "contains": "not_contains",
    "any_active": "none_active",
    "named_active": "named_not_active",
    "heightened_active": "no_heightened_active",
}
NEGATIONS.update({negated: positive for positive, negated in list(NEGATIONS.items())})

# What kind of value a criterion compares, and which operators that kind offers.
KIND_OPERATORS: dict[str, tuple[str, ...]] = {
    "vip": ("is", "is_not", "in", "not_in", "at_or_above", "below"),
    "flag": ("true", "false"),
    "choice": ("is", "is_not", "in", "not_in"),
    "number": ("eq", "ne", "lt", "lte", "gt", "gte"),
    "ref": ("is", "is_not", "empty", "not_empty"),
    "member": ("includes", "excludes"),
    "text": ("contains", "not_contains"),
    "timeframe": (
        "any_active",
        "none_active",
        "named_active",
        "named_not_active",
        "heightened_active",
        "no_heightened_active",
    ),
}
# Operators whose value is a set of values, and those that take no value at all.
SET_OPERATORS = frozenset({"in", "not_in"})
NO_VALUE_OPERATORS = frozenset(
    {"true", "false", "empty", "not_empty", "any_active", "none_active", "heightened_active", "no_heightened_active"}
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str
    label: str
    kind: str
    attr: str  # the snapshot attribute compared
    choices: str = ""  # for kind "choice": the Known attribute listing the allowed values
    refs: str = ""  # for id-valued kinds: the Known attribute listing existing ids
    scheduled_only: bool = False

    @property
    def operators(self) -> tuple[str, ...]:
        return KIND_OPERATORS[self.kind]


FIELDS: dict[str, FieldSpec] = {
    spec.key: spec
    for spec in (
        FieldSpec("vip_status", "caller VIP status", "vip", "vip_status_id", refs="vip_status_ids"),
        FieldSpec("caller_is_vip", "caller is a VIP", "flag", "caller_is_vip"),
        FieldSpec("ticket_type", "type", "choice", "ticket_type", choices="ticket_types"),
        FieldSpec("impact", "impact", "choice", "impact", choices="levels"),
        FieldSpec("urgency", "urgency", "choice", "urgency", choices="levels"),
        FieldSpec("priority", "priority", "number", "priority"),
        FieldSpec("status", "status", "choice", "status", choices="statuses"),
        FieldSpec("source", "source", "choice", "source", choices="sources"),
        FieldSpec("service_instance", "service instance", "ref", "service_instance_id", refs="service_instance_ids"),
        FieldSpec(
            "technical_service", "technical service", "ref", "technical_service_id", refs="technical_service_ids"
        ),
        FieldSpec("customer_group", "caller's customer groups", "member", "customer_group_ids", refs="group_ids"),
        FieldSpec("service_level", "service level", "ref", "service_level_id", refs="service_level_ids"),
        FieldSpec("ci_type", "CI type", "choice", "ci_type", choices="ci_types"),
        FieldSpec("timeframe", "timeframe of the service instance", "timeframe", "active_timeframes"),
        FieldSpec("title", "title", "text", "title"),
        FieldSpec("description", "description", "text", "description"),
        FieldSpec("text", "title or description", "text", "text"),
        FieldSpec("team", "team", "ref", "team_id", refs="team_ids"),
        FieldSpec("assignee", "assignee", "ref", "assignee_id", refs="user_ids"),
        FieldSpec("response_due_in", "business minutes until the response is due", "number", "response_due_in"),
        FieldSpec("resolution_due_in", "business minutes until the resolution is due", "number", "resolution_due_in"),
        FieldSpec("response_breached", "response target breached", "flag", "response_breached"),
        FieldSpec("resolution_breached", "resolution target breached", "flag", "resolution_breached"),
        FieldSpec("paused", "ticket is paused (Pending)", "flag", "paused"),
        FieldSpec(
            "minutes_since_opened", "minutes since opened", "number", "minutes_since_opened", scheduled_only=True
        ),
        FieldSpec(
            "minutes_since_update", "minutes since last update", "number", "minutes_since_update", scheduled_only=True
        ),
    )
}


@dataclass(frozen=True, slots=True)
class ActionSpec:
    key: str
    label: str
    field: str | None  # the ticket field it changes (None for notes and notifications)
    value: str  # what the value is: "priority", "steps", "level", "status", "team", "user", "service_level", "email"
    text: bool = False  # takes a message template


ACTIONS: dict[str, ActionSpec] = {
    spec.key: spec
    for spec in (
        ActionSpec("set_priority", "Set priority", "priority", "priority"),
        ActionSpec("raise_priority", "Raise priority by", "priority", "steps"),
        ActionSpec("set_impact", "Set impact", "impact", "level"),
        ActionSpec("set_urgency", "Set urgency", "urgency", "level"),
        ActionSpec("assign_team", "Assign team", "team", "team"),
        ActionSpec("assign_analyst", "Assign analyst", "assignee", "user"),
        ActionSpec("set_status", "Change status", "status", "status"),
        ActionSpec("set_service_level", "Set service level", "service_level", "service_level"),
        ActionSpec("add_note", "Add internal note", None, "none", text=True),
        ActionSpec("notify_team", "Notify team", None, "team", text=True),
        ActionSpec("notify_email", "Notify address", None, "email", text=True),
    )
}
# The ticket fields a plan may change, in the order the services apply them.
PLAN_FIELDS = ("impact", "urgency", "priority", "service_level", "team", "assignee", "status")

# Placeholders a note or notification template may use.
PLACEHOLDERS: dict[str, str] = {
    "number": "ticket number",
    "title": "ticket title",
    "caller": "caller's name",
    "vip_status": "caller's VIP status",
    "priority": "priority after this run",
    "team": "team after this run",
    "status": "status after this run",
    "rule": "the rule's name",
}
PLACEHOLDER_RE = re.compile(r"\{([a-z_]*)\}")
PRIORITIES = (1, 2, 3, 4, 5)


# Simulate judges times in this range only: beyond it, date arithmetic (minutes since opened, timeframes) overflows.
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
