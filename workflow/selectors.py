"""Reads for the workflow's pages: what lint needs to know about the world, a ticket's rule firings and its "Why?"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from people.models import Team
from services.models import ServiceInstance, TechnicalService
from tickets.choices import LIFECYCLE, Level, Source, Status, TicketType
from tickets.models import Ticket
from vip.models import VipStatus
from workflow.engine.lint import LintContext
from workflow.models import RuleFiring


# -- lint context ---------------------------------------------------------------------------------------------------
def lint_context() -> LintContext:
    """What lint needs to know about the records rules name; a handful of small queries."""
    statuses = list(VipStatus.objects.values_list("pk", "position", "is_default"))
    names: dict[tuple[str, int], str] = {}
    retired_instances = {}
    for pk, title in ServiceInstance.objects.filter(status=ServiceInstance.Status.RETIRED).values_list("pk", "title"):
        retired_instances[pk] = title
        names[("service_instance", pk)] = title
    retired_services = {}
    for pk, name in TechnicalService.objects.filter(status=TechnicalService.Status.RETIRED).values_list("pk", "name"):
        retired_services[pk] = name
        names[("technical_service", pk)] = name
    inactive_teams = {}
    for pk, name in Team.objects.filter(active=False).values_list("pk", "name"):
        inactive_teams[pk] = name
        names[("team", pk)] = name
    inactive_users = {}
    for pk, username in get_user_model().objects.filter(is_active=False).values_list("pk", "username"):
        inactive_users[pk] = username
        names[("user", pk)] = username
    return LintContext(
        vip_positions={pk: position for pk, position, _ in statuses},
        default_vip_status_id=next((pk for pk, _, default in statuses if default), None),
        retired_instance_ids=frozenset(retired_instances),
        retired_service_ids=frozenset(retired_services),
        inactive_team_ids=frozenset(inactive_teams),
        inactive_user_ids=frozenset(inactive_users),
        choices={
            "ticket_type": frozenset(TicketType.values),
            "impact": frozenset(Level.values),
            "urgency": frozenset(Level.values),
            "status": frozenset(Status.values),
            "source": frozenset(Source.values),
        },
        transitions=LIFECYCLE.transitions,
        names=names,
    )


# -- firings and "Why?" -----------------------------------------------------------------------------------------------
WHY_FIELDS = ("priority", "team", "status")


def ticket_firings(ticket: Ticket | int) -> QuerySet[RuleFiring]:
    return (
        RuleFiring.objects.filter(ticket_id=getattr(ticket, "pk", ticket))
        .select_related("user")
        .order_by("-fired_at", "-pk")
    )


@dataclass(frozen=True)
class Why:
    """Which rule gave a ticket field its current value, and on which values."""

    field: str
    firing: RuleFiring
    step: dict

    @property
    def rule_label(self) -> str:
        return self.firing.rule_label

    @property
    def because(self) -> str:
        return self.firing.because

    @property
    def sentence(self) -> str:
        """ "Rule 3 'Executives at least P2': caller VIP status = Executive"."""
        return f"{self.rule_label}: {self.because}"


def _current(ticket: Ticket, field: str) -> Any:
    if field in ("team", "assignee", "service_level"):
        return getattr(ticket, f"{field}_id", None)
    return getattr(ticket, field)


def ticket_why(ticket: Ticket, firings: Iterable[RuleFiring] | None = None) -> dict[str, Why]:
    """For priority, team and status: the latest firing whose applied action set the value the ticket still has.

    A value changed by an analyst after the rule fired has no "Why?" (the history says who changed it).
    """
    cached = getattr(ticket, "_workflow_why", None)
    if cached is not None and firings is None:
        return cached
    firings = list(firings if firings is not None else ticket_firings(ticket))
    found: dict[str, Why] = {}
    for firing in firings:  # newest first
        for step in reversed(firing.actions):
            field = step.get("field")
            if field in WHY_FIELDS and field not in found and step.get("outcome") == "applied":
                if step.get("new") == _current(ticket, field):
                    found[field] = Why(field=field, firing=firing, step=step)
                else:
                    found.setdefault(field, None)  # type: ignore[arg-type]  # superseded: stop looking further back
    result = {k: v for k, v in found.items() if v is not None}
    ticket._workflow_why = result
    return result


def why_notes(ticket: Ticket) -> dict[str, Any]:
    """The ticket page's "Why?" next to priority, team and status (registered in tickets.extensions)."""
    from tickets.extensions import FieldNote

    return {
        name: FieldNote(
            text=why.sentence,
            extra={"did": why.step.get("display", ""), "fired_at": why.firing.fired_at, "rule_id": why.firing.rule_id},
        )
        for name, why in ticket_why(ticket).items()
    }
