"""Viewsets of the service-relationship register: filters on foreign keys and status, search, ordering, history."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from itsm.api.filters import id_filter
from itsm.api.viewsets import AuditedModelViewSet
from services import selectors, services
from services.api import serializers as s
from services.filters import CustomerGroupFilter, ServiceInstanceFilter
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

PERSON = "person__vip_status"


class TechnicalServiceFilter(filters.FilterSet):
    owner_team = id_filter("owner_team_id")

    class Meta:
        model = TechnicalService
        fields = ["status", "category", "owner_team"]


class TechnicalServiceViewSet(AuditedModelViewSet):
    queryset = TechnicalService.objects.select_related("owner_team")
    serializer_class = s.TechnicalServiceSerializer
    filterset_class = TechnicalServiceFilter
    search_fields = ["name", "description", "category"]
    ordering_fields = ["name", "category", "status", "id"]
    ordering = ["name"]
    delete_service = staticmethod(services.technical_service_delete)


class ServiceLevelFilter(filters.FilterSet):
    class Meta:
        model = ServiceLevel
        fields = ["hours"]


class ServiceLevelViewSet(AuditedModelViewSet):
    queryset = ServiceLevel.objects.select_related("calendar")
    serializer_class = s.ServiceLevelSerializer
    filterset_class = ServiceLevelFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "id"]
    ordering = ["name"]
    delete_service = staticmethod(services.service_level_delete)


class CustomerGroupViewSet(AuditedModelViewSet):
    queryset = CustomerGroup.objects.select_related(
        "primary_contact__vip_status", "secondary_contact__vip_status"
    ).prefetch_related("nested_groups")
    serializer_class = s.CustomerGroupSerializer
    filterset_class = CustomerGroupFilter
    search_fields = ["name", "organisation_code", "general_notes"]
    ordering_fields = ["name", "kind", "organisation_code", "id"]
    ordering = ["name"]
    delete_service = staticmethod(services.customer_group_delete)

    @extend_schema(responses=s.EffectiveMemberSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def members(self, request, *args, **kwargs):
        """Effective members: the group's own current members and those of every nested group, each person once.
        VIPs first (in VIP order), then by name; paginated like every list (limit/offset)."""
        group = self.get_object()
        group_ids = selectors.descendant_group_ids(group.pk)
        people = self.paginate_queryset(selectors.effective_member_people(group, group_ids=group_ids))
        members = selectors.effective_members_of(group, people, group_ids=group_ids)
        return self.get_paginated_response(s.EffectiveMemberSerializer(members, many=True).data)


class MembershipFilter(filters.FilterSet):
    group = id_filter("group_id")
    person = id_filter("person_id")

    class Meta:
        model = Membership
        fields = ["group", "person", "role"]


class MembershipViewSet(AuditedModelViewSet):
    queryset = Membership.objects.select_related("group", PERSON)
    serializer_class = s.MembershipSerializer
    filterset_class = MembershipFilter
    search_fields = ["person__first_name", "person__last_name", "person__email", "group__name"]
    ordering_fields = ["group__name", "person__last_name", "role", "start_date", "id"]
    ordering = ["group__name", "person__last_name", "person__first_name", "id"]
    delete_service = staticmethod(services.membership_delete)


class ServiceInstanceViewSet(AuditedModelViewSet):
    queryset = ServiceInstance.objects.with_related()
    serializer_class = s.ServiceInstanceSerializer
    filterset_class = ServiceInstanceFilter
    search_fields = ["title", "billing_code", "customer_group__organisation_code", "description"]
    ordering_fields = ["title", "status", "review_date", "next_contact_date", "start_date", "end_date", "id"]
    ordering = ["title"]
    delete_service = staticmethod(services.service_instance_delete)


class ConfigurationItemFilter(filters.FilterSet):
    owner_team = id_filter("owner_team_id")
    service_instance = id_filter("service_instances", distinct=True)

    class Meta:
        model = ConfigurationItem
        fields = ["ci_type", "status", "owner_team", "service_instance", "asset_tag", "serial_number"]


class ConfigurationItemViewSet(AuditedModelViewSet):
    queryset = ConfigurationItem.objects.select_related("owner_team").prefetch_related("service_instances")
    serializer_class = s.ConfigurationItemSerializer
    filterset_class = ConfigurationItemFilter
    search_fields = ["name", "asset_tag", "serial_number", "description"]
    ordering_fields = ["name", "ci_type", "status", "asset_tag", "id"]
    ordering = ["name", "id"]
    delete_service = staticmethod(services.configuration_item_delete)


class TimeframeFilter(filters.FilterSet):
    service_instance = id_filter("service_instance_id")
    active_at = filters.IsoDateTimeFilter(method="filter_active_at", label="Active at this moment (ISO 8601)")

    class Meta:
        model = Timeframe
        fields = ["service_instance", "recurs_yearly", "heightened_support", "active_at"]

    def filter_active_at(self, queryset, name, value):
        active = selectors.active_timeframes(queryset, at=value)
        return queryset.filter(pk__in=[t.pk for t in active])


class TimeframeViewSet(AuditedModelViewSet):
    queryset = Timeframe.objects.select_related("service_instance")
    serializer_class = s.TimeframeSerializer
    filterset_class = TimeframeFilter
    search_fields = ["name", "notes", "service_instance__title"]
    ordering_fields = ["start", "end", "name", "id"]
    ordering = ["start", "id"]
    delete_service = staticmethod(services.timeframe_delete)


class TaskFilter(filters.FilterSet):
    service_instance = id_filter("service_instance_id")
    team = id_filter("team_id")
    assignee = id_filter("assignee_id")
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Task
        fields = ["service_instance", "team", "assignee", "status", "due_before"]


class TaskViewSet(AuditedModelViewSet):
    queryset = Task.objects.select_related("service_instance", "team", "assignee")
    serializer_class = s.TaskSerializer
    filterset_class = TaskFilter
    search_fields = ["title", "notes", "service_instance__title"]
    ordering_fields = ["due_date", "status", "title", "id"]
    ordering = ["status", "due_date", "id"]
    delete_service = staticmethod(services.task_delete)
