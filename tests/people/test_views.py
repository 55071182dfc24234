import pytest
from django.urls import reverse

from people.models import Person
from tests import factories
from tests.base import count_queries, history_of


@pytest.fixture
def analyst_client(client, analyst_user):
    client.force_login(analyst_user)
    return client


@pytest.mark.django_db
class TestPeopleList:
    def test_needs_login(self, client):
        response = client.get(reverse("people:list"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_needs_view_permission(self, client, nobody):
        client.force_login(nobody)
        assert client.get(reverse("people:list")).status_code == 403

    def test_badge_in_status_colour_and_search(self, analyst_client):
        exec_ = factories.vip_status("Executive", colour="#B42318")
        factories.person(0, first_name="Zelda", vip_status=exec_)
        factories.person(1, first_name="Yann")
        html = analyst_client.get(reverse("people:list"), {"q": "zeld"}).content.decode()
        assert "Zelda" in html and "Yann" not in html
        assert "background:#B42318;color:#ffffff" in html

    def test_vip_filter_lists_statuses_in_vip_order(self, analyst_client, default_status):
        b = factories.vip_status("Bravo")
        a = factories.vip_status("Alpha")
        from vip.services import vip_status_move

        vip_status_move(a, position=1, user=None)
        response = analyst_client.get(reverse("people:list"))
        names = [s.name for s in response.context["vip_statuses"]]
        assert names == ["Alpha", default_status.name, "Bravo"]
        factories.person(0, vip_status=b)
        factories.person(1)
        filtered = analyst_client.get(reverse("people:list"), {"vip": b.pk})
        assert [p.vip_status for p in filtered.context["object_list"]] == [b]

    def test_empty_state_says_what_to_do(self, analyst_client):
        html = analyst_client.get(reverse("people:list"), {"q": "nobody-matches"}).content.decode()
        assert "No one matches these filters" in html

    def test_query_count_constant_10_vs_100_rows(self, analyst_client):
        for i in range(10):
            factories.person(i)
        few = count_queries(lambda: analyst_client.get(reverse("people:list"), {"sort": "vip"}))
        for i in range(10, 100):
            factories.person(i)
        many = count_queries(lambda: analyst_client.get(reverse("people:list"), {"sort": "vip"}))
        assert few == many

    def test_sorting_by_unknown_column_falls_back(self, analyst_client):
        factories.person(0)
        assert analyst_client.get(reverse("people:list"), {"sort": "password"}).status_code == 200


@pytest.mark.django_db
class TestPersonPages:
    def test_detail_shows_badge_and_history_with_reason(self, analyst_client):
        p = factories.person(0, vip_status=factories.vip_status("Executive", colour="#B42318"))
        html = analyst_client.get(reverse("people:detail", args=[p.pk])).content.decode()
        assert "Pat0 Doe0" in html and "test data" in html
        assert 'class="vip-badge" style="background:#B42318;color:#ffffff"' in html

    def test_status_not_shown_on_tickets_reads_as_quiet_text(self, analyst_client, default_status):
        p = factories.person(0)
        html = analyst_client.get(reverse("people:detail", args=[p.pk])).content.decode()
        assert "vip-badge" not in html
        assert f'<span class="muted vip-quiet" title="Not shown on tickets">{default_status.name}</span>' in html

    def test_edit_dropdown_in_vip_order(self, client, cmdb_user, default_status):
        client.force_login(cmdb_user)
        a = factories.vip_status("Alpha")
        from vip.services import vip_status_move

        vip_status_move(a, position=1, user=None)
        p = factories.person(0)
        form = client.get(reverse("people:edit", args=[p.pk])).context["form"]
        assert [s.name for s in form.fields["vip_status"].queryset] == ["Alpha", default_status.name]

    def test_edit_without_reason_shows_error_keeps_input_saves_nothing(self, client, cmdb_user):
        client.force_login(cmdb_user)
        p = factories.person(0)
        data = {"first_name": "Changed", "last_name": p.last_name, "vip_status": p.vip_status_id, "active": "on"}
        response = client.post(reverse("people:edit", args=[p.pk]), data)
        assert response.status_code == 200
        assert "change_reason" in response.context["form"].errors
        assert 'value="Changed"' in response.content.decode()
        p.refresh_from_db()
        assert p.first_name == "Pat0"

    def test_edit_with_reason_records_history(self, client, cmdb_user):
        client.force_login(cmdb_user)
        p = factories.person(0)
        data = {
            "first_name": "Changed",
            "last_name": p.last_name,
            "vip_status": p.vip_status_id,
            "active": "on",
            "change_reason": "married name",
        }
        response = client.post(reverse("people:edit", args=[p.pk]), data)
        assert response.status_code == 302
        row = history_of(p).last()
        assert (row.history_change_reason, row.history_user, row.first_name) == ("married name", cmdb_user, "Changed")

    def test_service_level_manager_alone_may_not_edit_people(self, client, make_user):
        from itsm.roles import SERVICE_LEVEL_MANAGER

        client.force_login(make_user("slm-only", SERVICE_LEVEL_MANAGER))
        p = factories.person(0)
        assert client.get(reverse("people:edit", args=[p.pk])).status_code == 403

    def test_create_person_through_page(self, client, analyst_user, default_status):
        client.force_login(analyst_user)
        data = {"first_name": "New", "last_name": "Caller", "vip_status": default_status.pk, "change_reason": "call"}
        response = client.post(reverse("people:create"), data)
        assert response.status_code == 302
        assert Person.objects.filter(first_name="New").exists()
