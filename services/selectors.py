"""Reads shared by the service pages, the person page and the API.

Nested groups are walked in Python over the edge list, loaded in one query: the cost is the same at depth 1 and at
depth 10, and the walk is the same on SQLite and PostgreSQL (no recursive SQL to keep in step).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from people.models import Person
from services.models import ConfigurationItem, CustomerGroup, Membership, ServiceInstance, Task, Timeframe

Edges = dict[int, set[int]]


# -- the group graph --------------------------------------------------------------------------------------------------
def group_edges() -> tuple[Edges, Edges]:
    """(children by parent, parents by child) for every nesting, in one query."""
    through = CustomerGroup.nested_groups.through
    children: Edges = defaultdict(set)
    parents: Edges = defaultdict(set)
    for parent_id, child_id in through.objects.values_list("from_customergroup_id", "to_customergroup_id"):
        children[parent_id].add(child_id)
        parents[child_id].add(parent_id)
    return children, parents


def reachable(start: Iterable[int], edges: Edges) -> dict[int, int | None]:
    """Every node reachable from `start` (included), with the node it was first reached from (None for a start)."""
    came_from: dict[int, int | None] = {node: None for node in start}
    stack = list(came_from)
    while stack:
        node = stack.pop()
        for nxt in edges.get(node, ()):
            if nxt not in came_from:
                came_from[nxt] = node
                stack.append(nxt)
    return came_from


def nested_group_cycle(group_id: int | None, nested_ids: Iterable[int]) -> list[int] | None:
    """The cycle that giving `group_id` these nested groups would close, as a path of ids that starts and ends with
    the group, or None when there is none."""
    nested_ids = list(nested_ids)
    if group_id is None:
        return None
    if group_id in nested_ids:
        return [group_id, group_id]
    children, _ = group_edges()
    children[group_id] = set(nested_ids)
    # Walk from the proposed children; reaching the group again means it would contain itself.
    came_from = {child: group_id for child in nested_ids}
    stack = list(nested_ids)
    while stack:
        node = stack.pop()
        for nxt in children.get(node, ()):
            if nxt == group_id:
                path = [group_id, node]
                while came_from.get(path[-1]) not in (None, group_id):
                    path.append(came_from[path[-1]])
                return [group_id, *reversed(path[1:]), group_id]
            if nxt not in came_from:
                came_from[nxt] = node
                stack.append(nxt)
    return None


def descendant_group_ids(group_id: int) -> set[int]:
    """The group and every group nested in it, at any depth (one query)."""
    children, _ = group_edges()
    return set(reachable([group_id], children))


# -- effective members and groups -------------------------------------------------------------------------------------
@dataclass
class EffectiveMember:
    """A person who belongs to a group directly or through nested groups; listed once with all their roles."""

    person: Person
    group_id: int
    roles: list[tuple[CustomerGroup, str]] = field(default_factory=list)

    @property
    def direct(self) -> bool:
        return any(role_group.pk == self.group_id for role_group, _ in self.roles)

    @property
    def via(self) -> list[CustomerGroup]:
        seen: dict[int, CustomerGroup] = {}
        for role_group, _ in self.roles:
            if role_group.pk != self.group_id:
                seen.setdefault(role_group.pk, role_group)
        return list(seen.values())

    @property
    def role_labels(self) -> list[str]:
        return sorted({str(Membership.Role(role).label) for _, role in self.roles})


def current_memberships(on: dt.date | None = None) -> QuerySet[Membership]:
    on = on or timezone.localdate()
    return Membership.objects.filter(
        (Q(start_date__isnull=True) | Q(start_date__lte=on)) & (Q(end_date__isnull=True) | Q(end_date__gte=on))
    )


def effective_members(group: CustomerGroup | int, *, on: dt.date | None = None) -> list[EffectiveMember]:
    """Everyone in the group directly or through nested groups (current memberships), each once; two queries."""
    group_id = getattr(group, "pk", group)
    group_ids = descendant_group_ids(group_id)
    memberships = (
        current_memberships(on)
        .filter(group_id__in=group_ids)
        .select_related("person__vip_status", "group")
        .order_by("person__last_name", "person__first_name", "person_id", "group__name", "role")
    )
    members: dict[int, EffectiveMember] = {}
    for membership in memberships:
        member = members.setdefault(membership.person_id, EffectiveMember(person=membership.person, group_id=group_id))
        member.roles.append((membership.group, membership.role))
    return list(members.values())


# VIPs first (statuses shown on tickets, by their position), then everyone else by status position and name: the same
# VIP order as the ticket queue, so the people a service-level manager must not miss head the list; the search box
# finds anyone else by name or email.
MEMBER_ORDER = [
    Case(When(vip_status__show_on_tickets=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
    "vip_status__position",
    "last_name",
    "first_name",
    "id",
]


def effective_member_people(
    group: CustomerGroup | int, *, on: dt.date | None = None, search: str = "", group_ids: set[int] | None = None
) -> QuerySet[Person]:
    """The group's effective members as a lazy, ordered query of people (VIPs first, then by name), for paging: the
    group graph is read now (one query), the people only when the query is sliced or counted."""
    if group_ids is None:
        group_ids = descendant_group_ids(getattr(group, "pk", group))
    member_ids = current_memberships(on).filter(group_id__in=group_ids).values("person_id")
    return Person.objects.with_vip().filter(pk__in=member_ids).search(search).order_by(*MEMBER_ORDER)


def effective_members_of(
    group: CustomerGroup | int,
    people: Iterable[Person],
    *,
    on: dt.date | None = None,
    group_ids: set[int] | None = None,
) -> list[EffectiveMember]:
    """These people (e.g. one page of `effective_member_people`) with their roles in the group and its nested groups,
    in the given order; one query whatever the number of people."""
    group_id = getattr(group, "pk", group)
    if group_ids is None:
        group_ids = descendant_group_ids(group_id)
    people = list(people)
    members = {person.pk: EffectiveMember(person=person, group_id=group_id) for person in people}
    memberships = (
        current_memberships(on)
        .filter(group_id__in=group_ids, person_id__in=list(members))
        .select_related("group")
        .order_by("group__name", "role")
    )
    for membership in memberships:
        members[membership.person_id].roles.append((membership.group, membership.role))
    return list(members.values())


@dataclass
class EffectiveGroup:
    """A group a person belongs to: with roles when direct, through the nested group it came from otherwise."""

    group: CustomerGroup
    roles: list[str] = field(default_factory=list)
    via: CustomerGroup | None = None

    @property
    def direct(self) -> bool:
        return bool(self.roles)

    @property
    def role_labels(self) -> list[str]:
        return sorted({str(Membership.Role(role).label) for role in self.roles})


def person_effective_groups(person: Person | int, *, on: dt.date | None = None) -> list[EffectiveGroup]:
    """The groups a person belongs to, directly or because a group they are in is nested in another; three queries."""
    person_id = getattr(person, "pk", person)
    roles: dict[int, list[str]] = defaultdict(list)
    for group_id, role in current_memberships(on).filter(person_id=person_id).values_list("group_id", "role"):
        roles[group_id].append(role)
    if not roles:
        return []
    _, parents = group_edges()
    came_from = reachable(roles, parents)
    groups = CustomerGroup.objects.in_bulk(list(came_from))
    result = [
        EffectiveGroup(
            group=groups[group_id],
            roles=roles.get(group_id, []),
            via=groups.get(came_from[group_id]) if group_id not in roles else None,
        )
        for group_id in came_from
        if group_id in groups
    ]
    return sorted(result, key=lambda g: (not g.direct, g.group.name.lower()))


def person_instances(person: Person | int, *, groups: list[EffectiveGroup] | None = None) -> QuerySet[ServiceInstance]:
    """The service instances a person consumes (through any effective group) or is a customer of."""
    person_id = getattr(person, "pk", person)
    if groups is None:
        groups = person_effective_groups(person_id)
    return (
        ServiceInstance.objects.with_related()
        .filter(
            Q(customer_group_id__in=[g.group.pk for g in groups])
            | Q(primary_customer_id=person_id)
            | Q(secondary_customer_id=person_id)
        )
        .order_by("title")
    )


def member_counts(group_ids: Iterable[int], *, on: dt.date | None = None) -> dict[int, int]:
    """Effective member count per group (people counted once per group), in two queries for any number of groups."""
    group_ids = list(group_ids)
    children, _ = group_edges()
    reach = {gid: set(reachable([gid], children)) for gid in group_ids}
    wanted = set().union(*reach.values()) if reach else set()
    people_by_group: dict[int, set[int]] = defaultdict(set)
    for group_id, person_id in current_memberships(on).filter(group_id__in=wanted).values_list("group_id", "person_id"):
        people_by_group[group_id].add(person_id)
    return {gid: len(set().union(*(people_by_group[g] for g in reach[gid]))) for gid in group_ids}


# -- instances and timeframes -----------------------------------------------------------------------------------------
def service_instance_detail_queryset() -> QuerySet[ServiceInstance]:
    return ServiceInstance.objects.with_related().prefetch_related(
        Prefetch("configuration_items", queryset=ConfigurationItem.objects.select_related("owner_team")),
        Prefetch("timeframes", queryset=Timeframe.objects.order_by("start", "id")),
        Prefetch("tasks", queryset=Task.objects.select_related("team", "assignee")),
    )


def active_timeframes(
    timeframes: Iterable[Timeframe] | QuerySet[Timeframe], *, at: dt.datetime | None = None
) -> list[Timeframe]:
    """The timeframes active at `at` (now by default), yearly ones matched on their dates in any year."""
    at = at or timezone.now()
    if isinstance(timeframes, QuerySet):
        # One-off timeframes can be decided in SQL; yearly ones are checked in Python.
        timeframes = timeframes.filter(Q(recurs_yearly=True) | Q(start__lte=at, end__gt=at))
    return [timeframe for timeframe in timeframes if timeframe.is_active(at)]


def customer_group_rows() -> QuerySet[CustomerGroup]:
    """Customer groups as the list shows them: contacts with their VIP status and the number of instances."""
    groups = CustomerGroup.objects.select_related("primary_contact__vip_status", "secondary_contact__vip_status")
    return groups.annotate(instance_count=Count("instances", distinct=True))
