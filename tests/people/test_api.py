import pytest

from people.models import Person, Team
from tests import factories
from tests.base import APIBattery
from tests.services import factories as service_factories


class TestPersonAPI(APIBattery):
    url = "/api/people/"
    model = Person
    list_queries, detail_queries = 3, 2

    def make(self, index):
        return factories.person(index)

    def create_data(self):
        return {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}

    def update_data(self, obj):
        return {"job_title": "Analyst"}


class TestTeamAPI(APIBattery):
    url = "/api/teams/"
    model = Team
    list_queries, detail_queries = 4, 3

    def make(self, index):
        return factories.team(index)

    def create_data(self):
        return {"name": "Network Operations"}

    def update_data(self, obj):
        return {"description": "Routers and switches"}


@pytest.mark.django_db
class TestPersonRules:
    def test_new_person_gets_the_default_status(self, api, default_status):
        response = api.post(
            "/api/people/", {"first_name": "A", "last_name": "B", "change_reason": "new"}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["vip_status"]["id"] == default_status.pk

    def test_writes_vip_status_as_id(self, api):
        exec_ = factories.vip_status("Executive")
        p = factories.person(0)
        response = api.patch(
            f"/api/people/{p.pk}/", {"vip_status": exec_.pk, "change_reason": "promoted"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["vip_status"]["name"] == "Executive"

    def test_email_unique_case_insensitive_409(self, api):
        factories.person(0, email="sam@example.org")
        response = api.post(
            "/api/people/",
            {"first_name": "S", "last_name": "M", "email": "SAM@example.org", "change_reason": "dup"},
            format="json",
        )
        assert response.status_code == 409

    def test_filters_by_vip_status_and_search(self, api):
        exec_ = factories.vip_status("Executive")
        factories.person(0, vip_status=exec_, first_name="Zelda")
        factories.person(1)
        rows = api.get("/api/people/", {"vip_status": exec_.pk}).json()["results"]
        assert [r["first_name"] for r in rows] == ["Zelda"]
        rows = api.get("/api/people/", {"search": "zeld"}).json()["results"]
        assert len(rows) == 1

    def test_bad_limit_is_400(self, api):
        assert api.get("/api/people/", {"limit": "abc"}).status_code == 400
        assert api.get("/api/people/", {"limit": 0}).status_code == 400
        assert api.get("/api/people/", {"limit": 10**9}).status_code == 200

    def test_deleting_an_unused_team_answers_204_and_removes_it(self, api):
        team = factories.team(0)
        assert api.delete(f"/api/teams/{team.pk}/", HTTP_X_CHANGE_REASON="gone").status_code == 204
        assert not Team.objects.filter(pk=team.pk).exists()

    def test_deleting_a_team_still_used_elsewhere_is_409_and_keeps_it(self, api):
        team = factories.team(0)
        service_factories.technical_service(0, owner_team=team)
        response = api.delete(f"/api/teams/{team.pk}/", HTTP_X_CHANGE_REASON="gone")
        assert response.status_code == 409, response.content
        assert "still used by 1 technical services (Service 0)" in response.json()["detail"]
        assert Team.objects.filter(pk=team.pk).exists()
