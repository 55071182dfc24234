"""GET /api/search/: the results page as JSON, permission-filtered, with clear 400s and constant queries."""

import pytest
from django.db import connection

from tests import factories as base
from tests.conftest import api_client_for
from tests.tickets import factories

pytestmark = pytest.mark.django_db

URL = "/api/search/"


@pytest.fixture
def desk(default_status):
    executive = base.vip_status("Executive", colour="#B42318", show_on_tickets=True)
    secret = base.vip_status("Board member", colour="#6E40C9", show_on_tickets=False)
    ada = base.person(1, first_name="Ada", last_name="Printz", email="ada@example.org", vip_status=executive)
    bo = base.person(2, first_name="Bo", last_name="Printz", email="bo@example.org", vip_status=secret)
    instance = factories.instance("Printing", group=factories.customer_group("Print Group"))
    factories.configuration_item("printsrv01", instances=[instance])
    ticket = factories.ticket(0, caller=ada, title="Printer jams", service_instance=instance)
    return {"ada": ada, "bo": bo, "ticket": ticket, "instance": instance}


def test_same_results_as_the_page_grouped_and_ranked(api, client, admin_user, desk):
    data = api.get(URL, {"q": "print"}).json()
    assert data["q"] == "print"
    assert [g["kind"] for g in data["results"]] == ["ticket", "person", "instance", "group", "ci"]
    client.force_login(admin_user)
    page = client.get("/search/", {"q": "print"}).context["groups"]
    for group, shown in zip(data["results"], page, strict=True):
        assert (group["count"], group["count_exact"], group["count_label"]) == (
            shown.total.value,
            shown.total.exact,
            shown.total.label,
        )
        assert [hit["id"] for hit in group["results"]] == [hit.obj.pk for hit in shown.hits]
    ticket = data["results"][0]["results"][0]
    assert ticket["title"] == f"{desk['ticket'].number} Printer jams"
    assert ticket["url"] == desk["ticket"].get_absolute_url()
    assert ticket["api_url"].endswith(f"/api/tickets/{desk['ticket'].number}/")
    assert ticket["vip_status"]["name"] == "Executive"


def test_kind_limit_and_offset(api, desk):
    rows = api.get(URL, {"q": "printz", "kind": "person", "limit": 1}).json()["results"]
    assert len(rows) == 1 and rows[0]["count"] == 2 and len(rows[0]["results"]) == 1
    rest = api.get(URL, {"q": "printz", "kind": "person", "limit": 1, "offset": 1}).json()["results"][0]
    assert rest["results"][0]["id"] != rows[0]["results"][0]["id"]


def test_confidential_statuses_are_null_to_readers_who_may_not_see_them(make_user, desk):
    def status_of_bo(user):
        people = api_client_for(user).get(URL, {"q": "bo printz", "kind": "person"}).json()["results"][0]["results"]
        return people[0]["vip_status"]

    assert status_of_bo(make_user("analyst2", "Analyst")) is None
    assert status_of_bo(make_user("cmdb2", "CMDB Setup"))["name"] == "Board member"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": '"*" -- ()'}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "print", "kind": "tickets"}, "kind"),
        ({"q": "print", "kind": ""}, "kind"),
        ({"q": "print", "limit": ""}, "limit"),
        ({"q": "print", "limit": 0}, "limit"),
        ({"q": "print", "limit": 51}, "limit"),
        ({"q": "print", "offset": -1}, "offset"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(api, desk, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400 and field in response.json(), response.content


def test_permissions(make_user, desk):
    assert api_client_for(None).get(URL, {"q": "print"}).status_code == 401
    nobody = api_client_for(make_user("plain"))
    assert nobody.get(URL, {"q": "print"}).json()["results"] == []
    response = nobody.get(URL, {"q": "print", "kind": "ticket"})
    assert response.status_code == 403 and "tickets" in response.json()["detail"]
    cmdb = api_client_for(make_user("cmdb3", "CMDB Setup"))
    assert "ci" in [g["kind"] for g in cmdb.get(URL, {"q": "print"}).json()["results"]]


@pytest.mark.parametrize("text", ['" OR *', "NEAR(a b", "x" * 200, "漢字", "😀 print", "{title}: jams", "ü̈̈"])
def test_weird_input_never_errors(api, desk, text):
    assert api.get(URL, {"q": text}).status_code in (200, 400)


def test_query_count_is_constant(api, desk, django_assert_num_queries):
    # token and user, then per kind: ranked ids and the rows (configuration items also their instances);
    # PostgreSQL first expands the ticket search's prefixes to whole words (one query)
    expected = 12 + (connection.vendor == "postgresql")
    with django_assert_num_queries(expected):
        api.get(URL, {"q": "print"})
    caller = base.person(9)
    for i in range(20):
        factories.ticket(10 + i, caller=caller, title=f"Print queue {i}")
        factories.configuration_item(f"printer{i}", instances=[desk["instance"]])
    with django_assert_num_queries(expected):
        api.get(URL, {"q": "print", "limit": 50})
