"""Reads for the workflow: rules as engine definitions, ticket snapshots, what exists (validation, lint), the "Why?".

Everything the engine needs is loaded here in a constant number of queries and handed over as plain values.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from people.models import Team
from services.models import CustomerGroup, ServiceInstance, ServiceLevel, TechnicalService, Timeframe
from services.selectors import _reachable, current_memberships, group_edges
from tickets import clock
from tickets.choices import LIFECYCLE, Level, Source, Status, Target, TicketType
from tickets.models import Ticket
from vip.models import VipStatus
from workflow.definitions import choice_known, choice_labels, rule_def
from workflow.engine import EngineConfig, RuleDef, RuleSet, TicketSnapshot
from workflow.engine import vocabulary as vocab
from workflow.engine.lint import LintContext
from workflow.engine.validation import Known
from workflow.models import Action, Criterion, Rule, RuleFiring

# -- vocabularies -----------------------------------------------------------------------------------------------------


def known_ids(criteria: Iterable[dict], actions: Iterable[dict]) -> Known:
    """The vocabularies plus which of the ids that these criteria and actions name exist (one query per kind)."""
    wanted: dict[str, set[int]] = {}
    for c in criteria:
        spec = vocab.FIELDS.get(c.get("field")) if isinstance(c.get("field"), str) else None
        if spec is None or not spec.refs:
            continue
        value = c.get("value")
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        wanted.setdefault(spec.refs, set()).update(v for v in values if isinstance(v, int) and not isinstance(v, bool))
    for a in actions:
        spec = vocab.ACTIONS.get(a.get("type")) if isinstance(a.get("type"), str) else None
        attr = {"team": "team_ids", "user": "user_ids", "service_level": "service_level_ids"}.get(
            spec.value if spec else ""
        )
        value = a.get("value")
        if attr and isinstance(value, int) and not isinstance(value, bool):
            wanted.setdefault(attr, set()).add(value)
    models_by_attr = {
        "vip_status_ids": VipStatus,
        "team_ids": Team,
        "service_instance_ids": ServiceInstance,
        "technical_service_ids": TechnicalService,
        "group_ids": CustomerGroup,
        "service_level_ids": ServiceLevel,
        "user_ids": get_user_model(),
    }
    found: dict[str, frozenset[int]] = {}
    for attr, model in models_by_attr.items():
        ids = {i for i in wanted.get(attr, ()) if 1 <= i <= 2**63 - 1}
        found[attr] = (
            frozenset(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)) if ids else (frozenset())
        )
    base = choice_known()
    return Known(**{**base.__dict__, **found})


def engine_config() -> EngineConfig:
    from tickets.services import priority_matrix

    return EngineConfig(
        matrix=priority_matrix(),
        lifecycle=LIFECYCLE,
        status_labels=choice_labels("statuses"),
        level_labels=choice_labels("levels"),
    )


# -- rules ------------------------------------------------------------------------------------------------------------
def rules_queryset() -> QuerySet[Rule]:
    """Rules with their definition and the id of their latest history row (the version a firing records)."""
    latest = Rule.history.filter(id=OuterRef("pk")).order_by("-history_id").values("history_id")[:1]
    return Rule.objects.ordered().with_definition().annotate(version_id=Subquery(latest))


def load_rules(*, active_only: bool = True, ids: Iterable[int] | None = None) -> list[RuleDef]:
    """Rules as engine definitions, in position order; four queries however many rules there are."""
    rules = rules_queryset()
    if active_only:
        rules = rules.filter(active=True)
    if ids is not None:
        rules = rules.filter(pk__in=list(ids))
    return [rule_def(rule) for rule in rules]


def load_ruleset(*, active_only: bool = True) -> RuleSet:
    return RuleSet(load_rules(active_only=active_only))


# The tables whose rows shape the active rules as the engine sees them (definitions, versions, ranks, names shown in
# traces) and the engine's configuration (the ITIL matrix). Every write to them leaves a history row.
def _stamp_models() -> list[Any]:
    from tickets.models import PriorityMatrixCell

    return [
        Rule.history.model,
        Criterion.history.model,
        Criterion.vip_statuses.through,
        Action.history.model,
        VipStatus.history.model,
        Team.history.model,
        ServiceInstance.history.model,
        TechnicalService.history.model,
        CustomerGroup.history.model,
        ServiceLevel.history.model,
        PriorityMatrixCell.history.model,
    ]


def definitions_stamp() -> tuple:
    """One query: for each history table above, its highest id and latest history date (both read from an index);
    for the one table without history (a criterion's VIP statuses), its row count and highest id.

    Any write through the services adds a history row, deletions included, so the stamp changes. The date guards
    against ids reused after a rollback (SQLite hands out a rolled-back id again).
    """
    quote = connection.ops.quote_name
    parts = []
    for model in _stamp_models():
        table = quote(model._meta.db_table)
        pk = quote(model._meta.pk.column)
        parts.append(f"(SELECT MAX({pk}) FROM {table})")
        if any(f.name == "history_date" for f in model._meta.concrete_fields):
            parts.append(f"(SELECT MAX({quote('history_date')}) FROM {table})")
        else:
            parts.append(f"(SELECT COUNT(*) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return (connection.alias, *row)


_live_cache: dict[str, tuple[tuple, RuleSet, EngineConfig]] = {}
_live_lock = threading.Lock()


def live_rules() -> tuple[RuleSet, EngineConfig]:
    """The active rules, compiled, and the engine configuration, for live runs (logging and changing tickets).

    Loading 200 rules with their criteria and actions costs four queries and compiling them a few milliseconds, on
    every ticket write; instead they are kept in memory per process and reused while `definitions_stamp()` (one
    query) is unchanged, so a rule saved on another server is used by this one on its next ticket write.
    """
    stamp = definitions_stamp()
    cached = _live_cache.get(connection.alias)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    ruleset, config = load_ruleset(), engine_config()
    with _live_lock:
        _live_cache[connection.alias] = (stamp, ruleset, config)
    return ruleset, config


def fields_used(ruleset: RuleSet) -> frozenset[str]:
    """The criterion fields the active rules look at (a snapshot skips loading what no rule reads)."""
    return frozenset(c.field for compiled in ruleset.compiled if compiled.rule.active for c in compiled.rule.criteria)


# -- snapshots --------------------------------------------------------------------------------------------------------
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
            self.groups = {pid: frozenset(_reachable(gids, parents)) for pid, gids in direct.items()}
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
