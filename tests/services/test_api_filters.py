"""Every services API resource filters on its foreign keys and status; bad filter values are 400, never ignored."""

import datetime as dt

import pytest

from services.models import ConfigurationItem, CustomerGroup, Membership, Task
from services.services import customer_group_update
from tests import factories
from tests.base import count_queries
from tests.services import factories as sf

pytestmark = pytest.mark.django_db


def ids(api, url, **params):
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def world(admin_user):
    """Two of everything, differing in each foreign key and status, so every filter must pick exactly one."""
    team_a, team_b = factories.team(0), factories.team(1)
    ann, bob = factories.person(0), factories.person(1)
    gold, silver = sf.service_level(0, name="Gold", hours="24x7"), sf.service_level(1, name="Silver")
    drive = sf.technical_service(0, name="Shared Drive", owner_team=team_a)
    mail = sf.technical_service(1, name="Email", owner_team=team_b, status="retired")
    faculty = sf.customer_group(0, name="Faculty", kind=CustomerGroup.Kind.GROUPS, primary_contact=ann)
    chem = sf.customer_group(1, name="Chemistry", primary_contact=bob, secondary_contact=ann)
    customer_group_update(faculty, user=None, change_reason="nest", nested_groups=[chem])
    m_ann = sf.membership(faculty, ann, role=Membership.Role.APPROVER)
    m_bob = sf.membership(chem, bob)
    one = sf.agreement(0, technical_service=drive, customer_group=faculty, service_level=gold, owner_team=team_a)
    two = sf.service_instance(1, technical_service=mail, customer_group=chem, owner_team=team_b)
    ci_one = sf.configuration_item(0, service_instances=[one], owner_team=team_a, ci_type="server")
    ci_two = sf.configuration_item(
        1, service_instances=[two], owner_team=team_b, ci_type="database", status=ConfigurationItem.Status.RETIRED
    )
    tf_one = sf.timeframe(one, 0, heightened_support=True)
    tf_two = sf.timeframe(two, 1, recurs_yearly=True)
    task_one = sf.task(one, 0, team=team_a, assignee=admin_user, due_date=dt.date(2026, 1, 10))
    task_two = sf.task(two, 1, team=team_b, status=Task.Status.DONE, due_date=dt.date(2026, 3, 10))
    return locals()


CASES = [
    # (url, filter, value key in world (or literal), expected row key)
    ("/api/technical-services/", "status", "retired", "mail"),
    ("/api/technical-services/", "owner_team", "team_a", "drive"),
    ("/api/service-levels/", "hours", "24x7", "gold"),
    ("/api/customer-groups/", "kind", "groups", "faculty"),
    ("/api/customer-groups/", "primary_contact", "bob", "chem"),
    ("/api/customer-groups/", "secondary_contact", "ann", "chem"),
    ("/api/customer-groups/", "nested_in", "faculty", "chem"),
    ("/api/customer-groups/", "member", "ann", "faculty"),
    ("/api/memberships/", "group", "chem", "m_bob"),
    ("/api/memberships/", "person", "ann", "m_ann"),
    ("/api/memberships/", "role", "approver", "m_ann"),
    ("/api/service-instances/", "status", "prospective", "two"),
    ("/api/service-instances/", "technical_service", "drive", "one"),
    ("/api/service-instances/", "customer_group", "chem", "two"),
    ("/api/service-instances/", "service_level", "gold", "one"),
    ("/api/service-instances/", "owner_team", "team_b", "two"),
    ("/api/configuration-items/", "status", "retired", "ci_two"),
    ("/api/configuration-items/", "ci_type", "server", "ci_one"),
    ("/api/configuration-items/", "owner_team", "team_a", "ci_one"),
    ("/api/configuration-items/", "service_instance", "two", "ci_two"),
    ("/api/timeframes/", "service_instance", "one", "tf_one"),
    ("/api/timeframes/", "heightened_support", "true", "tf_one"),
    ("/api/timeframes/", "recurs_yearly", "true", "tf_two"),
    ("/api/tasks/", "service_instance", "two", "task_two"),
    ("/api/tasks/", "team", "team_a", "task_one"),
    ("/api/tasks/", "assignee", "admin_user", "task_one"),
    ("/api/tasks/", "status", "done", "task_two"),
    ("/api/tasks/", "due_before", "2026-02-01", "task_one"),
]


@pytest.mark.parametrize(("url", "name", "value", "expected"), CASES, ids=[f"{c[0]}?{c[1]}" for c in CASES])
def test_every_resource_filters_on_its_foreign_keys_and_status(api, world, url, name, value, expected):
    value = getattr(world[value], "pk", None) if value in world else value
    assert ids(api, url, **{name: value}) == {world[expected].pk}


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/technical-services/", "owner_team"),
        ("/api/customer-groups/", "nested_in"),
        ("/api/memberships/", "person"),
        ("/api/service-instances/", "service_level"),
        ("/api/configuration-items/", "service_instance"),
        ("/api/timeframes/", "service_instance"),
        ("/api/tasks/", "assignee"),
    ],
)
@pytest.mark.parametrize("bad", ["abc", "1.5", str(10**30)])
def test_a_malformed_foreign_key_filter_is_400(api, url, name, bad):
    assert api.get(url, {name: bad}).status_code == 400


@pytest.mark.parametrize(
    "url",
    ["/api/technical-services/", "/api/service-instances/", "/api/configuration-items/", "/api/tasks/"],
)
def test_an_unknown_status_is_400(api, url):
    assert api.get(url, {"status": "frozen"}).status_code == 400


def test_members_endpoint_queries_constant_from_10_to_100_members_through_nested_groups(api, default_status):
    exec_ = factories.vip_status("Executive")
    top = sf.customer_group(0, name="Top")
    middle = sf.customer_group(1, name="Middle")
    customer_group_update(top, user=None, change_reason="nest", nested_groups=[middle])

    def grow(start, stop):
        for i in range(start, stop):
            person = factories.person(i, vip_status=exec_ if i % 3 == 0 else None)
            sf.membership(middle if i % 2 else top, person)

    url = f"/api/customer-groups/{top.pk}/members/"
    grow(0, 10)
    few = count_queries(lambda: api.get(url))
    grow(10, 100)
    response = api.get(url, {"limit": 100})
    assert response.status_code == 200 and response.json()["count"] == 100
    page = response.json()["results"]
    # VIPs first (in VIP order), then by name; a second page continues where the first stopped.
    assert [r["person"]["vip_status"]["name"] for r in page[:34]] == ["Executive"] * 34
    assert page[34]["person"]["vip_status"]["name"] == default_status.name
    second = api.get(url, {"limit": 50, "offset": 50}).json()["results"]
    assert len(second) == 50 and not {r["person"]["id"] for r in second} & {r["person"]["id"] for r in page[:50]}
    assert count_queries(lambda: api.get(url)) == few
