from django_filters import rest_framework as filters

from itsm.api.viewsets import AuditedModelViewSet
from people import services
from people.api.serializers import PersonSerializer, TeamSerializer
from people.models import Person, Team
from vip.visibility import statuses_visible_to


class PersonFilter(filters.FilterSet):
    vip_status = filters.NumberFilter(method="filter_vip_status")
    team = filters.NumberFilter(field_name="login__teams", distinct=True)
    active = filters.BooleanFilter()

    class Meta:
        model = Person
        fields = ["vip_status", "team", "active", "email"]

    def filter_vip_status(self, queryset, name, value):
        # Filtering by a confidential status would list its holders: without the permission it matches nobody.
        user = getattr(self.request, "user", None)
        if not statuses_visible_to(user).filter(pk=value).exists():
            return queryset.none()
        return queryset.filter(vip_status_id=value)


class PersonViewSet(AuditedModelViewSet):
    queryset = Person.objects.with_vip().select_related("login")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    search_fields = ["first_name", "last_name", "email"]
    ordering_fields = ["last_name", "first_name", "email", "vip_status__position", "id"]
    ordering = ["last_name", "first_name", "id"]
    delete_service = staticmethod(services.person_delete)


class TeamFilter(filters.FilterSet):
    active = filters.BooleanFilter()

    class Meta:
        model = Team
        fields = ["active"]


class TeamViewSet(AuditedModelViewSet):
    queryset = Team.objects.prefetch_related("members")
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    search_fields = ["name"]
    ordering_fields = ["name", "id"]
    ordering = ["name"]
    delete_service = staticmethod(services.team_delete)
