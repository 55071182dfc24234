"""The engine's values: the ticket snapshot and rule definitions it reads, the configuration the ticket app gives it,
and the plan and trace it answers with. All frozen, all plain: nothing here touches the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from workflow.engine.vocabulary import BOTH, MATCH_ALL


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


class Lifecycle(Protocol):
    """The ticket lifecycle as the engine needs it (the ticket app's `tickets.choices.LIFECYCLE`)."""

    def allowed(self, status: str) -> tuple[str, ...]: ...

    def after_assignment(self, status: str, *, owned: bool) -> str: ...

    def missing_owner(self, status: str, *, owned: bool) -> str: ...


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """What the ticket app defines and the engine needs: the ITIL matrix, the lifecycle and display labels."""

    matrix: Mapping[tuple[str, str], int]
    lifecycle: Lifecycle | None = None  # None: any status may follow any (engine tests of other behaviour)
    status_labels: Mapping[str, str] = field(default_factory=dict)
    level_labels: Mapping[str, str] = field(default_factory=dict)


# -- outputs --------------------------------------------------------------------------------------------------------
APPLIED, OVERRIDDEN, SKIPPED, UNCHANGED = "applied", "overridden", "skipped", "unchanged"


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


# -- plain JSON ----------------------------------------------------------------------------------------------------
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
