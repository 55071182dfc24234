"""The base viewset every resource uses: writes in a transaction through services, deletes that answer 409 when
refused, ids checked before a query, and the history of a record."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from itsm.api.fields import MAX_PK
from itsm.api.filters import StrictFilterBackend
from itsm.api.schema import REASON_PARAMETER, AuditedAutoSchema
from itsm.api.serializers import HistoryEntrySerializer, request_reason
from itsm.exceptions import as_drf_error
from itsm.history import history_for, history_rows
from itsm.parsers import CappedSearchFilter
from itsm.services import record_delete


class AuditedModelViewSet(viewsets.ModelViewSet):
    """Project base viewset: writes in a transaction through services, deletes answer 409 when refused, history."""

    delete_service = staticmethod(record_delete)
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    filter_backends = [StrictFilterBackend, CappedSearchFilter, OrderingFilter]
    schema = AuditedAutoSchema()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # PostgreSQL cannot compare text with a NUL character: a search for one would be a 500.
        for name, values in request.query_params.lists():
            if any("\x00" in value for value in values) or "\x00" in name:
                raise exceptions.ValidationError({name.replace("\x00", ""): ["NUL characters are not allowed."]})

    def get_object(self):
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if self.lookup_field == "pk":
            try:
                if not 1 <= int(lookup) <= MAX_PK:
                    raise Http404
            except (TypeError, ValueError):
                raise Http404 from None
        return super().get_object()

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        try:
            type(self).delete_service(instance, user=self.request.user, change_reason=request_reason(self.request))
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    @extend_schema(parameters=[REASON_PARAMETER])
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def history_queryset(self, instance):
        return history_rows(instance)

    @extend_schema(responses=HistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, *args, **kwargs):
        """Every change to this record: when, who, why, and each changed field with old and new values."""
        instance = self.get_object()
        entries = history_for(instance, rows=self.history_queryset(instance))
        return Response(HistoryEntrySerializer(entries, many=True).data)
