"""Reads shared by the ticket pages, the API and the panels on other apps' pages."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections
from django.db.models import F, Q, QuerySet
from django.db.models.sql.where import WhereNode
from django.utils import timezone

from itsm.counts import Total, explain_rows
from itsm.fulltext import parse
from itsm.params import search_param
from people.models import Person
from services.models import ConfigurationItem, ServiceInstance
from services.selectors import person_instances
from tickets import clock
from tickets.choices import OPEN_STATUSES, PREFIXES, PRIORITY_LABELS, DueState, Status, format_number
from tickets.models import Ticket, TicketQuerySet
from tickets.models.caller_vip import CallerVipOrder, ShownCallerVip
from tickets.search import match_tickets

_PREFIX_ALTERNATIVES = "|".join(PREFIXES.values())
NUMBER_PATTERN = re.compile(rf"^\s*({_PREFIX_ALTERNATIVES})\s*0*(\d{{1,12}})\s*$", re.IGNORECASE)

# The queue's default order: priority, then VIP callers (statuses shown on tickets) before others, higher VIP status
# (lower position) first, then the oldest.
QUEUE_ORDER = ["priority", "vip_rank", "caller__vip_status__position", "opened_at", "id"]

SCOPES = {"mine", "my_teams", "unassigned"}
STATES = {"open", "all", *Status.values}


def normalise_number(term: str) -> str | None:
    """'inc42' or ' INC000042 ' -> 'INC000042'; None when the text is not a ticket number."""
    match = NUMBER_PATTERN.match(term or "")
    if not match:
        return None
    return format_number(match.group(1).upper(), int(match.group(2)))


def ticket_by_number(term: str) -> Ticket | None:
    number = normalise_number(term)
    if number is None:
        return None
    return Ticket.objects.filter(number=number).first()


# Up to this many matching tickets, a page sorts all their ids at once (cheap) instead of counting per priority first.
SMALL_SORT = 2000


class QueueQuerySet(TicketQuerySet):
    """Tickets that, sliced while in QUEUE_ORDER (the queue, the API list), sort one priority at a time.

    QUEUE_ORDER starts with the priority; its next keys (VIP rank and position) come from the caller's VIP status,
    which the ticket holds (models/caller_vip.py) but whose meaning lives on the status, so no index gives that order
    and one query sorts every matching ticket: ~150 ms for the API's 100,000. The priority is indexed
    (`ticket_queue_cover_idx`, `ticket_priority_idx`), so counting per priority is cheap, and a page then sorts only
    the priorities it covers: the first pages, the ones people look at, cost the size of priority 1, read from the
    covering index. Same rows, same order, constant queries.
    A slice taken this way is a list, which is all a paginator needs.
    """

    def __getitem__(self, k):
        if (
            isinstance(k, slice)
            and self._result_cache is None
            and not self.query.is_sliced
            and k.step is None
            and k.stop is not None
            and (k.start or 0) >= 0
            and self.query.order_by
            and self._fields is None
        ):
            if self._in_queue_order():
                return self._slice_by_priority(k.start or 0, k.stop)
            # Any other order (the queue's other columns): ids first too, so the sort carries narrow rows.
            return self._rows(list(QuerySet.__getitem__(self.values_list("pk", flat=True), k)))
        return super().__getitem__(k)

    def _in_queue_order(self) -> bool:
        return list(self.query.order_by) == QUEUE_ORDER

    def _priority_counts(self, stop: int) -> list[tuple[int, int]]:
        """[(priority, tickets)] for every priority, each counted up to `stop` only, in one query: enough to know
        which priorities rows `start`..`stop - 1` fall in (once the running total reaches `stop`, later priorities
        are not on the page), and each count reads at most `stop` entries of the status-and-priority index, so a
        first page costs 5 x 25 entries, not the 100,000 open tickets. (Finding the edge priority by skipping
        `stop - 1` entries of a priority index instead read past every closed ticket on PostgreSQL: 200 ms.)"""
        parts, params = [], []
        for priority in sorted(PRIORITY_LABELS):
            capped = QuerySet.__getitem__(self.filter(priority=priority).order_by().values("pk"), slice(0, stop))
            sql, more = capped.query.sql_with_params()
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) p{priority})")
            params.extend(more)
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            counts = cursor.fetchone()
        return [(priority, count) for priority, count in zip(sorted(PRIORITY_LABELS), counts, strict=True) if count]

    def count(self) -> int:
        total = super().count()
        self._known_count = total  # a paginator counts, then slices this same object
        return total

    def _slice_by_priority(self, start: int, stop: int) -> list[Ticket]:
        if stop <= start:
            return []
        if getattr(self, "_known_count", SMALL_SORT + 1) <= SMALL_SORT:
            # Few rows (a search, a narrow filter): one sort of all their ids beats counting per priority first.
            ids = list(QuerySet.__getitem__(self._ids_in_order(), slice(start, stop)))
            return self._rows(ids)
        counts = self._priority_counts(stop)
        touched, skipped, offset = [], 0, 0
        for priority, count in sorted(counts):
            if offset + count > start and offset < stop:
                if not touched:
                    skipped = offset
                touched.append(priority)
            offset += count
        if not touched:
            return []
        # Ids first, so the sort carries narrow rows read from the covering index, not whole tickets; the VIP keys
        # from the caller's status kept on the ticket (the EXISTS of `vip_rank` would look the caller up per row).
        # Same values, same order. One query whatever the number of priorities the page spans.
        page = self.filter(priority__in=touched)._ids_in_order()
        ids = list(QuerySet.__getitem__(page, slice(start - skipped, stop - skipped)))
        return self._rows(ids)

    def _ids_in_order(self):
        return self.order_by("priority", CallerVipOrder(), *QUEUE_ORDER[3:]).values_list("pk", flat=True)

    def _rows(self, ids: list[int]) -> list[Ticket]:
        if not ids:
            return []
        # The rows by their keys alone (same related rows and annotations): the filters chose these ids already.
        # Repeated, they led SQLite to walk every open ticket by an index on the status to find the 25 (11 ms at
        # 100,000 open tickets) instead of looking them up by key (under 1 ms).
        by_key = self._chain()
        by_key.query.where = WhereNode()
        by_key = by_key.filter(pk__in=ids).order_by()
        rows = {ticket.pk: ticket for ticket in QuerySet.__getitem__(by_key, slice(None))}
        return [rows[pk] for pk in ids if pk in rows]


def ticket_list() -> QuerySet[Ticket]:
    """Every ticket with what a list row shows, for a constant number of queries."""
    return QueueQuerySet(model=Ticket).with_related().with_vip_rank()


def ticket_queue(
    *,
    user: Any = None,
    scope: str = "",
    state: str = "open",
    ticket_type: str = "",
    priority: int | None = None,
    vip_only: bool = False,
    service_instance_id: int | None = None,
    customer_group_id: int | None = None,
    search: str = "",
) -> QuerySet[Ticket]:
    """The analyst's queue, filtered; ordered by QUEUE_ORDER unless the caller sorts otherwise."""
    tickets = ticket_list()
    if state == "open" or state not in STATES:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif state != "all":
        tickets = tickets.filter(status=state)
    if scope == "mine" and user is not None:
        tickets = tickets.filter(assignee=user)
    elif scope == "my_teams" and user is not None:
        tickets = tickets.filter(team__in=list(user.teams.values_list("pk", flat=True)))
    elif scope == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    if ticket_type:
        tickets = tickets.filter(ticket_type=ticket_type)
    if priority:
        tickets = tickets.filter(priority=priority)
    if vip_only:
        tickets = tickets.filter(ShownCallerVip())
    if service_instance_id:
        tickets = tickets.filter(service_instance_id=service_instance_id)
    if customer_group_id:
        tickets = tickets.filter(service_instance__customer_group_id=customer_group_id)
    return search_tickets(tickets, search, user=user).order_by(*QUEUE_ORDER)


