"""The results page and the type-ahead fragment: grouped by kind, best first, badges, jumps, permissions, constant
queries, and no input that errors."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from tests import factories as base
from tests.tickets import factories
from tickets.notes import ticket_note_add

pytestmark = pytest.mark.django_db

EXEC_COLOUR = "#B42318"


@pytest.fixture
def desk(default_status):
    executive = base.vip_status("Executive", colour=EXEC_COLOUR, show_on_tickets=True)
    secret = base.vip_status("Board member", colour="#6E40C9", show_on_tickets=False)
    ada = base.person(1, first_name="Ada", last_name="Printz", email="ada@example.org", vip_status=executive)
    board = base.person(2, first_name="Bo", last_name="Printz", email="bo@example.org", vip_status=secret)
    group = factories.customer_group("Print Services Group")
    instance = factories.instance("Printing", group=group)
    item = factories.configuration_item("printsrv01", instances=[instance])
    ticket = factories.ticket(0, caller=ada, title="Printer jams", service_instance=instance)
    return {"ada": ada, "board": board, "group": group, "instance": instance, "item": item, "ticket": ticket}


def page(client, **params):
    return client.get(reverse("search:results"), params)


def test_results_grouped_by_kind_with_badges_and_links(analyst_client, desk):
    response = page(analyst_client, q="print")
    html = response.content.decode()
    labels = [g.label for g in response.context["groups"] if g.hits]
    assert labels == ["Tickets", "People", "Service instances", "Customer groups", "Configuration items"]
    assert desk["ticket"].get_absolute_url() in html and desk["ada"].get_absolute_url() in html
    assert reverse("services:instance_detail", args=[desk["instance"].pk]) + "#configuration-items" in html
    assert desk["group"].get_absolute_url() in html
    assert f"background:{EXEC_COLOUR}" in html  # the one VIP badge, on the ticket and on Ada
    assert html.count('class="vip-badge"') == 2


def test_confidential_status_is_masked_unless_the_reader_may_see_it(client, analyst_user, cmdb_user, desk):
    client.force_login(analyst_user)
    assert "Board member" not in page(client, q="printz").content.decode()
    client.force_login(cmdb_user)
    assert "Board member" in page(client, q="printz").content.decode()


def test_only_kinds_the_reader_may_view(client, make_user, desk):
    client.force_login(make_user("people-only", "Integration"))
    kinds = {g.kind for g in page(client, q="print").context["groups"]}
    assert "ticket" in kinds and "person" in kinds
    reader = make_user("tickets-none")
    client.force_login(reader)
    response = page(client, q="print")
    assert response.status_code == 200 and response.context["groups"] == []
    assert desk["ticket"].number not in response.content.decode()
    assert client.get(reverse("search:results"), {"q": desk["ticket"].number}).status_code == 200  # no jump


def test_ticket_number_and_exact_email_jump_straight_there(analyst_client, desk):
    number = desk["ticket"].number
    assert page(analyst_client, q=number.lower().replace("000", ""))["Location"] == desk["ticket"].get_absolute_url()
    assert page(analyst_client, q=" ADA@example.org ")["Location"] == desk["ada"].get_absolute_url()
    assert page(analyst_client, q="ada@example").status_code == 200  # not exact: a search


def test_one_kind_pages_through_all_its_matches(analyst_client, desk):
    caller = base.person(9)
    for i in range(55):
        factories.ticket(10 + i, caller=caller, title=f"Kiosk {i} frozen")
    first = page(analyst_client, q="kiosk frozen", kind="ticket")
    assert first.context["groups"][0].total.value == 55 and len(first.context["groups"][0].hits) == 50
    html = first.content.decode()
    assert "Page 1 of 2" in html and "kind=ticket&amp;page=2" in html
    second = page(analyst_client, q="kiosk frozen", kind="ticket", page=2)
    assert len(second.context["groups"][0].hits) == 5
    assert page(analyst_client, q="kiosk frozen", kind="ticket", page=99).context["pages"]["number"] == 2
    overview = page(analyst_client, q="kiosk").content.decode()
    assert "All 55 tickets" in overview


def test_empty_and_nothing_found_say_what_to_do(analyst_client, desk):
    assert "Words may come in any order" in page(analyst_client).content.decode()
    assert "Nothing matches" in page(analyst_client, q="zzzqqq").content.decode()


@pytest.mark.parametrize(
    "text",
    ['" OR *', "NEAR(a b", "{title}: x", "x" * 5000, "a " * 3000, "\x00", "漢字 テスト", "😀", "%_\\", "-", "ü̈̈̈"],
)
def test_weird_input_never_errors(analyst_client, desk, text):
    assert page(analyst_client, q=text).status_code == 200
    assert page(analyst_client, q=text, kind="person").status_code == 200
    assert analyst_client.get(reverse("search:suggest"), {"q": text}).status_code == 200


def test_query_count_is_constant(client, admin_user, desk, django_assert_num_queries):
    client.force_login(admin_user)
    # session and user, then per kind: ranked ids and the rows (configuration items also their instances);
    # PostgreSQL first expands the ticket search's prefixes to whole words (one query)
    expected = 13 + (connection.vendor == "postgresql")
    with django_assert_num_queries(expected):
        page(client, q="print")
    caller = base.person(9)
    for i in range(30):
        ticket = factories.ticket(10 + i, caller=caller, title=f"Print queue {i}")
        ticket_note_add(ticket, user=None, text="print spooler restarted")
    for i in range(12):
        factories.configuration_item(f"printer{i}", instances=[desk["instance"]])
    with django_assert_num_queries(expected):
        page(client, q="print")
    with django_assert_num_queries(expected):
        client.get(reverse("search:suggest"), {"q": "print"})


def test_a_kind_without_matches_costs_its_one_search_query(client, admin_user, desk, django_assert_num_queries):
    client.force_login(admin_user)
    # "jams" is only in the ticket's title: session and user, the ticket ids and rows, one search for each other
    # kind and nothing more for its empty result (PostgreSQL first expands the prefix: one query)
    with django_assert_num_queries(8 + (connection.vendor == "postgresql")):
        response = page(client, q="jams")
    assert [g.kind for g in response.context["groups"] if g.hits] == ["ticket"]
    assert [g.total.value for g in response.context["groups"]] == [1, 0, 0, 0, 0]


def test_suggestions_are_a_list_box_of_the_first_few_per_kind(analyst_client, desk):
    caller = base.person(9)
    for i in range(6):
        factories.ticket(10 + i, caller=caller, title=f"Printer {i} offline")
    html = analyst_client.get(reverse("search:suggest"), {"q": "prin"}).content.decode()
    assert html.count('role="group"') == 5
    assert len(re.findall(r'id="suggest-ticket-\d+"', html)) == 4  # the first four of seven tickets
    assert 'role="option"' in html and "All results for “prin”" in html
    assert f"background:{EXEC_COLOUR}" in html
    assert "No quick matches" in analyst_client.get(reverse("search:suggest"), {"q": "zzqq"}).content.decode()


def test_sign_in_required(client):
    assert client.get(reverse("search:results"), {"q": "x"}).status_code == 302
    assert client.get(reverse("search:suggest"), {"q": "x"}).status_code == 302
