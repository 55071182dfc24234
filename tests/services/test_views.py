"""Pages: instance list and page, group list and page, edit forms, the person page panel; constant query counts."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from services import services
from services.models import CustomerGroup, ServiceInstance
from tests import factories
from tests.base import count_queries, grant, history_of
from tests.services import factories as sf

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def slm(client, slm_user):
    client.force_login(slm_user)
    return client


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# -- permissions ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/services/", "/services/groups/", "/services/instances/new/"])
def test_pages_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_pages_need_permission(client, nobody):
    instance = sf.service_instance(0)
    client.force_login(nobody)
    assert client.get("/services/").status_code == 403
    assert client.get(instance.get_absolute_url()).status_code == 403
    assert client.get(instance.customer_group.get_absolute_url()).status_code == 403
    grant(nobody, ServiceInstance, "view")
    grant(nobody, CustomerGroup, "view")
    assert client.get("/services/").status_code == 200
    assert client.get(instance.customer_group.get_absolute_url()).status_code == 200


def test_analyst_reads_but_cannot_edit(client, analyst_user):
    instance = sf.service_instance(0)
    client.force_login(analyst_user)
    page = html(client.get(instance.get_absolute_url()))
    assert f"/services/instances/{instance.pk}/edit/" not in page
    assert client.get(f"/services/instances/{instance.pk}/edit/").status_code == 403


# -- instance list ----------------------------------------------------------------------------------------------------
def test_instance_list_filters_search_and_status_badge(slm):
    gold = sf.service_level(0, name="Gold")
    agreed = sf.agreement(0, service_level=gold, technical_service=sf.technical_service(0, name="ERP"))
    prospective = sf.service_instance(1, technical_service=sf.technical_service(1, name="Email"))
    page = html(slm.get("/services/"))
    assert agreed.title in page and prospective.title in page
    assert '<span class="badge status-agreement ok">Agreement</span>' in page
    assert '<span class="badge status-prospective warn">Prospective</span>' in page
    for params in ({"status": "agreement"}, {"level": gold.pk}, {"q": "erp"}, {"service": agreed.technical_service_id}):
        page = html(slm.get("/services/", params))
        assert agreed.title in page and prospective.title not in page, params
    page = html(slm.get("/services/", {"group": prospective.customer_group_id}))
    assert prospective.title in page and agreed.title not in page
    page = html(slm.get("/services/", {"status": "nonsense", "group": "x", "sort": "bogus"}))
    assert agreed.title in page
    assert "No service instance matches" in html(slm.get("/services/", {"q": "zzzz"}))


def test_instance_list_highlights_overdue_dates(slm):
    sf.service_instance(0, review_date=TODAY - dt.timedelta(days=1), next_contact_date=TODAY + dt.timedelta(days=3))
    page = html(slm.get("/services/"))
    assert page.count("overdue</small>") == 1


# -- instance page ----------------------------------------------------------------------------------------------------
def test_instance_page_shows_everything_an_slm_needs(slm):
    vip = factories.vip_status("Executive", colour="#B42318")
    contact = factories.person(0, vip_status=vip)
    group = sf.customer_group(0, name="Registry", primary_contact=contact)
    user = factories.person(1)
    sf.membership(group, user)
    customer = factories.person(2, first_name="Carla")
    instance = sf.agreement(
        0,
        customer_group=group,
        primary_customer=customer,
        billing_code="CC-4100",
        charge_model="flat",
        charge_amount="400.00",
        review_date=TODAY - dt.timedelta(days=2),
        next_contact_date=TODAY + dt.timedelta(days=10),
    )
    now = timezone.now()
    active = sf.timeframe(instance, 0, name="Registration week")
    sf.timeframe(instance, 1, name="Graduation", start=now + dt.timedelta(days=30), end=now + dt.timedelta(days=31))
    sf.configuration_item(0, name="erp-db-prod", service_instances=[instance])
    sf.task(instance, 0, title="Annual review", due_date=TODAY - dt.timedelta(days=1))
    page = html(slm.get(instance.get_absolute_url()))
    for text in ("Registry", "Executive", "1 member", "CC-4100", "400.00 USD", "erp-db-prod", "Annual review"):
        assert text in page, text
    assert str(customer) in page and str(user) in page  # the customer and the user both show
    assert 'id="review-date" class="overdue"' in page
    assert 'id="next-contact-date" class="overdue"' not in page
    assert f'{active.name} <span class="badge warn">Active now</span>' in page
    assert page.count("Active now") == 1
    assert "P1" in page and "4 h" in page  # service level targets
    assert "Demo data" not in page and "test data" in page  # history with reasons


def test_instance_page_404_for_unknown(slm):
    assert slm.get("/services/instances/999999/").status_code == 404


# -- group pages ------------------------------------------------------------------------------------------------------
def test_group_page_shows_contacts_nesting_effective_members_with_vip_badges_and_instances(slm):
    vip = factories.vip_status("Executive", colour="#B42318")
    faculty = sf.customer_group(0, name="Faculty of Science", primary_contact=factories.person(0))
    chemistry = sf.customer_group(1, name="Chemistry")
    services.customer_group_update(faculty, user=None, change_reason="nest", nested_groups=[chemistry])
    dean = factories.person(1, first_name="Dana", vip_status=vip)
    sf.membership(chemistry, dean)
    instance = sf.service_instance(0, customer_group=faculty)
    page = html(slm.get(faculty.get_absolute_url()))
    assert "Chemistry" in page and instance.title in page and "Dana" in page
    assert 'class="vip-badge"' in page and "Executive" in page
    chem_page = html(slm.get(chemistry.get_absolute_url()))
    assert "Faculty of Science" in chem_page  # "part of"


def test_group_list_counts_members_and_instances(slm):
    parent, child = sf.customer_group(0, name="Parent"), sf.customer_group(1, name="Child")
    services.customer_group_update(parent, user=None, change_reason="nest", nested_groups=[child])
    sf.membership(child, factories.person(0))
    sf.service_instance(0, customer_group=parent)
    response = slm.get("/services/groups/", {"sort": "name"})
    rows = {g.name: g for g in response.context["object_list"]}
    assert rows["Parent"].member_count == 1 and rows["Parent"].instance_count == 1
    assert "Child" not in html(slm.get("/services/groups/", {"q": "par"}))


# -- edit forms -------------------------------------------------------------------------------------------------------
def test_group_form_refuses_a_cycle_and_keeps_the_input(slm):
    faculty, chemistry = sf.customer_group(0, name="Faculty"), sf.customer_group(1, name="Chemistry")
    services.customer_group_update(faculty, user=None, change_reason="nest", nested_groups=[chemistry])
    response = slm.post(
        f"/services/groups/{chemistry.pk}/edit/",
        {"name": "Chemistry dept", "kind": "individuals", "nested_groups": [faculty.pk], "change_reason": "x"},
    )
    page = html(response)
    assert "A group cannot contain itself: Chemistry → Faculty → Chemistry." in page
    assert 'value="Chemistry dept"' in page
    chemistry.refresh_from_db()
    assert chemistry.name == "Chemistry"


def test_instance_form_status_rule_and_reason(slm, slm_user):
    instance = sf.service_instance(0)
    data = {
        "technical_service": instance.technical_service_id,
        "customer_group": instance.customer_group_id,
        "status": "agreement",
        "charge_model": "none",
        "currency": "USD",
    }
    page = html(slm.post(f"/services/instances/{instance.pk}/edit/", {**data, "change_reason": "signed"}))
    assert "An instance under agreement needs a service level." in page
    page = html(slm.post(f"/services/instances/{instance.pk}/edit/", {**data, "status": "retired", "end_date": ""}))
    assert "A retired instance needs an end date." in page or "Give a change reason" in page
    level, customer = sf.service_level(0), factories.person(0)
    response = slm.post(
        f"/services/instances/{instance.pk}/edit/",
        {**data, "service_level": level.pk, "primary_customer": customer.pk, "change_reason": "signed"},
    )
    assert response.status_code == 302
    row = history_of(instance).last()
    assert row.status == "agreement" and row.history_change_reason == "signed" and row.history_user == slm_user


def test_instance_create_page(slm):
    service, group = sf.technical_service(0), sf.customer_group(0)
    assert f'value="{group.pk}" selected' in html(slm.get("/services/instances/new/", {"group": group.pk}))
    response = slm.post(
        "/services/instances/new/",
        {
            "technical_service": service.pk,
            "customer_group": group.pk,
            "status": "prospective",
            "charge_model": "none",
            "currency": "USD",
            "change_reason": "new customer",
        },
    )
    assert response.status_code == 302
    assert ServiceInstance.objects.get().title == f"{service} - {group}"


# -- person page ------------------------------------------------------------------------------------------------------
def test_person_page_shows_groups_roles_and_instances(slm):
    top, bottom = sf.customer_group(0, name="Faculty"), sf.customer_group(1, name="Lab")
    services.customer_group_update(top, user=None, change_reason="nest", nested_groups=[bottom])
    person = factories.person(0)
    sf.membership(bottom, person, role="approver")
    used = sf.service_instance(0, customer_group=top)
    paid = sf.agreement(5, primary_customer=person)
    page = html(slm.get(person.get_absolute_url()))
    assert 'id="person-services"' in page
    assert "Approver" in page and "through Lab" in page
    assert used.title in page and paid.title in page
    assert "Customer of" in page


def test_person_page_hides_the_panel_without_service_permission(client, make_user):
    from people.models import Person

    user = make_user("viewer")
    grant(user, Person, "view")
    client.force_login(user)
    page = html(client.get(factories.person(0).get_absolute_url()))
    assert 'id="person-services"' not in page


# -- constant query counts --------------------------------------------------------------------------------------------
def grow_register(start: int, stop: int, group: CustomerGroup, instance: ServiceInstance) -> None:
    """Adds rows everywhere the pages list them: instances, members, CIs, timeframes, tasks, nested groups."""
    now = timezone.now()
    for i in range(start, stop):
        team = factories.team(i)
        other = sf.agreement(i, owner_team=team)
        member = factories.person(5000 + i)
        sf.membership(group, member)
        sf.membership(other.customer_group, member)
        sf.configuration_item(i, service_instances=[instance, other], owner_team=team)
        sf.timeframe(instance, i, start=now + dt.timedelta(days=i), end=now + dt.timedelta(days=i, hours=2))
        sf.task(instance, i, team=team)
        sub = sf.customer_group(9000 + i)
        sf.membership(sub, factories.person(9000 + i))
        services.customer_group_update(
            group, user=None, change_reason="nest", nested_groups=[*group.nested_groups.all(), sub]
        )
        services.customer_group_update(other.customer_group, user=None, change_reason="x", support_notes=f"{i}")


@pytest.mark.parametrize("page", ["instance_list", "instance_detail", "group_list", "group_detail", "person_detail"])
def test_page_query_counts_constant_from_10_to_100_rows(slm, page):
    group = sf.customer_group(100000, primary_contact=factories.person(100000))
    instance = sf.agreement(100000, customer_group=group)
    person = factories.person(100001)
    sf.membership(group, person)
    urls = {
        "instance_list": "/services/",
        "instance_detail": instance.get_absolute_url(),
        "group_list": "/services/groups/?sort=instances",
        "group_detail": group.get_absolute_url(),
        "person_detail": person.get_absolute_url(),
    }
    grow_register(0, 10, group, instance)
    few = count_queries(lambda: html(slm.get(urls[page])))
    grow_register(10, 100, group, instance)
    many = count_queries(lambda: html(slm.get(urls[page])))
    assert few == many, f"{page}: {few} queries with 10 rows, {many} with 100"


# -- the group page's members, one page at a time ---------------------------------------------------------------------
def members_on(page: str) -> list[str]:
    """The member names on a group page, in order."""
    section = page[page.index('id="members"') :]
    return re.findall(r'<td><a href="/people/\d+/">([^<]+)</a></td>', section)


def test_group_page_pages_members_vips_first_then_by_name(slm):
    group = sf.customer_group(0, name="Big department")
    vip = factories.vip_status("Executive", colour="#B42318")
    for i in range(60):
        sf.membership(group, factories.person(i, last_name=f"Member{i:02d}", first_name="Pat"))
    sf.membership(group, factories.person(99, last_name="Zulu", first_name="Vera", vip_status=vip))
    first = html(slm.get(group.get_absolute_url()))
    second = html(slm.get(group.get_absolute_url() + "?page=2"))
    assert "(61, including nested groups)" in first
    assert members_on(first) == ["Zulu, Vera"] + [f"Member{i:02d}, Pat" for i in range(49)]
    assert members_on(second) == [f"Member{i:02d}, Pat" for i in range(49, 60)]
    assert 'class="vip-badge"' in first and "Executive" in first
    assert "Page 1 of 2 · 61 in all" in first and 'href="?page=2#members" rel="next"' in first
    assert "Page 2 of 2" in second and 'href="?page=1#members" rel="prev"' in second


def test_group_page_searches_members_by_name_or_email(slm):
    group = sf.customer_group(0, name="Big department")
    for i in range(3):
        sf.membership(group, factories.person(i))
    sf.membership(group, factories.person(7, first_name="Quentin", email="q.blake@example.org"))
    page = html(slm.get(group.get_absolute_url() + "?q=blake"))
    assert members_on(page) == ["Doe7, Quentin"]
    assert "(4, including nested groups)" in page and "1 match" in page
    assert page.count('value="blake"') == 1  # the member search box, not the top bar's
    assert members_on(html(slm.get(group.get_absolute_url() + "?q=quent"))) == ["Doe7, Quentin"]
    empty = html(slm.get(group.get_absolute_url() + "?q=nobody"))
    assert members_on(empty) == [] and "No member matches" in empty


def test_group_page_member_queries_constant_from_10_to_100_members(slm):
    group = sf.customer_group(0, name="Big department")
    nested = sf.customer_group(1, name="Nested")
    services.customer_group_update(group, user=None, change_reason="nest", nested_groups=[nested])

    def grow(start, stop):
        for i in range(start, stop):
            sf.membership(group if i % 2 else nested, factories.person(i))

    grow(0, 10)
    few = count_queries(lambda: html(slm.get(group.get_absolute_url())))
    grow(10, 100)
    many = count_queries(lambda: html(slm.get(group.get_absolute_url())))
    page2 = count_queries(lambda: html(slm.get(group.get_absolute_url() + "?page=2&q=pat")))
    assert few == many, f"{few} queries with 10 members, {many} with 100"
    assert page2 == many + 1  # a search counts all members as well as the matches