def search_tickets(tickets: QuerySet[Ticket], term: str, *, user: Any = None) -> QuerySet[Ticket]:
    """A ticket number finds that ticket exactly; other text is a full-text search: every word in the ticket's
    number, title, description or notes (notes only for readers who may see them), or every word in its caller's
    name, e-mail or phone."""
    number = normalise_number(search_param(term))
    if number:
        return tickets.filter(number=number)
    return match_tickets(tickets, parse(term), user=user)


# -- the queue's tabs, live version and counts ----------------------------------------------------------------------
def at_risk(now: dt.datetime | None = None) -> Q:
    """Open tickets whose clock is breached or due soon (the queue's "At risk" tab), in the clock's own terms."""
    now = now or timezone.now()
    risky = clock.state_filter(DueState.BREACHED, now) | clock.state_filter(DueState.DUE_SOON, now)
    return Q(status__in=OPEN_STATUSES) & risky


# The due order: the next due time of either target, soonest (or most overdue) first; tickets without a running
# target last, in either direction, on every database (NULLS LAST, which the next-due index serves on PostgreSQL).
DUE_ORDER = [F("next_due_at").asc(nulls_last=True), "priority", "id"]
DUE_ORDER_DESC = [F("next_due_at").desc(nulls_last=True), "priority", "id"]

# Beyond this many tickets the queue says "10,000+" (or the planner's "about 1.2 million") instead of counting.
COUNT_CAP = 10_000
# The live queue's version moves every few minutes even when no ticket changed, so due chips and ages stay fresh.
VERSION_BUCKET_SECONDS = 300


@dataclass(frozen=True)
class QueueState:
    """What the live queue's ETag is made of, read in one query: the newest ticket write and the VIP statuses shown
    on tickets (showing or hiding a status changes the VIP queue, so it changes the version too). The statuses'
    ids also go to the "VIP callers only" filter as values: PostgreSQL then plans with their real share of tickets
    (a few percent) instead of guessing from the number of statuses (three in five)."""

    version: str
    shown_vip_ids: tuple[int, ...]


