"""Ticket vocabularies: types and their number prefixes, impact/urgency levels, sources, statuses and transitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models


class TicketType(models.TextChoices):
    INCIDENT = "incident", "Incident"
    REQUEST = "request", "Service request"
    PROBLEM = "problem", "Problem"
    CHANGE = "change", "Change"


PREFIXES: dict[str, str] = {
    TicketType.INCIDENT: "INC",
    TicketType.REQUEST: "REQ",
    TicketType.PROBLEM: "PRB",
    TicketType.CHANGE: "CHG",
}
NUMBER_DIGITS = 6


def format_number(prefix: str, sequence: int) -> str:
    """INC + 42 -> INC000042 (longer sequences simply grow)."""
    return f"{prefix}{sequence:0{NUMBER_DIGITS}d}"


class Level(models.TextChoices):
    """Impact and urgency share the three ITIL levels."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# The standard ITIL 3x3 matrix; the admin may change the cells (PriorityMatrixCell), these are the defaults.
ITIL_MATRIX: dict[tuple[str, str], int] = {
    (Level.HIGH, Level.HIGH): 1,
    (Level.HIGH, Level.MEDIUM): 2,
    (Level.HIGH, Level.LOW): 3,
    (Level.MEDIUM, Level.HIGH): 2,
    (Level.MEDIUM, Level.MEDIUM): 3,
    (Level.MEDIUM, Level.LOW): 4,
    (Level.LOW, Level.HIGH): 3,
    (Level.LOW, Level.MEDIUM): 4,
    (Level.LOW, Level.LOW): 5,
}

PRIORITY_LABELS: dict[int, str] = {1: "Critical", 2: "High", 3: "Moderate", 4: "Low", 5: "Planning"}
PRIORITY_CHOICES = [(p, f"{p} - {label}") for p, label in PRIORITY_LABELS.items()]


class Source(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    PORTAL = "portal", "Portal"
    API = "api", "API"


class Status(models.TextChoices):
    NEW = "new", "New"
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    PENDING = "pending", "Pending"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING})
FINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})

# Which status may follow which. New may be resolved at once (first-call resolution); Resolved may reopen to
# In progress or be closed; Closed and Cancelled are final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED),
    Status.ASSIGNED: (Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED, Status.CANCELLED),
    Status.IN_PROGRESS: (Status.PENDING, Status.RESOLVED, Status.CANCELLED),
    Status.PENDING: (Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED),
    Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS),
    Status.CLOSED: (),
    Status.CANCELLED: (),
}


@dataclass(frozen=True)
class Lifecycle:
    """The ticket lifecycle's rules in one place: which status may follow which, that a New ticket given a team or an
    analyst is Assigned, and that Assigned needs one of them. The ticket services follow it, and the workflow engine
    is given it as configuration, so a planned status is the status the ticket would really get."""

    transitions: Mapping[str, tuple[str, ...]]
    new: str
    assigned: str
    needs_owner: str

    def allowed(self, status: str) -> tuple[str, ...]:
        return tuple(self.transitions.get(status, ()))

    def after_assignment(self, status: str, *, owned: bool) -> str:
        return self.assigned if owned and status == self.new else status

    def missing_owner(self, status: str, *, owned: bool) -> str:
        return self.needs_owner if status == self.assigned and not owned else ""


LIFECYCLE = Lifecycle(
    transitions=TRANSITIONS,
    new=Status.NEW,
    assigned=Status.ASSIGNED,
    needs_owner="Assign the ticket to an analyst or a team first; it then becomes Assigned.",
)

# Leaving New for one of these counts as the first response to the caller (so does a public note).
RESPONDING_STATUSES = frozenset({Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED})


class DueState(models.TextChoices):
    ON_TIME = "on_time", "On time"
    DUE_SOON = "due_soon", "Due soon"
    BREACHED = "breached", "Breached"
    NO_TARGET = "no_target", "No target"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"


class TargetState(models.TextChoices):
    """One target (response or resolution) of a ticket: still counting, reached in time, or breached (recorded)."""

    RUNNING = "running", "Running"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"


class Target(models.TextChoices):
    RESPONSE = "response", "Response"
    RESOLUTION = "resolution", "Resolution"


# A target is "due soon" when less than this share of its window (opened -> due) is left.
DUE_SOON_SHARE = 0.25
