"""No query string gives a 500 on the analyst pages, the admin's own pages or the API's search: hypothesis throws the
inputs an attacker tried (non-ASCII digits, 20-digit ids, impossible dates, a thousand words, NUL, far-off times,
deeply nested JSON) at every parameter the pages read."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as base
from tests.tickets import factories

pytestmark = pytest.mark.django_db

NASTY = st.one_of(
    st.sampled_from(
        [
            "²",
            "\u0661\u0662\u0663",  # Arabic-Indic digits: isdigit() is true, int() of some fails
            "99999999999999999999",
            "-1",
            "0",
            "2026-02-30",
            "9999-12-31T23:59",
            "0001-01-01",
            "\x00",
            " ".join(["printer"] * 1200),
            "%",
            "' OR 1=1 --",
            "last",
            "",
        ]
    ),
    st.text(max_size=40),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
)

PAGES = {
    "/tickets/": [
        *("q", "page", "per_page", "scope", "state", "type", "priority", "vip", "instance", "group", "sort", "sla"),
        *("level", "opened_from", "opened_to", "breach", "outcome", "vip_at_open", "team", "assignee", "status"),
        *("service_instance", "customer_group", "sla_state", "open", "breached", "opened_after", "caller"),
    ],
    "/tickets/new/": ["caller", "instance"],
    "/search/": ["q", "kind", "page"],
    "/search/suggest/": ["q"],
    "/tickets/saved-views/": ["query"],
    "/api/saved-views/": ["limit", "offset"],
    "/tickets/callers/": ["q"],
    "/tickets/queue/picks/instance/": ["q"],
    "/tickets/queue/picks/group/": ["q"],
    "/people/": ["q", "page", "vip", "active", "sort"],
    "/services/": ["q", "page", "service", "group", "level", "status", "sort"],
    "/services/groups/": ["q", "page", "sort"],
    "/admin/audit-log/": ["model", "user", "since", "until"],
    "/admin/workflow/rule/simulate/": ["ticket", "caller", "at", "impact", "urgency"],
    "/api/tickets/": ["search", "limit", "offset", "ordering", "priority", "caller"],
    "/api/people/": ["search", "limit", "offset", "vip_status"],
    "/api/search/": ["q", "kind", "limit", "offset"],
}


@pytest.fixture
def signed_in(client, admin_user, default_status):
    factories.ticket(0)
    base.person(1)
    client.force_login(admin_user)
    return client


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(page=st.sampled_from(sorted(PAGES)), data=st.data())
def test_no_query_string_gives_a_server_error(signed_in, page, data):
    names = PAGES[page]
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    params = {name: data.draw(NASTY) for name in chosen}
    if "simulate" in page:
        params["run"] = "1"  # the simulate page evaluates only when asked to
    response = signed_in.get(page, params)
    assert response.status_code < 500, (page, params)


def test_a_page_number_in_arabic_indic_digits_is_a_404_not_a_500(signed_in):
    assert signed_in.get("/people/", {"page": "\u0661"}).status_code in (200, 404)
    assert signed_in.get("/tickets/", {"page": "99999999999999999999"}).status_code in (200, 404)


def test_an_impossible_date_in_the_audit_log_is_ignored(signed_in):
    response = signed_in.get("/admin/audit-log/", {"since": "2026-02-30", "user": "²"})
    assert response.status_code == 200


def test_a_search_of_a_thousand_words_answers(signed_in):
    words = " ".join(f"w{i}" for i in range(1500))
    assert signed_in.get("/tickets/", {"q": words}).status_code == 200
    assert signed_in.get("/api/tickets/", {"search": words}).status_code == 200
    assert signed_in.get("/api/people/", {"search": words}).status_code == 200


def test_deeply_nested_json_is_a_400(signed_in):
    body = "[" * 100_000 + "]" * 100_000
    response = signed_in.post("/api/vip-statuses/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_a_far_off_time_on_the_admin_simulate_page_is_a_field_error(signed_in):
    response = signed_in.get(
        "/admin/workflow/rule/simulate/", {"run": "1", "ticket": "", "at": "9999-12-31T23:59", "event": "create"}
    )
    assert response.status_code == 200
    assert "Choose a time between 1970 and 2200." in response.content.decode()


def test_json_bodies_that_are_fine_still_parse(signed_in):
    response = signed_in.post(
        "/api/vip-statuses/",
        data=json.dumps({"name": "Gold caller", "colour": "#123456", "change_reason": "new"}),
        content_type="application/json",
    )
    assert response.status_code == 201