_SHOWN_IDS = {"postgresql": "string_agg(id::text, ',')", "sqlite": "group_concat(id, ',')"}


def queue_state(now: dt.datetime | None = None) -> QueueState:
    """One query: MAX(updated_at) read from the end of `ticket_updated_idx` (every ticket write bumps it), and the
    shown statuses. The version moves every VERSION_BUCKET_SECONDS too, so due chips and ages stay fresh."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT MAX(updated_at) FROM tickets_ticket), "
            f"(SELECT {_SHOWN_IDS[connection.vendor]} FROM vip_vipstatus WHERE show_on_tickets)"
        )
        newest, shown = cursor.fetchone()
    if isinstance(newest, str):  # SQLite keeps UTC times as text
        newest = dt.datetime.fromisoformat(newest).replace(tzinfo=dt.UTC)
    ids = tuple(sorted(int(pk) for pk in shown.split(","))) if shown else ()
    stamp = newest.timestamp() if newest else 0
    bucket = int((now or timezone.now()).timestamp()) // VERSION_BUCKET_SECONDS
    return QueueState(f'"q{stamp:.6f}-{bucket}-v{".".join(map(str, ids))}"', ids)


def queue_version(now: dt.datetime | None = None) -> str:
    return queue_state(now).version


def capped_total(tickets: QuerySet[Ticket], cap: int | None = None, *, estimate: bool = True) -> Total:
    """COUNT over at most cap + 1 rows (a LIMIT subquery), so a million tickets cost what 10,001 do; past the cap,
    PostgreSQL's planner estimate (pg_class.reltuples for the whole table, else EXPLAIN) when it is larger and
    `estimate` asks for it (a tab's badge says "10,000+" without the extra query)."""
    cap = cap or COUNT_CAP
    counted = QuerySet.count(tickets.order_by().values("pk")[: cap + 1])
    if counted <= cap:
        return Total(counted, exact=True)
    estimate = planner_estimate(tickets) if estimate and connection.vendor == "postgresql" else None
    if estimate and estimate > cap:
        return Total(estimate, exact=False, estimated=True)
    return Total(cap + 1, exact=False)


def planner_estimate(tickets: QuerySet[Ticket]) -> int | None:
    """PostgreSQL's row estimate for the queryset: statistics, not a scan (refreshed by autovacuum's ANALYZE)."""
    query = tickets.order_by().values("pk")
    with connection.cursor() as cursor:
        if not query.query.where:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [Ticket._meta.db_table])
            row = cursor.fetchone()
            return int(row[0]) if row and row[0] and row[0] > 0 else None
        sql, params = query.query.sql_with_params()
        return explain_rows(cursor, sql, params)


def ticket_detail(number: str) -> QuerySet[Ticket]:
    return (
        Ticket.objects.with_related()
        .select_related("service_instance__service_level", "service_instance__customer_group")
        .filter(number=number)
    )


def ticket_notes(ticket: Ticket):
    return ticket.notes.select_related("author").order_by("-created_at", "-id")


def tickets_for_person(person: Any, *, limit: int = 20) -> QuerySet[Ticket]:
    return Ticket.objects.with_related().with_vip_rank().filter(caller=person).order_by("-opened_at", "-id")[:limit]


def tickets_for_service_instance(instance: Any, *, limit: int = 20) -> QuerySet[Ticket]:
    tickets = Ticket.objects.with_related().with_vip_rank().filter(service_instance=instance)
    return tickets.order_by("-opened_at", "-id")[:limit]


def open_ticket_count(**filters: Any) -> int:
    return Ticket.objects.filter(status__in=OPEN_STATUSES, **filters).count()


# -- callers ------------------------------------------------------------------------------------------------------
def caller_search(term: str, *, limit: int = 10):
    """Active people matching every word of the term in their name or email, VIP status loaded."""
    term = (term or "").strip()
    if not term:
        return Person.objects.none()
    return Person.objects.with_vip().filter(active=True).search(term).order_by("last_name", "first_name", "id")[:limit]


def caller_service_instances(person: Any, *, groups: list | None = None):
    """The service instances a person consumes (through their effective customer groups, or as a customer), without
    retired ones: what the analyst picks from when logging a call. `groups`: the person's effective groups when the
    caller has them already."""
    return person_instances(person, groups=groups).exclude(status=ServiceInstance.Status.RETIRED)


def instance_configuration_items(instance_id: int):
    return ConfigurationItem.objects.filter(service_instances=instance_id).order_by("name", "id")


def assignable_analysts():
    """Who a ticket may be assigned to: active users in the Analyst role or on a support team (superusers too); not
    integration accounts or service level managers who only read tickets."""
    from django.contrib.auth import get_user_model

    from itsm.roles import ANALYST

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=ANALYST) | Q(teams__isnull=False))
        .distinct()
    )
