import pytest

from people.models import Person
from tests import factories
from tests.base import APIBattery, history_of
from vip.models import VipStatus


class TestVipStatusAPI(APIBattery):
    url = "/api/vip-statuses/"
    model = VipStatus
    list_queries, detail_queries = 3, 2

    def make(self, index):
        return factories.vip_status(name=f"Level {index}", colour="#112233")

    def create_data(self):
        return {"name": "Board Member", "colour": "#AA0000", "show_on_tickets": True}

    def update_data(self, obj):
        return {"colour": "#00AA00"}


@pytest.mark.django_db
class TestVipStatusRules:
    def test_list_is_in_position_order_with_brief_fields(self, api, default_status):
        factories.vip_status("Executive")
        factories.vip_status("Critical Role")
        names = [row["name"] for row in api.get("/api/vip-statuses/").json()["results"]]
        assert names == [default_status.name, "Executive", "Critical Role"]

    def test_deleting_the_default_is_409_and_changes_nothing(self, api, default_status):
        response = api.delete(f"/api/vip-statuses/{default_status.pk}/", HTTP_X_CHANGE_REASON="try")
        assert response.status_code == 409
        assert "default" in response.json()["detail"]
        assert VipStatus.objects.filter(pk=default_status.pk, is_default=True).exists()

    def test_duplicate_name_any_case_is_409(self, api):
        factories.vip_status("Executive")
        response = api.post("/api/vip-statuses/", {"name": "EXECUTIVE", "change_reason": "dup"}, format="json")
        assert response.status_code == 409
        assert "already exists" in response.json()["detail"]

    def test_making_another_default_unsets_the_old_one_with_history(self, api, default_status):
        exec_ = factories.vip_status("Executive")
        response = api.patch(
            f"/api/vip-statuses/{exec_.pk}/", {"is_default": True, "change_reason": "new default"}, format="json"
        )
        assert response.status_code == 200, response.content
        assert list(VipStatus.objects.filter(is_default=True)) == [exec_]
        assert "new default" in history_of(default_status).last().history_change_reason

    def test_unsetting_the_default_directly_is_a_409(self, api, default_status):
        response = api.patch(
            f"/api/vip-statuses/{default_status.pk}/", {"is_default": False, "change_reason": "x"}, format="json"
        )
        assert response.status_code == 409
        assert "is_default" in response.json()
        assert "one default" in response.json()["detail"]

    def test_move_endpoint(self, api, default_status):
        exec_ = factories.vip_status("Executive")
        response = api.post(
            f"/api/vip-statuses/{exec_.pk}/move/", {"position": 1, "change_reason": "board first"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["position"] == 1
        assert list(VipStatus.objects.values_list("name", flat=True)) == ["Executive", default_status.name]
        assert history_of(exec_).last().history_change_reason == "moved from 2 to 1: board first"

    def test_move_needs_a_change_reason_like_every_other_write(self, api, default_status):
        exec_ = factories.vip_status("Executive")
        response = api.post(f"/api/vip-statuses/{exec_.pk}/move/", {"position": 1}, format="json")
        assert response.status_code == 400
        assert "change_reason" in response.json()
        assert VipStatus.objects.get(pk=exec_.pk).position == 2
        header = api.post(
            f"/api/vip-statuses/{exec_.pk}/move/", {"position": 1}, format="json", HTTP_X_CHANGE_REASON="via header"
        )
        assert header.status_code == 200
        assert history_of(exec_).last().history_change_reason == "moved from 2 to 1: via header"

    def test_move_out_of_range_is_409(self, api, default_status):
        # Well-formed, but beyond the current list: a conflict with the data, like deleting the default.
        response = api.post(
            f"/api/vip-statuses/{default_status.pk}/move/", {"position": 5, "change_reason": "try"}, format="json"
        )
        assert response.status_code == 409
        assert "position" in response.json()

    def test_deleting_a_held_status_moves_people_to_default(self, api, default_status):
        exec_ = factories.vip_status("Executive")
        people = [factories.person(i, vip_status=exec_) for i in range(3)]
        response = api.delete(f"/api/vip-statuses/{exec_.pk}/", HTTP_X_CHANGE_REASON="merged levels")
        assert response.status_code == 204
        for p in people:
            p.refresh_from_db()
            assert p.vip_status == default_status
            assert "merged levels" in history_of(p).last().history_change_reason

    def test_analyst_can_read_but_not_write(self, analyst_user):
        from tests.conftest import api_client_for

        client = api_client_for(analyst_user)
        assert client.get("/api/vip-statuses/").status_code == 200
        response = client.post("/api/vip-statuses/", {"name": "X", "change_reason": "r"}, format="json")
        assert response.status_code == 403

    def test_cmdb_setup_can_write(self, cmdb_user):
        from tests.conftest import api_client_for

        client = api_client_for(cmdb_user)
        response = client.post("/api/vip-statuses/", {"name": "X", "change_reason": "r"}, format="json")
        assert response.status_code == 201

    def test_person_reads_vip_status_brief(self, api, default_status):
        p = factories.person(0)
        body = api.get(f"/api/people/{p.pk}/").json()
        assert body["vip_status"] == {
            "id": default_status.pk,
            "name": default_status.name,
            "colour": default_status.colour,
            "show_on_tickets": default_status.show_on_tickets,
            "position": default_status.position,
        }
        assert Person.objects.count() == 1


def test_the_list_says_how_many_people_hold_each_status(api, default_status, django_assert_num_queries):
    from tests import factories

    executive = factories.vip_status("Executive")
    factories.person(1, vip_status=executive)
    factories.person(2, vip_status=executive)
    factories.person(3)
    with django_assert_num_queries(3):  # token, count, page (the holders are counted in the page's query)
        rows = api.get("/api/vip-statuses/").json()["results"]
    assert {r["name"]: r["holders"] for r in rows} == {"Standard": 1, "Executive": 2}
