"""The service-relationship API: batteries for every resource, then the rules that are particular to it."""

import datetime as dt

import pytest
from django.utils import timezone

from itsm.roles import SERVICE_LEVEL_MANAGER
from services import services
from services.models import (
    ConfigurationItem,
    CustomerGroup,
    Membership,
    ServiceInstance,
    ServiceLevel,
    Task,
    TechnicalService,
    Timeframe,
)
from tests import factories
from tests.base import APIBattery, count_queries
from tests.conftest import api_client_for
from tests.services import factories as sf

TODAY = dt.date.today()


class TestTechnicalServiceAPI(APIBattery):
    url = "/api/technical-services/"
    model = TechnicalService
    list_queries, detail_queries = 3, 2

    def make(self, index):
        return sf.technical_service(index, owner_team=factories.team(index))

    def create_data(self):
        return {"name": "Shared Drive", "category": "Storage", "owner_team": factories.team(99).pk}

    def update_data(self, obj):
        return {"description": "File storage for departments"}


class TestServiceLevelAPI(APIBattery):
    url = "/api/service-levels/"
    model = ServiceLevel
    list_queries, detail_queries = 3, 2

    def make(self, index):
        return sf.service_level(index)

    def create_data(self):
        return {"name": "Gold", "hours": "24x7", "p1_response_minutes": 10, "p1_resolution_minutes": 120}

    def update_data(self, obj):
        return {"p2_response_minutes": 20}


class TestCustomerGroupAPI(APIBattery):
    url = "/api/customer-groups/"
    model = CustomerGroup
    list_queries, detail_queries = 4, 3

    def make(self, index):
        group = sf.customer_group(index, primary_contact=factories.person(index))
        services.customer_group_update(
            group, user=None, change_reason="nest", nested_groups=[sf.customer_group(1000 + index)]
        )
        return group

    def create_data(self):
        return {"name": "Registry", "kind": "department", "organisation_code": "A061234"}

    def update_data(self, obj):
        return {"support_notes": "Call the registrar first"}


class TestMembershipAPI(APIBattery):
    url = "/api/memberships/"
    model = Membership
    list_queries, detail_queries = 3, 2

    def make(self, index):
        return sf.membership(sf.customer_group(index), factories.person(index))

    def create_data(self):
        return {"group": sf.customer_group(99).pk, "person": factories.person(99).pk, "role": "approver"}

    def update_data(self, obj):
        return {"end_date": str(TODAY + dt.timedelta(days=30))}


class TestServiceInstanceAPI(APIBattery):
    url = "/api/service-instances/"
    model = ServiceInstance
    list_queries, detail_queries = 3, 2

    def make(self, index):
        return sf.agreement(index, owner_team=factories.team(index), owner=factories.person(2000 + index))

    def create_data(self):
        return {
            "technical_service": sf.technical_service(99).pk,
            "customer_group": sf.customer_group(99).pk,
            "billing_code": "CC-1001",
        }

    def update_data(self, obj):
        return {"review_date": str(TODAY + dt.timedelta(days=90))}


class TestConfigurationItemAPI(APIBattery):
    url = "/api/configuration-items/"
    model = ConfigurationItem
    list_queries, detail_queries = 4, 3

    def make(self, index):
        return sf.configuration_item(
            index, owner_team=factories.team(index), service_instances=[sf.service_instance(index)]
        )

    def create_data(self):
        return {"name": "vm-aims-01", "ci_type": "server", "serial_number": "SN-1"}

    def update_data(self, obj):
        return {"status": "maintenance"}


class TestTimeframeAPI(APIBattery):
    url = "/api/timeframes/"
    model = Timeframe
    list_queries, detail_queries = 3, 2

    def make(self, index):
        return sf.timeframe(sf.service_instance(index), index)

    def create_data(self):
        return {
            "service_instance": sf.service_instance(99).pk,
            "name": "Registration week",
            "start": "2026-08-24T08:00:00Z",
            "end": "2026-08-29T18:00:00Z",
            "recurs_yearly": True,
            "heightened_support": True,
        }

    def update_data(self, obj):
        return {"notes": "Enhanced on-call"}


class TestTaskAPI(APIBattery):
    url = "/api/tasks/"
    model = Task
    list_queries, detail_queries = 3, 2

    def make(self, index):
        return sf.task(sf.service_instance(index), index, team=factories.team(index))

    def create_data(self):
        return {"service_instance": sf.service_instance(99).pk, "title": "Annual review", "due_date": str(TODAY)}

    def update_data(self, obj):
        return {"status": "done"}


