"""Reads shared by the ticket pages, the API and the panels on other apps' pages."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from itsm.params import search_param
from people.models import Person
from services.models import ConfigurationItem, ServiceInstance
from services.selectors import person_instances
from tickets.choices import OPEN_STATUSES, PREFIXES, PRIORITY_LABELS, Status, format_number
from tickets.models import Ticket, TicketQuerySet

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


_SHOWN_FIRST = Case(
    When(caller__vip_status__show_on_tickets=True, then=Value(0)), default=Value(1), output_field=IntegerField()
)


# Up to this many matching tickets, a page sorts all their ids at once (cheap) instead of counting per priority first.
SMALL_SORT = 2000


class QueueQuerySet(TicketQuerySet):
    """Tickets that, sliced while in QUEUE_ORDER (the queue, the API list), sort one priority at a time.

    QUEUE_ORDER starts with the priority; its next keys (VIP rank and position) live on the caller's VIP status, which
    no index on tickets can hold, so one query sorts every matching ticket through people and VIP statuses: ~30 ms for
    10,000 open tickets, ~150 ms for the API's 100,000. The priority is indexed (`ticket_queue_cover_idx`,
    `ticket_priority_idx`), so counting per priority is cheap, and a page then sorts only the priorities it covers:
    the first pages, the ones people look at, cost the size of priority 1. Same rows, same order, constant queries.
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
        """[(priority, tickets)] for the priorities up to the one holding row `stop - 1`, in one query: that edge is
        found by skipping `stop - 1` entries of a priority index, so a first page counts priority 1 only, not
        100,000 rows (the paginator's own COUNT(*) needs no grouping and stays cheap)."""
        edge = QuerySet.__getitem__(self.order_by("priority").values("priority"), slice(stop - 1, stop))
        bounded = self.filter(priority__lte=Coalesce(Subquery(edge), Value(max(PRIORITY_LABELS))))
        grouped = bounded.order_by().values_list("priority").annotate(rows=Count("pk")).values_list("priority", "rows")
        return sorted(grouped)

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
        # Ids first, so the sort carries narrow rows read from the covering index, not whole tickets; the VIP rank
        # from the join the position needs anyway (the EXISTS of `vip_rank` would look the caller up again per row).
        # Same values, same order. One query whatever the number of priorities the page spans.
        page = self.filter(priority__in=touched)._ids_in_order()
        ids = list(QuerySet.__getitem__(page, slice(start - skipped, stop - skipped)))
        return self._rows(ids)

    def _ids_in_order(self):
        return self.order_by("priority", _SHOWN_FIRST, *QUEUE_ORDER[2:]).values_list("pk", flat=True)

    def _rows(self, ids: list[int]) -> list[Ticket]:
        if not ids:
            return []
        rows = {ticket.pk: ticket for ticket in QuerySet.__getitem__(self.filter(pk__in=ids).order_by(), slice(None))}
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
        # An IN over the (few) VIP callers rather than a join per ticket: 40% faster at 10,000 open tickets.
        tickets = tickets.filter(caller__in=Person.objects.filter(vip_status__show_on_tickets=True).values("pk"))
    if service_instance_id:
        tickets = tickets.filter(service_instance_id=service_instance_id)
    if customer_group_id:
        tickets = tickets.filter(service_instance__customer_group_id=customer_group_id)
    return search_tickets(tickets, search).order_by(*QUEUE_ORDER)


def search_tickets(tickets: QuerySet[Ticket], term: str) -> QuerySet[Ticket]:
    """Every word must match the number, the title, or the caller's name or email."""
    term = search_param(term)  # capped: a thousand words would overflow the database
    if not term:
        return tickets
    number = normalise_number(term)
    if number:
        return tickets.filter(number=number)
    query = Q()
    for word in term.split():
        # Callers matching the word are found once (an IN over people), not joined and matched once per ticket.
        callers = Person.objects.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        ).values("pk")
        query &= Q(number__icontains=word) | Q(title__icontains=word) | Q(caller__in=callers)
    return tickets.filter(query)


def ticket_detail(number: str) -> QuerySet[Ticket]:
    return (
        Ticket.objects.with_related()
        .select_related("service_instance__service_level", "service_instance__customer_group")
        .filter(number=number)
    )


def ticket_notes(ticket: Ticket):
    return ticket.notes.select_related("author").order_by("-created_at", "-id")


def ticket_history(ticket: Ticket):
    return ticket.history.select_related("history_user").order_by("history_date", "history_id")


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
