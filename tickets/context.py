"""What the desk should know while a caller is on the line: the caller's open tickets (so a second call about the same
printer becomes a note, not a duplicate), their customer groups' support notes, and for each service instance
concerned its service level, primary customer, the contacts to tell for a P1 and any heightened support running now.

Log a call's caller card and the ticket page's context card both read it here, in a constant number of queries
whatever the caller's history: the open tickets are one page and a count, the instances one query with their
contacts joined and their heightened timeframes prefetched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from services.models import CustomerGroup, ServiceInstance, Timeframe
from services.selectors import person_effective_groups
from tickets import selectors
from tickets.choices import OPEN_STATUSES
from tickets.models import Ticket

# The open tickets listed on a card; the rest are one click away in the queue.
OPEN_TICKETS_SHOWN = 8


@dataclass
class Heightened:
    """A heightened support timeframe running now, with the end of its current occurrence."""

    name: str
    ends: dt.datetime
    notes: str


@dataclass
class InstanceContext:
    instance: ServiceInstance
    heightened: list[Heightened] = field(default_factory=list)
    # (role, person): the customer group's contacts, whom the desk tells about a P1 on this instance.
    contacts: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def group(self) -> CustomerGroup:
        return self.instance.customer_group


@dataclass
class CallerContext:
    person: Any
    open_tickets: list[Ticket]
    open_count: int
    more_url: str
    support_notes: list[CustomerGroup]
    instances: list[InstanceContext]
    can_view_tickets: bool
    can_view_services: bool
    can_view_contacts: bool
    can_add_note: bool

    @property
    def more_count(self) -> int:
        return max(0, self.open_count - len(self.open_tickets))

    def instance(self, instance_id: Any) -> InstanceContext | None:
        return next((ic for ic in self.instances if str(ic.instance.pk) == str(instance_id)), None)


def open_tickets(person: Any, *, exclude: Ticket | None = None) -> tuple[list[Ticket], int]:
    """The caller's open tickets, newest first (one page), and how many there are: two queries."""
    tickets = Ticket.objects.filter(caller=person, status__in=OPEN_STATUSES)
    if exclude is not None:
        tickets = tickets.exclude(pk=exclude.pk)
    page = tickets.only("number", "title", "status", "priority", "opened_at").order_by("-opened_at", "-id")
    return list(page[:OPEN_TICKETS_SHOWN]), tickets.count()


def with_context(instances: QuerySet[ServiceInstance], *, at: dt.datetime) -> QuerySet[ServiceInstance]:
    """Instances with what their context shows: contacts joined, heightened timeframes that may be running prefetched
    (yearly ones are decided in Python, on their dates in any year)."""
    candidates = Timeframe.objects.filter(heightened_support=True).filter(
        Q(recurs_yearly=True) | Q(start__lte=at, end__gt=at)
    )
    return instances.select_related(
        "customer_group__primary_contact__vip_status", "customer_group__secondary_contact__vip_status"
    ).prefetch_related(Prefetch("timeframes", queryset=candidates.order_by("end", "id"), to_attr="heightened_now"))


def instance_context(instance: ServiceInstance, *, at: dt.datetime) -> InstanceContext:
    heightened = []
    for timeframe in getattr(instance, "heightened_now", []):
        ends = timeframe.active_until(at)
        if ends is not None:
            heightened.append(Heightened(name=timeframe.name, ends=ends, notes=timeframe.notes))
    group = instance.customer_group
    roles = (("Primary contact", group.primary_contact), ("Secondary contact", group.secondary_contact))
    contacts = [(label, person) for label, person in roles if person is not None]
    return InstanceContext(instance=instance, heightened=sorted(heightened, key=lambda h: h.ends), contacts=contacts)


def caller_context(
    person: Any,
    user: Any,
    *,
    instance_ids: list[int] | None = None,
    exclude_ticket: Ticket | None = None,
) -> CallerContext:
    """The context of a caller for this user. `instance_ids`: the instances concerned (the ticket's); None means every
    instance the caller consumes (Log a call, which offers them to pick from). What the user may not view is flagged
    or left out, never shown as empty."""
    now = timezone.now()
    can_view_tickets = user.has_perm("tickets.view_ticket")
    tickets, count = open_tickets(person, exclude=exclude_ticket) if can_view_tickets else ([], 0)
    groups = person_effective_groups(person)
    if instance_ids is None:
        chosen = selectors.caller_service_instances(person, groups=groups)
    else:
        chosen = ServiceInstance.objects.with_related().filter(pk__in=instance_ids)
    instances = list(with_context(chosen, at=now)) if instance_ids is None or instance_ids else []
    support: dict[int, CustomerGroup] = {}
    if user.has_perm("services.view_customergroup"):
        for group in [g.group for g in groups] + [i.customer_group for i in instances]:
            if group.support_notes.strip():
                support.setdefault(group.pk, group)
    return CallerContext(
        person=person,
        open_tickets=tickets,
        open_count=count,
        more_url=reverse("tickets:queue") + "?" + urlencode({"q": person.email or person.full_name}),
        support_notes=list(support.values()),
        instances=[instance_context(i, at=now) for i in instances],
        can_view_tickets=can_view_tickets,
        can_view_services=user.has_perm("services.view_serviceinstance"),
        can_view_contacts=user.has_perm("services.view_customergroup"),
        can_add_note=user.has_perm("tickets.add_ticketnote"),
    )
