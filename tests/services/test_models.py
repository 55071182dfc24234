"""Model and service rules of the service-relationship register."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from itsm.services import ConflictError
from services import services
from services.models import ConfigurationItem, CustomerGroup, ServiceInstance, ServiceLevel, Timeframe
from tests import factories
from tests.base import history_of
from tests.services import factories as sf

pytestmark = pytest.mark.django_db
Status = ServiceInstance.Status
TODAY = dt.date.today()


def messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


# -- nested groups ----------------------------------------------------------------------------------------------------
class TestNestedGroups:
    def test_group_cannot_contain_itself(self):
        group = sf.customer_group(0, name="Registry")
        with pytest.raises(ValidationError) as error:
            services.customer_group_update(group, user=None, change_reason="nest", nested_groups=[group])
        assert messages(error.value, "nested_groups") == "A group cannot contain itself: Registry → Registry."

    def test_indirect_cycle_is_refused_naming_the_cycle(self):
        faculty = sf.customer_group(0, name="Faculty")
        chemistry = sf.customer_group(1, name="Chemistry")
        lab = sf.customer_group(2, name="Lab")
        services.customer_group_update(faculty, user=None, change_reason="nest", nested_groups=[chemistry])
        services.customer_group_update(chemistry, user=None, change_reason="nest", nested_groups=[lab])
        with pytest.raises(ValidationError) as error:
            services.customer_group_update(lab, user=None, change_reason="nest", nested_groups=[faculty])
        assert messages(error.value, "nested_groups") == (
            "A group cannot contain itself: Lab → Faculty → Chemistry → Lab."
        )
        assert list(lab.nested_groups.all()) == []

    def test_nesting_without_cycle_is_kept_in_history_with_one_row(self):
        parent = sf.customer_group(0)
        child = sf.customer_group(1)
        before = history_of(parent).count()
        services.customer_group_update(parent, user=None, change_reason="department joins", nested_groups=[child])
        rows = history_of(parent)
        assert rows.count() == before + 1
        assert rows.last().history_change_reason == "department joins"
        assert [r.to_customergroup_id for r in rows.last().nested_groups.all()] == [child.pk]

    def test_history_entries_show_nested_group_changes_by_name(self):
        from itsm.audit import history_entries

        parent, chemistry, physics = (
            sf.customer_group(0),
            sf.customer_group(1, name="Chem"),
            sf.customer_group(2, name="Phys"),
        )
        services.customer_group_update(parent, user=None, change_reason="nest", nested_groups=[chemistry])
        services.customer_group_update(parent, user=None, change_reason="more", nested_groups=[chemistry, physics])
        entries = history_entries(list(history_of(parent)))
        changes = [(c.field, c.old, c.new) for c in entries[-1]["changes"]]
        assert changes == [("nested_groups", "Chem", "Chem, Phys")]
        assert [(c.old, c.new) for c in entries[-2]["changes"]] == [(None, "Chem")]

    def test_department_needs_a_valid_unique_udds(self):
        with pytest.raises(ValidationError) as error:
            sf.customer_group(0, kind=CustomerGroup.Kind.DEPARTMENT)
        assert "needs its organisation code" in messages(error.value, "organisation_code")
        with pytest.raises(ValidationError) as error:
            sf.customer_group(0, kind=CustomerGroup.Kind.DEPARTMENT, organisation_code="12345")
        assert "one capital letter and six digits" in messages(error.value, "organisation_code")
        sf.customer_group(0, kind=CustomerGroup.Kind.DEPARTMENT, organisation_code="A061234")
        with pytest.raises(ValidationError) as error:
            sf.customer_group(1, organisation_code="A061234")
        assert "Another customer group already has this organisation code." in str(error.value)
        assert {e.code for errors in error.value.error_dict.values() for e in errors} == {"unique"}

    def test_deleting_a_group_removes_memberships_and_nesting_with_the_reason(self):
        parent, child = sf.customer_group(0), sf.customer_group(1)
        services.customer_group_update(parent, user=None, change_reason="nest", nested_groups=[child])
        membership = sf.membership(child, factories.person(0))
        services.customer_group_delete(child, user=None, change_reason="merged")
        assert list(parent.nested_groups.all()) == []
        assert history_of(membership).last().history_change_reason == "merged"
        assert "merged" in history_of(parent).last().history_change_reason

    def test_deleting_a_group_with_instances_is_refused_and_changes_nothing(self):
        instance = sf.service_instance(0)
        membership = sf.membership(instance.customer_group, factories.person(0))
        with pytest.raises(ConflictError) as error:
            services.customer_group_delete(instance.customer_group, user=None, change_reason="gone")
        assert "service instance" in error.value.message and instance.title in error.value.message
        assert CustomerGroup.objects.filter(pk=instance.customer_group_id).exists()
        assert membership.__class__.objects.filter(pk=membership.pk).exists()


# -- memberships ------------------------------------------------------------------------------------------------------
def test_membership_role_is_unique_per_person_and_group():
    group, person = sf.customer_group(0), factories.person(0)
    sf.membership(group, person, role="approver")
    sf.membership(group, person, role="member")
    with pytest.raises(ValidationError):
        sf.membership(group, person, role="approver")


def test_membership_end_before_start_is_refused():
    with pytest.raises(ValidationError) as error:
        sf.membership(sf.customer_group(0), factories.person(0), start_date=TODAY, end_date=TODAY - dt.timedelta(1))
    assert "before the start" in messages(error.value, "end_date")


# -- service instances ------------------------------------------------------------------------------------------------
class TestServiceInstance:
    def test_title_is_service_dash_group(self):
        instance = sf.service_instance(
            0,
            technical_service=sf.technical_service(0, name="Shared Drive"),
            customer_group=sf.customer_group(0, name="Arts"),
        )
        assert instance.title == str(instance) == "Shared Drive - Arts"

    def test_pair_is_unique(self):
        instance = sf.service_instance(0)
        with pytest.raises(ValidationError) as error:
            sf.service_instance(1, technical_service=instance.technical_service, customer_group=instance.customer_group)
        assert "already has an instance of this technical service" in str(error.value)

    def test_title_follows_renames_of_either_side_with_history(self, admin_user):
        instance = sf.service_instance(
            0,
            technical_service=sf.technical_service(0, name="Virtualisation"),
            customer_group=sf.customer_group(0, name="AIMS"),
        )
        services.technical_service_update(
            instance.technical_service, user=admin_user, change_reason="catalogue clean-up", name="CCI-Virtualisation"
        )
        instance.refresh_from_db()
        assert instance.title == "CCI-Virtualisation - AIMS"
        row = history_of(instance).last()
        assert row.title == "CCI-Virtualisation - AIMS"
        assert row.history_user == admin_user
        assert "renamed" not in row.history_change_reason  # says "rename of", naming both names and the reason
        assert "'Virtualisation' to 'CCI-Virtualisation'" in row.history_change_reason
        assert "catalogue clean-up" in row.history_change_reason

        group = CustomerGroup.objects.get(pk=instance.customer_group_id)
        services.customer_group_update(group, user=admin_user, change_reason="new name", name="AIMS Lab")
        instance.refresh_from_db()
        assert instance.title == "CCI-Virtualisation - AIMS Lab"
        assert history_of(instance).count() == 3

    def test_agreement_needs_service_level_and_primary_customer(self):
        instance = sf.service_instance(0)
        with pytest.raises(ValidationError) as error:
            services.service_instance_update(instance, user=None, change_reason="signed", status=Status.AGREEMENT)
        assert set(error.value.message_dict) == {"service_level", "primary_customer"}
        assert "needs a service level" in messages(error.value, "service_level")
        instance.refresh_from_db()
        services.service_instance_update(
            instance,
            user=None,
            change_reason="signed",
            status=Status.AGREEMENT,
            service_level=sf.service_level(0),
            primary_customer=factories.person(0),
        )
        assert instance.status == Status.AGREEMENT
        assert instance.agreement_date == TODAY

    def test_retired_needs_an_end_date(self):
        instance = sf.service_instance(0)
        with pytest.raises(ValidationError) as error:
            services.service_instance_update(instance, user=None, change_reason="dropped", status=Status.RETIRED)
        assert messages(error.value, "end_date") == "A retired instance needs an end date."

    @pytest.mark.parametrize(
        ("start", "target", "allowed"),
        [
            (Status.PROSPECTIVE, Status.AGREEMENT, True),
            (Status.PROSPECTIVE, Status.RETIRED, True),
            (Status.AGREEMENT, Status.RETIRED, True),
            (Status.AGREEMENT, Status.PROSPECTIVE, False),
            (Status.RETIRED, Status.PROSPECTIVE, False),
            (Status.RETIRED, Status.AGREEMENT, True),
        ],
    )
    def test_status_transitions(self, start, target, allowed):
        created = sf.agreement(0, status=start, end_date=TODAY if start == Status.RETIRED else None)
        instance = ServiceInstance.objects.get(pk=created.pk)
        assert instance.status == start
        change = {"status": target, "end_date": TODAY} if target == Status.RETIRED else {"status": target}
        if allowed:
            services.service_instance_update(instance, user=None, change_reason="moving on", **change)
            assert ServiceInstance.objects.get(pk=instance.pk).status == target
        else:
            with pytest.raises(ValidationError) as error:
                services.service_instance_update(instance, user=None, change_reason="moving on", **change)
            allowed_labels = " or ".join(sorted(str(Status(s).label) for s in ServiceInstance.TRANSITIONS[start]))
            assert messages(error.value, "status") == (
                f"A {start.label} instance cannot become {target.label}; it can become {allowed_labels}."
            )
            assert ServiceInstance.objects.get(pk=instance.pk).status == start

    def test_reopening_a_retired_instance_needs_a_reason_even_when_reasons_are_optional(self, settings):
        settings.ITSM_REQUIRE_CHANGE_REASON = False
        instance = ServiceInstance.objects.get(pk=sf.agreement(0, status=Status.RETIRED, end_date=TODAY).pk)
        with pytest.raises(ValidationError) as error:
            services.service_instance_update(instance, user=None, change_reason="", status=Status.AGREEMENT)
        assert "Reopening a retired instance" in messages(error.value, "change_reason")
        services.service_instance_update(instance, user=None, change_reason="renewed", status=Status.AGREEMENT)
        assert instance.end_date is None

    def test_end_before_start_and_charge_without_amount_are_refused(self):
        with pytest.raises(ValidationError) as error:
            sf.service_instance(0, start_date=TODAY, end_date=TODAY - dt.timedelta(days=1), charge_model="flat")
        assert set(error.value.message_dict) == {"end_date", "charge_amount"}

    def test_deleting_an_instance_takes_its_timeframes_and_tasks_with_the_reason(self):
        instance = sf.service_instance(0)
        timeframe = sf.timeframe(instance)
        task = sf.task(instance)
        item = sf.configuration_item(0, service_instances=[instance])
        services.service_instance_delete(instance, user=None, change_reason="cancelled")
        assert history_of(timeframe).last().history_change_reason == "cancelled"
        assert history_of(task).last().history_change_reason == "cancelled"
        assert list(item.service_instances.all()) == []
        assert ConfigurationItem.objects.filter(pk=item.pk).exists()


# -- protected rows ---------------------------------------------------------------------------------------------------
def test_deleting_a_used_service_level_or_technical_service_is_refused():
    instance = sf.agreement(0)
    with pytest.raises(ConflictError) as error:
        services.service_level_delete(instance.service_level, user=None, change_reason="gone")
    assert instance.title in error.value.message
    with pytest.raises(ConflictError):
        services.technical_service_delete(instance.technical_service, user=None, change_reason="gone")


# -- service levels ---------------------------------------------------------------------------------------------------
def test_service_level_resolution_must_be_at_least_response_and_response_positive():
    with pytest.raises(ValidationError) as error:
        sf.service_level(0, p1_response_minutes=60, p1_resolution_minutes=30, p3_response_minutes=0)
    assert "must be at least the response target (60 min)" in messages(error.value, "p1_resolution_minutes")
    assert "more than 0" in messages(error.value, "p3_response_minutes")
    level = sf.service_level(0)
    assert level.target(1) == (level.p1_response_minutes, level.p1_resolution_minutes)
    assert ServiceLevel.objects.count() == 1


# -- configuration items ----------------------------------------------------------------------------------------------
def test_ci_links_to_instances_in_history_and_asset_tag_is_unique():
    one, two = sf.service_instance(0), sf.service_instance(1)
    item = sf.configuration_item(0, service_instances=[one])
    assert history_of(item).count() == 1
    assert [r.serviceinstance_id for r in history_of(item).first().service_instances.all()] == [one.pk]
    services.configuration_item_update(item, user=None, change_reason="moved", service_instances=[one, two])
    assert history_of(item).count() == 2
    assert {r.serviceinstance_id for r in history_of(item).last().service_instances.all()} == {one.pk, two.pk}
    with pytest.raises(ValidationError):
        sf.configuration_item(1, asset_tag=item.asset_tag)
    sf.configuration_item(2, asset_tag="")
    sf.configuration_item(3, asset_tag="")


# -- timeframes -------------------------------------------------------------------------------------------------------
def test_timeframe_end_must_follow_start():
    instance = sf.service_instance(0)
    with pytest.raises(ValidationError) as error:
        sf.timeframe(instance, start=dt.datetime(2026, 1, 2, tzinfo=dt.UTC), end=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert messages(error.value, "end") == "The end must be after the start."
    assert Timeframe.objects.count() == 0


def test_ci_serial_number_is_unique_when_present_with_a_clear_message():
    sf.configuration_item(0, serial_number="SN-1")
    with pytest.raises(ValidationError) as error:
        sf.configuration_item(1, serial_number="SN-1")
    assert messages(error.value, "serial_number") == "Another configuration item already has this serial number."
    sf.configuration_item(2, serial_number="")
    sf.configuration_item(3, serial_number="")
    assert ConfigurationItem.objects.count() == 3
