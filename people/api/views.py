from django_filters import rest_framework as filters

from itsm.api.viewsets import AuditedModelViewSet
from people import services
from people.api.serializers import PersonSerializer, TeamSerializer
from people.filters import PersonFilter
from people.models import Person, Team


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
