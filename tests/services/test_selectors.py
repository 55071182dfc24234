"""Selectors: effective members and groups through nested groups, in a fixed number of queries; active timeframes."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from services import selectors, services
from tests import factories
from tests.base import count_queries
from tests.services import factories as sf

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def nest(parent, *children):
    services.customer_group_update(parent, user=None, change_reason="nest", nested_groups=list(children))


def chain(depth: int, offset: int = 0):
    """Groups g0 ⊃ g1 ⊃ ... ⊃ g<depth>, each with one member of its own; returns the groups."""
    groups = [sf.customer_group(offset + i) for i in range(depth + 1)]
    for parent, child in itertools.pairwise(groups):
        nest(parent, child)
    for i, group in enumerate(groups):
        sf.membership(group, factories.person(offset + i))
    return groups


def test_effective_members_through_three_levels_each_once():
    top, middle, bottom, leaf = chain(3)
    shared = factories.person(99)
    for group in (top, middle, leaf):
        sf.membership(group, shared)
    sf.membership(leaf, shared, role="approver")
    members = selectors.effective_members(top)
    ids = [m.person.pk for m in members]
    assert len(ids) == len(set(ids)) == 5
    by_id = {m.person.pk: m for m in members}
    assert by_id[shared.pk].direct
    assert {g.pk for g in by_id[shared.pk].via} == {middle.pk, leaf.pk}
    assert by_id[shared.pk].role_labels == ["Approver", "Member"]
    own = {group.pk: group.memberships.exclude(person=shared).get().person_id for group in (top, middle, bottom, leaf)}
    assert by_id[own[top.pk]].direct
    assert not by_id[own[leaf.pk]].direct
    assert [g.pk for g in by_id[own[leaf.pk]].via] == [leaf.pk]
    # Seen from the middle group, the top group's own member is not a member.
    assert {m.person.pk for m in selectors.effective_members(middle)} == set(ids) - {own[top.pk]}


def test_effective_members_skip_memberships_outside_their_dates():
    group = sf.customer_group(0)
    today = timezone.localdate()
    sf.membership(group, factories.person(0), end_date=today - dt.timedelta(days=1))
    sf.membership(group, factories.person(1), start_date=today + dt.timedelta(days=1))
    current = sf.membership(group, factories.person(2), start_date=today, end_date=today)
    assert [m.person.pk for m in selectors.effective_members(group)] == [current.person_id]


def test_effective_members_query_count_is_the_same_at_depth_1_and_depth_4():
    shallow = chain(1, offset=0)
    deep = chain(4, offset=100)
    shallow_queries = count_queries(lambda: [m.person.vip_status.name for m in selectors.effective_members(shallow[0])])
    deep_queries = count_queries(lambda: [m.person.vip_status.name for m in selectors.effective_members(deep[0])])
    assert shallow_queries == deep_queries == 2
    assert len(selectors.effective_members(deep[0])) == 5


def test_person_effective_groups_walk_up_with_roles_and_constant_queries():
    top, middle, bottom = chain(2)
    other = sf.customer_group(50)
    person = bottom.memberships.get().person
    sf.membership(other, person, role="billing_contact")
    groups = selectors.person_effective_groups(person)
    # Direct groups first, then those reached through nesting, each by name.
    assert [(g.group.pk, g.direct) for g in groups] == [
        (bottom.pk, True),
        (other.pk, True),
        (top.pk, False),
        (middle.pk, False),
    ]
    by_id = {g.group.pk: g for g in groups}
    assert by_id[other.pk].role_labels == ["Billing contact"]
    assert by_id[top.pk].via.pk == middle.pk
    deep_person = chain(4, offset=200)[-1].memberships.get().person
    assert count_queries(lambda: selectors.person_effective_groups(person)) == count_queries(
        lambda: selectors.person_effective_groups(deep_person)
    )


def test_person_instances_include_group_use_and_customer_roles():
    top, bottom = chain(1)
    person = bottom.memberships.get().person
    used = sf.service_instance(0, customer_group=top)
    customer_only = sf.agreement(10, primary_customer=person)
    sf.service_instance(11)
    assert {i.pk for i in selectors.person_instances(person)} == {used.pk, customer_only.pk}


def test_member_counts_for_many_groups_in_two_queries():
    groups = chain(3)
    counts = {}
    assert count_queries(lambda: counts.update(selectors.member_counts([g.pk for g in groups]))) == 2
    assert [counts[g.pk] for g in groups] == [4, 3, 2, 1]


class TestActiveTimeframes:
    def make(self, start, end, **fields):
        instance = sf.service_instance(0) if not hasattr(self, "instance") else self.instance
        self.instance = instance
        return sf.timeframe(instance, name=f"{start:%m-%d}", start=start, end=end, **fields)

    def active(self, at=None):
        return selectors.active_timeframes(self.instance.timeframes.all(), at=at)

    def test_one_off_timeframe_active_only_within_its_dates(self):
        timeframe = self.make(dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 3, 8, tzinfo=UTC))
        assert self.active(at=dt.datetime(2026, 3, 4, tzinfo=UTC)) == [timeframe]
        assert self.active(at=dt.datetime(2027, 3, 4, tzinfo=UTC)) == []
        assert self.active(at=dt.datetime(2026, 3, 8, tzinfo=UTC)) == []

    def test_yearly_timeframe_recurs_including_across_new_year(self):
        registration = self.make(
            dt.datetime(2024, 8, 26, tzinfo=UTC), dt.datetime(2024, 9, 2, tzinfo=UTC), recurs_yearly=True
        )
        year_end = self.make(
            dt.datetime(2024, 12, 28, tzinfo=UTC), dt.datetime(2025, 1, 3, tzinfo=UTC), recurs_yearly=True
        )
        assert self.active(at=dt.datetime(2030, 8, 30, tzinfo=UTC)) == [registration]
        assert self.active(at=dt.datetime(2031, 1, 2, tzinfo=UTC)) == [year_end]
        assert self.active(at=dt.datetime(2030, 12, 30, tzinfo=UTC)) == [year_end]
        assert self.active(at=dt.datetime(2030, 10, 1, tzinfo=UTC)) == []
        # Before the first occurrence the recurrence still applies: the dates are what matters.
        assert self.active(at=dt.datetime(2023, 8, 30, tzinfo=UTC)) == [registration]

    def test_yearly_timeframe_on_29_february(self):
        leap = self.make(dt.datetime(2024, 2, 29, tzinfo=UTC), dt.datetime(2024, 3, 2, tzinfo=UTC), recurs_yearly=True)
        assert self.active(at=dt.datetime(2025, 3, 1, tzinfo=UTC)) == [leap]

    def test_active_now_by_default(self):
        now = timezone.now()
        current = self.make(now - dt.timedelta(hours=1), now + dt.timedelta(hours=1))
        self.make(now + dt.timedelta(days=3), now + dt.timedelta(days=4))
        assert self.active() == [current]
