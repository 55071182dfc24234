"""Who may grant a VIP status, and who may see a confidential one (a status not shown on tickets, other than the
default): on the analyst form, the admin, the API, history, the caller card, the ticket API and simulate."""

import pytest
from django.urls import reverse

from people.models import Person
from tests import factories as base
from tests.conftest import api_client_for
from tests.tickets import factories as ticket_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def executive(default_status):
    return base.vip_status("Executive", colour="#B42318", show_on_tickets=True)


@pytest.fixture
def board(default_status):
    return base.vip_status("Board member (confidential)", colour="#333333", show_on_tickets=False)


@pytest.fixture
def board_member(board):
    return base.person(7, first_name="Bea", last_name="Board", vip_status=board)


# -- granting ------------------------------------------------------------------------------------------------------


def test_an_analyst_edits_a_persons_phone_through_the_api_but_cannot_make_them_an_executive(analyst_user, executive):
    person = base.person(1)
    client = api_client_for(analyst_user)
    url = f"/api/people/{person.pk}/"
    ok = client.patch(url, {"phone": "555-0101", "change_reason": "new number"}, format="json")
    assert ok.status_code == 200, ok.json()
    refused = client.patch(url, {"vip_status": executive.pk, "change_reason": "promote"}, format="json")
    assert refused.status_code == 403
    assert "grant" in refused.json()["detail"]
    person.refresh_from_db()
    assert person.phone == "555-0101"
    assert person.vip_status.is_default


def test_the_integration_role_cannot_create_a_person_as_a_vip(integration_user, executive):
    client = api_client_for(integration_user)
    body = {"first_name": "New", "last_name": "Exec", "vip_status": executive.pk, "change_reason": "import"}
    response = client.post("/api/people/", body, format="json")
    assert response.status_code == 403
    assert not Person.objects.filter(last_name="Exec").exists()
    plain = client.post("/api/people/", {**body, "vip_status": None}, format="json")
    assert plain.status_code == 201


def test_cmdb_setup_grants_a_vip_status(cmdb_user, executive):
    person = base.person(2)
    response = api_client_for(cmdb_user).patch(
        f"/api/people/{person.pk}/", {"vip_status": executive.pk, "change_reason": "new VC"}, format="json"
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.vip_status == executive
    assert person.history.first().history_change_reason == "new VC"


def test_the_analyst_form_shows_the_status_but_cannot_change_it(client, analyst_user, executive):
    person = base.person(3)
    client.force_login(analyst_user)
    url = reverse("people:edit", args=[person.pk])
    html = client.get(url).content.decode()
    assert "Only CMDB Setup grants VIP statuses." in html
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": "555-0102",
        "vip_status": executive.pk,  # a forged post: the disabled field keeps its value
        "active": "on",
        "change_reason": "phone",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "555-0102"
    assert person.vip_status.is_default


def test_the_admin_shows_the_vip_status_read_only_without_the_grant_permission(client, make_user, executive):
    from itsm.roles import ANALYST

    staff_analyst = make_user("staffer", ANALYST, staff=True)
    person = base.person(4)
    client.force_login(staff_analyst)
    html = client.get(f"/admin/people/person/{person.pk}/change/").content.decode()
    assert 'name="vip_status"' not in html
    assert 'name="phone"' in html


# -- seeing confidential statuses ----------------------------------------------------------------------------------


def test_the_person_api_hides_a_confidential_status_from_an_analyst_and_shows_it_to_cmdb(
    analyst_user, cmdb_user, board_member, board
):
    url = f"/api/people/{board_member.pk}/"
    assert api_client_for(analyst_user).get(url).json()["vip_status"] is None
    assert api_client_for(cmdb_user).get(url).json()["vip_status"]["name"] == board.name


def test_the_default_status_is_not_confidential(analyst_user, default_status):
    person = base.person(5)
    assert api_client_for(analyst_user).get(f"/api/people/{person.pk}/").json()["vip_status"]["id"] == default_status.pk


def test_an_analyst_saving_a_confidential_person_keeps_their_status(analyst_user, board_member, board):
    client = api_client_for(analyst_user)
    url = f"/api/people/{board_member.pk}/"
    body = client.get(url).json()
    body.update(phone="555-0199", change_reason="phone", login=None)
    response = client.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    board_member.refresh_from_db()
    assert board_member.vip_status == board
    assert board_member.phone == "555-0199"


def test_the_ticket_api_caller_hides_a_confidential_status(analyst_user, board_member, board):
    ticket = ticket_factories.ticket(0, caller=board_member)
    caller = api_client_for(analyst_user).get(f"/api/tickets/{ticket.number}/").json()["caller"]
    assert caller["full_name"] == "Bea Board"
    assert caller["vip_status"] is None


def test_history_names_a_confidential_status_only_to_those_allowed(analyst_user, cmdb_user, board_member, board):
    url = f"/api/people/{board_member.pk}/history/"
    analyst_view = str(api_client_for(analyst_user).get(url).json())
    assert board.name not in analyst_view
    assert "(confidential)" in analyst_view
    assert board.name in str(api_client_for(cmdb_user).get(url).json())


def test_pages_and_the_caller_card_hide_a_confidential_status(client, analyst_user, board_member, board):
    client.force_login(analyst_user)
    page = client.get(reverse("people:detail", args=[board_member.pk])).content.decode()
    assert board.name not in page
    listing = client.get(reverse("people:list")).content.decode()
    assert board.name not in listing
    card = client.get(reverse("tickets:caller_card", args=[board_member.pk])).json()
    assert card["vip"] is None
    assert board.name not in card["html"]


def test_simulate_output_hides_a_confidential_status_from_a_viewer_without_permission(
    make_user, admin_user, board_member, board
):
    from django.contrib.auth.models import Permission

    from itsm.roles import ANALYST

    viewer = make_user("viewer", ANALYST)  # may view rules (and so simulate), not confidential statuses
    viewer.user_permissions.add(Permission.objects.get(codename="view_rule"))
    body = {"caller": board_member.pk, "title": "Laptop", "ticket_type": "incident"}
    hidden = api_client_for(viewer).post("/api/rules/simulate/", body, format="json")
    assert hidden.status_code == 200, hidden.json()
    assert board.name not in str(hidden.json())
    shown = api_client_for(admin_user).post("/api/rules/simulate/", body, format="json")
    assert board.name in str(shown.json())


# -- the link to a sign-in account --------------------------------------------------------------------------------


def test_only_an_administrator_links_a_person_to_a_login(analyst_user, cmdb_user, admin_user):
    person = base.person(8)
    url = f"/api/people/{person.pk}/"
    body = {"login": analyst_user.pk, "change_reason": "link"}
    for user in (analyst_user, cmdb_user):
        refused = api_client_for(user).patch(url, body, format="json")
        assert refused.status_code == 403
        assert "administrator" in refused.json()["detail"]
    person.refresh_from_db()
    assert person.login_id is None
    assert api_client_for(admin_user).patch(url, body, format="json").status_code == 200
    person.refresh_from_db()
    assert person.login_id == analyst_user.pk
