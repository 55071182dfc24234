from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.api.serializers import required_reason
from itsm.api.viewsets import AuditedModelViewSet
from itsm.exceptions import as_drf_error
from vip import services
from vip.api.serializers import VipStatusMoveSerializer, VipStatusSerializer
from vip.models import VipStatus


class VipStatusFilter(filters.FilterSet):
    show_on_tickets = filters.BooleanFilter()
    is_default = filters.BooleanFilter()

    class Meta:
        model = VipStatus
        fields = ["show_on_tickets", "is_default"]


class VipStatusViewSet(AuditedModelViewSet):
    queryset = VipStatus.objects.ordered()  # for the schema and the router; get_queryset adds the holder counts
    serializer_class = VipStatusSerializer
    filterset_class = VipStatusFilter
    search_fields = ["name", "description"]
    ordering_fields = ["position", "name"]
    ordering = ["position"]
    delete_service = staticmethod(services.vip_status_delete)

    def get_queryset(self):
        return services.with_holder_counts(VipStatus.objects.ordered())

    @extend_schema(request=VipStatusMoveSerializer, responses=VipStatusSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        """Moves the status to a position (1 = top); the others shift and positions stay 1..N."""
        status = self.get_object()
        body = VipStatusMoveSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            moved = services.vip_status_move(
                status,
                position=body.validated_data["position"],
                user=request.user,
                change_reason=required_reason(request, dict(body.validated_data)),
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(VipStatusSerializer(moved, context=self.get_serializer_context()).data)