# -- rules ------------------------------------------------------------------------------------------------------------
@pytest.mark.django_db
class TestServiceRulesThroughTheAPI:
    def test_nesting_that_closes_a_cycle_is_400_naming_it(self, api):
        faculty, chemistry = sf.customer_group(0, name="Faculty"), sf.customer_group(1, name="Chemistry")
        services.customer_group_update(faculty, user=None, change_reason="nest", nested_groups=[chemistry])
        response = api.patch(
            f"/api/customer-groups/{chemistry.pk}/",
            {"nested_groups": [faculty.pk], "change_reason": "x"},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["nested_groups"] == ["A group cannot contain itself: Chemistry → Faculty → Chemistry."]

    def test_duplicate_pair_is_409(self, api):
        instance = sf.service_instance(0)
        body = {
            "technical_service": instance.technical_service_id,
            "customer_group": instance.customer_group_id,
            "change_reason": "again",
        }
        response = api.post("/api/service-instances/", body, format="json")
        assert response.status_code == 409
        assert "already has an instance" in response.json()["detail"]

    def test_status_transition_refused_with_message(self, api):
        instance = sf.agreement(0)
        response = api.patch(
            f"/api/service-instances/{instance.pk}/", {"status": "prospective", "change_reason": "x"}, format="json"
        )
        assert response.status_code == 400
        assert (
            response.json()["status"] == ["A Agreement instance cannot become Prospective; it can become Retired."]
            or "cannot become Prospective" in response.json()["status"][0]
        )

    def test_agreement_without_level_is_400_on_the_fields(self, api):
        instance = sf.service_instance(0)
        response = api.patch(
            f"/api/service-instances/{instance.pk}/", {"status": "agreement", "change_reason": "x"}, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"service_level", "primary_customer"}

    def test_title_is_read_only_and_follows_rename(self, api):
        instance = sf.service_instance(0, technical_service=sf.technical_service(0, name="Email"))
        api.patch(
            f"/api/technical-services/{instance.technical_service_id}/",
            {"name": "Mail", "change_reason": "rebrand"},
            format="json",
        )
        response = api.patch(
            f"/api/service-instances/{instance.pk}/", {"title": "hacked", "change_reason": "x"}, format="json"
        )
        assert response.json()["title"] == f"Mail - {instance.customer_group.name}"

    def test_deleting_used_service_level_or_technical_service_is_409_naming_the_instance(self, api):
        instance = sf.agreement(0)
        response = api.delete(f"/api/service-levels/{instance.service_level_id}/", HTTP_X_CHANGE_REASON="gone")
        assert response.status_code == 409
        assert instance.title in response.json()["detail"]
        response = api.delete(f"/api/technical-services/{instance.technical_service_id}/", HTTP_X_CHANGE_REASON="gone")
        assert response.status_code == 409
        assert "service instance" in response.json()["detail"]
        assert ServiceLevel.objects.filter(pk=instance.service_level_id).exists()

    def test_members_action_lists_effective_members_once(self, api):
        top, middle, bottom = (sf.customer_group(i) for i in range(3))
        services.customer_group_update(top, user=None, change_reason="nest", nested_groups=[middle])
        services.customer_group_update(middle, user=None, change_reason="nest", nested_groups=[bottom])
        alice, bob = factories.person(0), factories.person(1)
        sf.membership(top, alice, role="approver")
        sf.membership(bottom, alice)
        sf.membership(bottom, bob)
        response = api.get(f"/api/customer-groups/{top.pk}/members/")
        assert response.status_code == 200
        assert response.json()["count"] == 2
        rows = {r["person"]["id"]: r for r in response.json()["results"]}
        assert set(rows) == {alice.pk, bob.pk}
        assert rows[alice.pk]["direct"] is True
        assert rows[bob.pk]["direct"] is False
        assert {r["role"] for r in rows[alice.pk]["roles"]} == {"approver", "member"}

    def test_filters_by_fk_and_status_and_search(self, api):
        gold = sf.service_level(0, name="Gold")
        one = sf.agreement(0, service_level=gold)
        sf.service_instance(1)
        rows = api.get("/api/service-instances/", {"status": "agreement"}).json()["results"]
        assert [r["id"] for r in rows] == [one.pk]
        rows = api.get("/api/service-instances/", {"service_level": gold.pk}).json()["results"]
        assert [r["id"] for r in rows] == [one.pk]
        rows = api.get("/api/service-instances/", {"customer_group": one.customer_group_id}).json()["results"]
        assert [r["id"] for r in rows] == [one.pk]
        rows = api.get("/api/service-instances/", {"search": one.technical_service.name}).json()["results"]
        assert [r["id"] for r in rows] == [one.pk]
        assert api.get("/api/service-instances/", {"status": "bogus"}).status_code == 400
        assert api.get("/api/service-instances/", {"customer_group": "x"}).status_code == 400

    def test_active_timeframes_filter(self, api):
        instance = sf.service_instance(0)
        now = timezone.now()
        current = sf.timeframe(instance, 0)
        sf.timeframe(instance, 1, start=now + dt.timedelta(days=10), end=now + dt.timedelta(days=12))
        rows = api.get("/api/timeframes/", {"service_instance": instance.pk, "active_at": now.isoformat()}).json()
        assert [r["id"] for r in rows["results"]] == [current.pk]

    def test_ci_links_written_as_ids_read_as_briefs(self, api):
        instance = sf.service_instance(0)
        response = api.post(
            "/api/configuration-items/",
            {"name": "db-01", "ci_type": "database", "service_instances": [instance.pk], "change_reason": "new"},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["service_instances"] == [
            {"id": instance.pk, "title": instance.title, "status": "prospective"}
        ]
        rows = api.get("/api/configuration-items/", {"service_instance": instance.pk}).json()["results"]
        assert [r["name"] for r in rows] == ["db-01"]

    def test_wrong_types_are_400_not_500(self, api):
        for body in ({"name": 5}, {"nested_groups": "1"}, {"nested_groups": [True]}, {"kind": ["x"]}):
            response = api.post("/api/customer-groups/", {**body, "change_reason": "x"}, format="json")
            assert response.status_code == 400, body


@pytest.mark.django_db
class TestServiceRolesOnTheAPI:
    def test_slm_writes_instances_analyst_only_reads(self, slm_user, analyst_user):
        instance = sf.service_instance(0)
        slm = api_client_for(slm_user)
        response = slm.patch(
            f"/api/service-instances/{instance.pk}/", {"notes": "call monthly", "change_reason": "x"}, format="json"
        )
        assert response.status_code == 200
        analyst = api_client_for(analyst_user)
        assert analyst.get("/api/service-instances/").status_code == 200
        response = analyst.patch(
            f"/api/service-instances/{instance.pk}/", {"notes": "no", "change_reason": "x"}, format="json"
        )
        assert response.status_code == 403

    def test_cmdb_edits_cis_but_only_reads_instances(self, cmdb_user):
        client = api_client_for(cmdb_user)
        item = sf.configuration_item(0)
        response = client.patch(
            f"/api/configuration-items/{item.pk}/", {"status": "retired", "change_reason": "x"}, format="json"
        )
        assert response.status_code == 200
        assert client.get("/api/service-instances/").status_code == 200
        assert client.post("/api/service-instances/", {}, format="json").status_code == 403

    def test_integration_reads_service_data(self, integration_user):
        client = api_client_for(integration_user)
        for url in ("/api/service-instances/", "/api/customer-groups/", "/api/service-levels/"):
            assert client.get(url).status_code == 200
        assert client.post("/api/service-levels/", {}, format="json").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/api/service-instances/", "/api/customer-groups/", "/api/configuration-items/", "/api/memberships/"],
)
def test_api_list_queries_constant_from_10_to_100_rows(api, url):
    def grow(start, stop):
        for i in range(start, stop):
            instance = sf.agreement(i, owner_team=factories.team(i))
            sf.membership(instance.customer_group, factories.person(3000 + i))
            sf.configuration_item(i, service_instances=[instance])
            services.customer_group_update(
                instance.customer_group, user=None, change_reason="nest", nested_groups=[sf.customer_group(5000 + i)]
            )

    grow(0, 10)
    few = count_queries(lambda: api.get(url, {"limit": 200}))
    grow(10, 100)
    many = count_queries(lambda: api.get(url, {"limit": 200}))
    assert few == many


def test_roles_are_declared():
    from itsm.roles import role_permissions

    assert role_permissions()[SERVICE_LEVEL_MANAGER]["services.serviceinstance"] == ("view", "add", "change", "delete")
