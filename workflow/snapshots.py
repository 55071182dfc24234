"""Ticket snapshots: a ticket (saved, or hypothetical for simulate) as the plain values the engine reads, loaded in a
constant number of queries for one ticket or a batch (SnapshotContext)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from services.models import CustomerGroup, Timeframe
from services.selectors import current_memberships, group_edges, reachable
from tickets import clock
from tickets.choices import LIFECYCLE, Level, Source, Target, TicketType
from tickets.models import Ticket
from workflow.engine import TicketSnapshot
from workflow.engine import vocabulary as vocab
from workflow.models import RuleFiring

SNAPSHOT_RELATED = (
    "caller__vip_status",
    "service_instance__technical_service",
    "service_instance__service_level",
    "service_level__calendar",
    "configuration_item",
    "team",
    "assignee",
)


def ticket_for_snapshot(ticket_or_pk: Ticket | int, *, reuse: bool = False) -> Ticket:
    """The ticket with the related rows a snapshot reads. `reuse`: the ticket itself when it already holds all of
    them (a ticket just built by `ticket_create` from loaded objects), saving a query."""
    if reuse and isinstance(ticket_or_pk, Ticket) and _holds_related(ticket_or_pk):
        return ticket_or_pk
    pk = getattr(ticket_or_pk, "pk", ticket_or_pk)
    return Ticket.objects.select_related(*SNAPSHOT_RELATED).get(pk=pk)


def _holds_related(ticket: Ticket) -> bool:
    for path in SNAPSHOT_RELATED:
        obj: Any = ticket
        for name in path.split("__"):
            if obj is None:
                break
            field = obj._meta.get_field(name)
            if not field.is_cached(obj):
                return False
            obj = field.get_cached_value(obj)
    return True


class SnapshotContext:
    """What snapshots need beyond the ticket row, loaded once for many tickets (replay, escalations) or for one.

    The caller's effective groups (memberships current on the day of `at`, walked up through nested groups), the
    instances' timeframes, group names and, for scheduled runs, the scheduled rules already fired per ticket: at most
    five queries whatever the number of tickets.
    """

    def __init__(
        self,
        tickets: Iterable[Ticket],
        *,
        at: dt.datetime,
        load_fired: bool = False,
        fields: Iterable[str] | None = None,
    ):
        """`fields`: the criterion fields the rules read (None: all); groups and timeframes are loaded only if read."""
        tickets = list(tickets)
        self.at = at
        wanted = None if fields is None else frozenset(fields)
        person_ids = {t.caller_id for t in tickets if t.caller_id}
        instance_ids = {t.service_instance_id for t in tickets if t.service_instance_id}
        if wanted is not None and "customer_group" not in wanted:
            person_ids = set()
        if wanted is not None and "timeframe" not in wanted:
            instance_ids = set()
        direct: dict[int, set[int]] = {}
        self.group_names: dict[int, str] = {}
        if person_ids:
            rows = current_memberships(timezone.localdate(at)).filter(person_id__in=person_ids)
            for person_id, group_id, name in rows.values_list("person_id", "group_id", "group__name"):
                direct.setdefault(person_id, set()).add(group_id)
                self.group_names[group_id] = name
        self.groups: dict[int, frozenset[int]] = {}
        if direct:
            _, parents = group_edges()
            self.groups = {pid: frozenset(reachable(gids, parents)) for pid, gids in direct.items()}
        unnamed = set().union(*self.groups.values()) - set(self.group_names) if self.groups else set()
        if unnamed:  # groups reached through nesting
            self.group_names.update(CustomerGroup.objects.filter(pk__in=unnamed).values_list("pk", "name"))
        self.timeframes: dict[int, list[Timeframe]] = {}
        if instance_ids:
            for timeframe in Timeframe.objects.filter(service_instance_id__in=instance_ids).order_by("start", "pk"):
                self.timeframes.setdefault(timeframe.service_instance_id, []).append(timeframe)
        self.fired: dict[int, set[int]] = {}
        ticket_ids = [t.pk for t in tickets if t.pk]
        if load_fired and ticket_ids:
            rows = RuleFiring.objects.filter(ticket_id__in=ticket_ids, event=vocab.SCHEDULED, rule__isnull=False)
            for ticket_id, rule_id in rows.values_list("ticket_id", "rule_id"):
                self.fired.setdefault(ticket_id, set()).add(rule_id)

    def group_ids(self, person_id: int | None) -> frozenset[int]:
        return self.groups.get(person_id, frozenset()) if person_id else frozenset()

    def active_timeframes(self, instance_id: int | None) -> list[Timeframe]:
        return [t for t in self.timeframes.get(instance_id, ()) if t.is_active(self.at)] if instance_id else []

    def fired_rule_ids(self, ticket_id: int | None) -> frozenset[int]:
        return frozenset(self.fired.get(ticket_id, ())) if ticket_id else frozenset()


@dataclass(frozen=True)
class Hypothetical:
    """A ticket that does not exist (Simulate): the fields a caller would give when logging it."""

    caller: Any
    ticket_type: str = TicketType.INCIDENT
    title: str = ""
    description: str = ""
    impact: str = Level.MEDIUM
    urgency: str = Level.MEDIUM
    source: str = Source.PHONE
    service_instance: Any = None
    configuration_item: Any = None
    team: Any = None
    assignee: Any = None
    at: dt.datetime | None = None


def hypothetical_ticket(h: Hypothetical) -> Ticket:
    """An unsaved ticket built exactly as `ticket_create` would build it (priority from the matrix, status)."""
    from tickets.services import priority_for

    at = h.at or timezone.now()
    ticket = Ticket(
        ticket_type=h.ticket_type,
        title=h.title,
        description=h.description,
        caller=h.caller,
        source=h.source,
        impact=h.impact,
        urgency=h.urgency,
        service_instance=h.service_instance,
        configuration_item=h.configuration_item,
        team=h.team,
        assignee=h.assignee,
        opened_at=at,
    )
    ticket.priority = priority_for(impact=h.impact, urgency=h.urgency) or 3
    ticket.status = LIFECYCLE.after_assignment(ticket.status, owned=h.team is not None or h.assignee is not None)
    ticket.updated_at = at
    ticket.service_level = getattr(h.service_instance, "service_level", None)
    clock.refresh_due(ticket)
    return ticket


def clock_values(ticket: Ticket, at) -> dict:
    """The service level clock as the engine sees it (see TicketSnapshot)."""
    if ticket.pk is None and ticket.response_due_at is None and ticket.resolution_due_at is None:
        return {}
    passed = ticket.is_open and ticket.paused_since is None
    return {
        "response_due_in": clock.minutes_left(ticket, Target.RESPONSE, at),
        "resolution_due_in": clock.minutes_left(ticket, Target.RESOLUTION, at),
        "response_breached": ticket.response_breached
        or bool(passed and ticket.first_response_at is None and ticket.response_due_at and at > ticket.response_due_at),
        "resolution_breached": ticket.resolution_breached
        or bool(passed and ticket.resolution_due_at and at > ticket.resolution_due_at),
        "paused": ticket.paused_since is not None,
    }


def snapshot_for(
    ticket: Ticket,
    *,
    at: dt.datetime | None = None,
    context: SnapshotContext | None = None,
    scheduled: bool = False,
    fields: Iterable[str] | None = None,
) -> TicketSnapshot:
    """The engine's view of a ticket at time `at` (now by default); related rows should be select_related.

    `scheduled` loads which scheduled rules already fired on the ticket (they fire once per ticket). `fields` (the
    criterion fields the rules read, see `fields_used`) lets it skip loading groups or timeframes no rule reads.
    """
    at = context.at if context is not None else (at or timezone.now())
    if context is None:
        context = SnapshotContext([ticket], at=at, load_fired=scheduled, fields=fields)
    caller = ticket.caller if ticket.caller_id else None
    status = caller.vip_status if caller is not None else None
    instance = ticket.service_instance
    own_level_id = getattr(ticket, "service_level_id", None)
    level = ticket.service_level if own_level_id else (instance.service_level if instance is not None else None)
    timeframes = context.active_timeframes(instance.pk if instance is not None else None)
    group_ids = context.group_ids(caller.pk if caller is not None else None)
    names = _display_names(ticket, status, instance, level, group_ids, context)
    opened = ticket.opened_at or at
    updated = getattr(ticket, "updated_at", None) or opened
    return TicketSnapshot(
        ticket_id=ticket.pk,
        number=ticket.number or "",
        ticket_type=ticket.ticket_type,
        title=ticket.title or "",
        description=ticket.description or "",
        impact=ticket.impact,
        urgency=ticket.urgency,
        priority=ticket.priority,
        status=ticket.status,
        source=ticket.source,
        caller_id=caller.pk if caller is not None else None,
        caller_name=caller.full_name if caller is not None else "",
        vip_status_id=status.pk if status else None,
        vip_status_name=status.name if status else "",
        vip_position=status.position if status else None,
        vip_is_default=status.is_default if status else True,
        customer_group_ids=group_ids,
        service_instance_id=instance.pk if instance else None,
        technical_service_id=instance.technical_service_id if instance else None,
        service_level_id=own_level_id or (instance.service_level_id if instance else None),
        ci_type=ticket.configuration_item.ci_type if ticket.configuration_item_id else None,
        active_timeframes=frozenset(t.name for t in timeframes),
        heightened_timeframes=frozenset(t.name for t in timeframes if t.heightened_support),
        team_id=ticket.team_id,
        assignee_id=ticket.assignee_id,
        **clock_values(ticket, at),
        minutes_since_opened=max(0.0, (at - opened).total_seconds() / 60),
        minutes_since_update=max(0.0, (at - updated).total_seconds() / 60),
        at=at,
        fired_rule_ids=context.fired_rule_ids(ticket.pk),
        names=names,
    )


def _display_names(ticket: Ticket, status, instance, level, group_ids, context: SnapshotContext) -> dict[str, str]:
    """What a trace shows for each value the rules saw: names, not ids."""
    names = {
        "vip_status": status.name if status else "none",
        "service_instance": str(instance) if instance else "empty",
        "technical_service": str(instance.technical_service) if instance else "empty",
        "service_level": str(level) if level else "empty",
        "team": str(ticket.team) if ticket.team_id else "empty",
        "assignee": (ticket.assignee.get_username() if ticket.assignee_id else "empty"),
        "ticket_type": ticket.get_ticket_type_display(),
        "impact": ticket.get_impact_display(),
        "urgency": ticket.get_urgency_display(),
        "status": ticket.get_status_display(),
        "source": ticket.get_source_display(),
        "priority": f"P{ticket.priority}",
        "customer_group": ", ".join(sorted(context.group_names.get(g, str(g)) for g in group_ids)) or "none",
    }
    if ticket.configuration_item_id:
        names["ci_type"] = ticket.configuration_item.get_ci_type_display()
    return names
