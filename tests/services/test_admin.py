"""Every service-relationship model in the admin: reasons on add, change, delete, bulk delete, inlines."""

import datetime as dt

import pytest

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
from tests.base import AdminBattery, history_of
from tests.services import factories as sf

TODAY = dt.date.today()


def inline_management(*prefixes: str, initial: int = 0) -> dict:
    data = {}
    for prefix in prefixes:
        data |= {
            f"{prefix}-TOTAL_FORMS": str(initial),
            f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


LEVEL_TARGETS = {
    f"p{p}_{kind}_minutes": str(minutes)
    for p in range(1, 6)
    for kind, minutes in (("response", 30 * p), ("resolution", 240 * p))
}


class TestTechnicalServiceAdmin(AdminBattery):
    model = TechnicalService

    def make(self, index):
        return sf.technical_service(index)

    def admin_add_data(self):
        return {"name": "Shared Drive", "status": "active"}

    def admin_change_data(self, obj):
        return {"name": obj.name, "status": "retired"}


class TestServiceLevelAdmin(AdminBattery):
    model = ServiceLevel

    def make(self, index):
        return sf.service_level(index)

    def admin_add_data(self):
        return {"name": "Gold", "hours": "24x7", **LEVEL_TARGETS}

    def admin_change_data(self, obj):
        return {"name": obj.name, "hours": "business", **LEVEL_TARGETS}


class TestCustomerGroupAdmin(AdminBattery):
    model = CustomerGroup

    def make(self, index):
        return sf.customer_group(index)

    def admin_add_data(self):
        return {
            "name": "Registry",
            "kind": "department",
            "organisation_code": "A530100",
            **inline_management("memberships"),
        }

    def admin_change_data(self, obj):
        return {"name": obj.name, "kind": "individuals", "support_notes": "x", **inline_management("memberships")}


class TestMembershipAdmin(AdminBattery):
    model = Membership

    def make(self, index):
        return sf.membership(sf.customer_group(index), factories.person(index))

    def admin_add_data(self):
        return {"group": sf.customer_group(99).pk, "person": factories.person(99).pk, "role": "approver"}

    def admin_change_data(self, obj):
        return {"group": obj.group_id, "person": obj.person_id, "role": "billing_contact"}


class TestServiceInstanceAdmin(AdminBattery):
    model = ServiceInstance

    def make(self, index):
        return sf.service_instance(index)

    def admin_add_data(self):
        return {
            "technical_service": sf.technical_service(99).pk,
            "customer_group": sf.customer_group(99).pk,
            "status": "prospective",
            "charge_model": "none",
            "currency": "USD",
            **inline_management("timeframes", "tasks"),
        }

    def admin_change_data(self, obj):
        return {
            "technical_service": obj.technical_service_id,
            "customer_group": obj.customer_group_id,
            "status": "retired",
            "end_date": str(TODAY),
            "charge_model": "none",
            "currency": "USD",
            **inline_management("timeframes", "tasks"),
        }


class TestConfigurationItemAdmin(AdminBattery):
    model = ConfigurationItem

    def make(self, index):
        return sf.configuration_item(index)

    def admin_add_data(self):
        return {
            "name": "vm-01",
            "ci_type": "server",
            "status": "active",
            "service_instances": [sf.service_instance(9).pk],
        }

    def admin_change_data(self, obj):
        return {"name": obj.name, "ci_type": "database", "status": "active"}


class TestTimeframeAdmin(AdminBattery):
    model = Timeframe

    def make(self, index):
        return sf.timeframe(sf.service_instance(index), index)

    def admin_add_data(self):
        return {
            "service_instance": sf.service_instance(99).pk,
            "name": "Registration week",
            "start_0": "2026-08-24",
            "start_1": "08:00",
            "end_0": "2026-08-29",
            "end_1": "18:00",
            "recurs_yearly": "on",
        }

    def admin_change_data(self, obj):
        return {
            "service_instance": obj.service_instance_id,
            "name": "Renamed",
            "start_0": "2026-08-24",
            "start_1": "08:00",
            "end_0": "2026-08-30",
            "end_1": "18:00",
        }


class TestTaskAdmin(AdminBattery):
    model = Task

    def make(self, index):
        return sf.task(sf.service_instance(index), index)

    def admin_add_data(self):
        return {"service_instance": sf.service_instance(99).pk, "title": "Annual review", "status": "open"}

    def admin_change_data(self, obj):
        return {"service_instance": obj.service_instance_id, "title": obj.title, "status": "done"}


@pytest.mark.django_db
class TestServiceAdminRules:
    @pytest.fixture
    def admin_client(self, client, admin_user):
        client.force_login(admin_user)
        return client

    def test_nesting_that_closes_a_cycle_is_refused_on_the_form(self, admin_client):
        faculty, chemistry = sf.customer_group(0, name="Faculty"), sf.customer_group(1, name="Chemistry")
        services.customer_group_update(faculty, user=None, change_reason="nest", nested_groups=[chemistry])
        response = admin_client.post(
            f"/admin/services/customergroup/{chemistry.pk}/change/",
            {
                "name": "Chemistry",
                "kind": "individuals",
                "nested_groups": [faculty.pk],
                "change_reason": "try",
                **inline_management("memberships"),
            },
        )
        assert response.status_code == 200
        assert "A group cannot contain itself: Chemistry → Faculty → Chemistry." in response.content.decode()
        assert not chemistry.nested_groups.exists()

    def test_membership_inline_rows_carry_the_forms_reason(self, admin_client):
        group, person = sf.customer_group(0), factories.person(0)
        data = {
            "name": group.name,
            "kind": "individuals",
            "change_reason": "new approver",
            **inline_management("memberships"),
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-person": person.pk,
            "memberships-0-role": "approver",
        }
        response = admin_client.post(f"/admin/services/customergroup/{group.pk}/change/", data)
        assert response.status_code == 302
        membership = Membership.objects.get(group=group)
        assert history_of(membership).get().history_change_reason == "new approver"

    def test_admin_rename_retitles_instances(self, admin_client):
        instance = sf.service_instance(0)
        service = instance.technical_service
        response = admin_client.post(
            f"/admin/services/technicalservice/{service.pk}/change/",
            {"name": "Renamed", "status": "active", "change_reason": "rename"},
        )
        assert response.status_code == 302
        instance.refresh_from_db()
        assert instance.title.startswith("Renamed - ")

    def test_admin_status_transition_refused_next_to_the_field(self, admin_client):
        instance = sf.agreement(0)
        data = {
            "technical_service": instance.technical_service_id,
            "customer_group": instance.customer_group_id,
            "service_level": instance.service_level_id,
            "primary_customer": instance.primary_customer_id,
            "status": "prospective",
            "charge_model": "none",
            "currency": "USD",
            "change_reason": "back",
            **inline_management("timeframes", "tasks"),
        }
        response = admin_client.post(f"/admin/services/serviceinstance/{instance.pk}/change/", data)
        assert response.status_code == 200
        assert "cannot become Prospective" in str(response.context["adminform"].form.errors["status"])

    def test_timeframe_and_task_inline_rows_carry_the_forms_reason(self, admin_client):
        instance = sf.service_instance(0)
        data = {
            "technical_service": instance.technical_service_id,
            "customer_group": instance.customer_group_id,
            "status": "prospective",
            "charge_model": "none",
            "currency": "USD",
            "change_reason": "registration week planned",
            **inline_management("timeframes", "tasks"),
            "timeframes-TOTAL_FORMS": "1",
            "timeframes-0-name": "Registration week",
            "timeframes-0-start_0": "2026-09-01",
            "timeframes-0-start_1": "08:00",
            "timeframes-0-end_0": "2026-09-08",
            "timeframes-0-end_1": "18:00",
            "timeframes-0-heightened_support": "on",
            "tasks-TOTAL_FORMS": "1",
            "tasks-0-title": "Confirm on-call rota",
            "tasks-0-status": "open",
        }
        response = admin_client.post(f"/admin/services/serviceinstance/{instance.pk}/change/", data)
        assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
        timeframe, task = Timeframe.objects.get(service_instance=instance), Task.objects.get(service_instance=instance)
        assert history_of(timeframe).get().history_change_reason == "registration week planned"
        assert history_of(task).get().history_change_reason == "registration week planned"

    def test_inline_rows_without_a_reason_are_refused_and_nothing_is_saved(self, admin_client):
        instance = sf.service_instance(0)
        data = {
            "technical_service": instance.technical_service_id,
            "customer_group": instance.customer_group_id,
            "status": "prospective",
            "charge_model": "none",
            "currency": "USD",
            **inline_management("timeframes", "tasks"),
            "tasks-TOTAL_FORMS": "1",
            "tasks-0-title": "Confirm on-call rota",
            "tasks-0-status": "open",
        }
        response = admin_client.post(f"/admin/services/serviceinstance/{instance.pk}/change/", data)
        assert response.status_code == 200
        assert "change_reason" in response.context["adminform"].form.errors
        assert not Task.objects.exists()
