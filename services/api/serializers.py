"""Service-relationship resources. Foreign keys are written as ids and read as brief objects."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from itsm.api.fields import BriefRelatedField
from itsm.api.serializers import AuditedModelSerializer
from people.api.serializers import PersonBriefSerializer, TeamBriefSerializer, UserBriefSerializer
from people.models import Person, Team
from services import services
from services.models import (
    Calendar,
    ConfigurationItem,
    CustomerGroup,
    Membership,
    ServiceInstance,
    ServiceLevel,
    Task,
    TechnicalService,
    Timeframe,
)


# -- brief forms (how these records read inside others, e.g. a ticket's service instance) ----------------------------
class TechnicalServiceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = TechnicalService
        fields = ["id", "name"]
        read_only_fields = fields


class ServiceLevelBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceLevel
        fields = ["id", "name", "hours"]
        read_only_fields = fields


class CalendarBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Calendar
        fields = ["id", "name", "time_zone"]
        read_only_fields = fields


class CustomerGroupBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerGroup
        fields = ["id", "name", "kind", "organisation_code"]
        read_only_fields = fields


class ServiceInstanceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceInstance
        fields = ["id", "title", "status"]
        read_only_fields = fields


def _person(help_text: str = "", **kwargs) -> BriefRelatedField:
    return BriefRelatedField(
        PersonBriefSerializer, queryset=Person.objects.all(), help_text=help_text or "A person id.", **kwargs
    )


def _optional_person(help_text: str = "") -> BriefRelatedField:
    return _person(help_text, required=False, allow_null=True)


def _team() -> BriefRelatedField:
    return BriefRelatedField(
        TeamBriefSerializer, queryset=Team.objects.all(), required=False, allow_null=True, help_text="A team id."
    )


# -- full resources ---------------------------------------------------------------------------------------------------
class TechnicalServiceSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.technical_service_create)
    update_service = staticmethod(services.technical_service_update)

    owner_team = _team()

    class Meta:
        model = TechnicalService
        fields = ["id", "name", "description", "category", "owner_team", "status", "change_reason"]


class ServiceLevelSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.service_level_create)
    update_service = staticmethod(services.service_level_update)

    targets = serializers.ListField(child=serializers.DictField(), read_only=True, help_text="Minutes per priority.")
    calendar = BriefRelatedField(
        CalendarBriefSerializer,
        queryset=Calendar.objects.all(),
        required=False,
        allow_null=True,
        help_text="A calendar id: the targets count business time in it. null means 24x7.",
    )

    class Meta:
        model = ServiceLevel
        fields = [
            "id",
            "name",
            "description",
            "hours",
            "calendar",
            *[f"p{p}_{kind}_minutes" for p in range(1, 6) for kind in ("response", "resolution")],
            "targets",
            "change_reason",
        ]


class CustomerGroupSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.customer_group_create)
    update_service = staticmethod(services.customer_group_update)

    primary_contact = _optional_person()
    secondary_contact = _optional_person()
    nested_groups = BriefRelatedField(
        CustomerGroupBriefSerializer,
        queryset=CustomerGroup.objects.all(),
        many=True,
        required=False,
        help_text="Ids of the groups nested in this one; a group can never contain itself.",
    )

    class Meta:
        model = CustomerGroup
        fields = [
            "id",
            "name",
            "kind",
            "organisation_code",
            "primary_contact",
            "secondary_contact",
            "general_notes",
            "support_notes",
            "nested_groups",
            "change_reason",
        ]


class MembershipSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.membership_create)
    update_service = staticmethod(services.membership_update)

    group = BriefRelatedField(CustomerGroupBriefSerializer, queryset=CustomerGroup.objects.all())
    person = _person()

    class Meta:
        model = Membership
        fields = ["id", "group", "person", "role", "start_date", "end_date", "change_reason"]


class ServiceInstanceSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.service_instance_create)
    update_service = staticmethod(services.service_instance_update)

    technical_service = BriefRelatedField(TechnicalServiceBriefSerializer, queryset=TechnicalService.objects.all())
    customer_group = BriefRelatedField(CustomerGroupBriefSerializer, queryset=CustomerGroup.objects.all())
    service_level = BriefRelatedField(
        ServiceLevelBriefSerializer, queryset=ServiceLevel.objects.all(), required=False, allow_null=True
    )
    owner_team = _team()
    owner = _optional_person("The account owner's person id.")
    primary_customer = _optional_person("Defines, agrees and pays for the service; need not use it.")
    secondary_customer = _optional_person()

    class Meta:
        model = ServiceInstance
        fields = [
            "id",
            "title",
            "technical_service",
            "customer_group",
            "service_level",
            "status",
            "owner_team",
            "owner",
            "primary_customer",
            "secondary_customer",
            "billing_code",
            "charge_model",
            "charge_amount",
            "currency",
            "start_date",
            "agreement_date",
            "review_date",
            "end_date",
            "last_contact_date",
            "next_contact_date",
            "description",
            "notes",
            "change_reason",
        ]
        read_only_fields = ["title"]


class ConfigurationItemSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.configuration_item_create)
    update_service = staticmethod(services.configuration_item_update)

    owner_team = _team()
    service_instances = BriefRelatedField(
        ServiceInstanceBriefSerializer,
        queryset=ServiceInstance.objects.all(),
        many=True,
        required=False,
        help_text="Ids of the service instances this item serves.",
    )

    class Meta:
        model = ConfigurationItem
        fields = [
            "id",
            "name",
            "ci_type",
            "status",
            "asset_tag",
            "serial_number",
            "owner_team",
            "description",
            "service_instances",
            "change_reason",
        ]


class TimeframeSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.timeframe_create)
    update_service = staticmethod(services.timeframe_update)

    service_instance = BriefRelatedField(ServiceInstanceBriefSerializer, queryset=ServiceInstance.objects.all())

    class Meta:
        model = Timeframe
        fields = [
            "id",
            "service_instance",
            "name",
            "start",
            "end",
            "recurs_yearly",
            "heightened_support",
            "notes",
            "change_reason",
        ]


class TaskSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.task_create)
    update_service = staticmethod(services.task_update)

    service_instance = BriefRelatedField(ServiceInstanceBriefSerializer, queryset=ServiceInstance.objects.all())
    team = _team()
    assignee = BriefRelatedField(
        UserBriefSerializer,
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
        help_text="The analyst's user id.",
    )

    class Meta:
        model = Task
        fields = ["id", "service_instance", "title", "due_date", "team", "assignee", "status", "notes", "change_reason"]


# -- effective members ------------------------------------------------------------------------------------------------
class MemberRoleSerializer(serializers.Serializer):
    group = CustomerGroupBriefSerializer()
    role = serializers.CharField()


class EffectiveMemberSerializer(serializers.Serializer):
    person = PersonBriefSerializer()
    direct = serializers.BooleanField(help_text="Member of this group itself, not only through a nested group.")
    roles = serializers.SerializerMethodField()

    @extend_schema_field(MemberRoleSerializer(many=True))
    def get_roles(self, member) -> list[dict]:
        return [{"group": CustomerGroupBriefSerializer(g).data, "role": role} for g, role in member.roles]
