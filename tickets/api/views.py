"""The ticket API: /api/tickets/{number}/ with filters, ordering and history; notes and transitions per ticket."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from itsm.api.filters import StrictFilterBackend, bool_filter, id_filter
from itsm.api.permissions import MethodPermissions
from itsm.api.serializers import request_reason
from itsm.api.viewsets import AuditedModelViewSet
from itsm.audit import REASON_REQUIRED_MESSAGE, reasons_required
from itsm.exceptions import RuleRefusal, as_drf_error
from itsm.parsers import CappedSearchFilter
from tickets import clock, extensions, selectors, services
from tickets.api.serializers import (
    BreachSerializer,
    TicketDetailSerializer,
    TicketNoteSerializer,
    TicketSerializer,
    TicketTransitionSerializer,
    TransitionRefusedSerializer,
)
from tickets.choices import OPEN_STATUSES, PRIORITY_CHOICES, DueState, Status, TicketType
from tickets.models import Ticket, TicketNote, TicketRequestKey
from tickets.models.caller_vip import ShownCallerVip
from tickets.notes import ticket_note_add

NUMBER_PARAMETER = OpenApiParameter(
    "number",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The ticket number, e.g. INC000042.",
)


class TicketFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices, help_text="One or more statuses.")
    type = filters.MultipleChoiceFilter(field_name="ticket_type", choices=TicketType.choices, help_text="Ticket type.")
    priority = filters.MultipleChoiceFilter(choices=PRIORITY_CHOICES, help_text="One or more priorities (1-5).")
    open = bool_filter("true: New, Assigned, In progress or Pending; false: the others.", method="filter_open")
    caller = id_filter("caller_id", "The caller's person id.")
    vip_status = id_filter("caller__vip_status_id", "The caller's VIP status id.")
    vip = bool_filter("true: callers whose VIP status is shown on tickets; false: the others.", method="filter_vip")
    service_instance = id_filter("service_instance_id", "Service instance id.")
    customer_group = id_filter("service_instance__customer_group_id", "Customer group of the service instance.")
    team = id_filter("team_id", "Team id.")
    assignee = id_filter("assignee_id", "Assignee's user id.")
    opened_after = filters.IsoDateTimeFilter(
        field_name="opened_at", lookup_expr="gte", help_text="Opened at or after (ISO 8601)."
    )
    opened_before = filters.IsoDateTimeFilter(
        field_name="opened_at", lookup_expr="lt", help_text="Opened before (ISO 8601)."
    )
    sla_state = filters.ChoiceFilter(
        choices=DueState.choices,
        method="filter_sla_state",
        help_text="The service level clock's state now: on_time, due_soon, breached, paused, met or no_target.",
    )
    breached = bool_filter(
        "true: tickets with a recorded breach (response or resolution); false: without.", method="filter_breached"
    )
    service_level = id_filter("service_level_id", "The ticket's service level id.")

    class Meta:
        model = Ticket
        fields = []

    def filter_sla_state(self, queryset, name, value):
        return queryset.filter(clock.state_filter(value, timezone.now()))

    def filter_vip(self, queryset, name, value):
        vips = ShownCallerVip(getattr(self.request, "shown_vip_ids", None))
        return queryset.filter(vips) if value else queryset.exclude(vips)

    def filter_breached(self, queryset, name, value):
        flagged = Q(response_breached=True) | Q(resolution_breached=True)
        return queryset.filter(flagged) if value else queryset.exclude(flagged)

    def filter_open(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)


class TicketSearchFilter(CappedSearchFilter):
    """`?search=`: the same full-text search as the queue (a ticket number matches exactly)."""

    search_description = (
        "A ticket number (exact), or words that must all be in the number, title, description or notes (prefixes "
        "match, accents are ignored), or all in the caller's name, e-mail or phone."
    )

    def filter_queryset(self, request, queryset, view):
        term = request.query_params.get(self.search_param, "")
        return selectors.search_tickets(queryset, term, user=request.user) if term.strip() else queryset


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    pattern=r"^[\x21-\x7e]{1,255}$",
    description="Any unique string (e.g. a UUID) per ticket you mean to log. A retry with the same key answers 200 "
    "with the ticket the first request logged (header `Idempotent-Replayed: true`) instead of logging a duplicate.",
)
IDEMPOTENCY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


@extend_schema_view(
    create=extend_schema(parameters=[IDEMPOTENCY_KEY], responses={201: TicketSerializer, 200: TicketSerializer}),
    retrieve=extend_schema(parameters=[NUMBER_PARAMETER]),
    update=extend_schema(parameters=[NUMBER_PARAMETER]),
    partial_update=extend_schema(parameters=[NUMBER_PARAMETER]),
    history=extend_schema(parameters=[NUMBER_PARAMETER]),
)
class TicketViewSet(AuditedModelViewSet):
    """Tickets, looked up by number. Created with a change reason; answered with the number and computed priority."""

    queryset = selectors.ticket_list()
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    lookup_field = "number"
    lookup_value_regex = "[A-Za-z0-9]+"
    search_fields = ["number", "title", "description"]  # read by the schema; TicketSearchFilter searches
    filter_backends = [StrictFilterBackend, TicketSearchFilter, OrderingFilter]
    ordering_fields = [
        "number",
        "priority",
        "status",
        "opened_at",
        "updated_at",
        "response_due_at",
        "resolution_due_at",
        "vip_rank",
        "caller__vip_status__position",
        "id",
    ]
    ordering = selectors.QUEUE_ORDER
    # Tickets are never deleted: they are cancelled.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_permissions(self):
        if self.action == "notes":
            return [MethodPermissions({"GET": ["tickets.view_ticket"], "POST": ["tickets.add_ticketnote"]})]
        if self.action == "transition":
            return [MethodPermissions({"POST": ["tickets.change_ticket"]})]
        if self.action in ("breaches", "breach"):
            return [MethodPermissions({"GET": ["tickets.view_ticket"], "PATCH": ["tickets.change_ticket"]})]
        return super().get_permissions()

    def get_serializer_class(self):
        return TicketDetailSerializer if self.action == "retrieve" else super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return super().create(request, *args, **kwargs)
        if not IDEMPOTENCY_PATTERN.match(key):
            return Response(
                {"detail": "Idempotency-Key must be 1 to 255 visible ASCII characters (e.g. a UUID)."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        self.idempotency_key = key
        try:
            first = self.first_for_key(key)
            if first is None:
                return super().create(request, *args, **kwargs)
        except IntegrityError:
            # The same key in a concurrent request that committed first: its ticket is the answer.
            first = self.first_for_key(key)
            if first is None:
                raise
        data = TicketSerializer(first, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_200_OK, headers={"Idempotent-Replayed": "true"})

    def first_for_key(self, key: str) -> Ticket | None:
        found = TicketRequestKey.objects.filter(user=self.request.user, key=key).values_list("ticket_id", flat=True)
        ticket_id = found.first()
        return self.get_queryset().filter(pk=ticket_id).first() if ticket_id else None

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()
            key = getattr(self, "idempotency_key", None)
            if key:
                TicketRequestKey.objects.create(user=self.request.user, key=key, ticket=serializer.instance)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(*extensions.detail_prefetch())
        return queryset

    def get_object(self):
        number = selectors.normalise_number(self.kwargs.get("number", ""))
        if number is None:
            raise Http404
        self.kwargs["number"] = number
        return super().get_object()

    @extend_schema(
        methods=["GET"],
        parameters=[NUMBER_PARAMETER],
        responses=TicketNoteSerializer(many=True),
        filters=False,
        description="The ticket's worklog, newest first.",
    )
    @extend_schema(
        methods=["POST"],
        parameters=[NUMBER_PARAMETER],
        request=TicketNoteSerializer,
        responses={201: TicketNoteSerializer},
        description="Appends a note (notes are never edited). The first public note counts as the first response.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def notes(self, request, *args, **kwargs):
        ticket = self.get_object()
        if request.method == "GET":
            notes = TicketNote.objects.filter(ticket=ticket).select_related("author").order_by("-created_at", "-id")
            return Response(TicketNoteSerializer(notes, many=True).data)
        body = TicketNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            note = ticket_note_add(ticket, user=request.user, **body.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(TicketNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[NUMBER_PARAMETER],
        request=TicketTransitionSerializer,
        responses={200: TicketSerializer, 409: TransitionRefusedSerializer},
        description="Moves the ticket to another status. A move the lifecycle does not allow is a 409 naming the "
        "allowed statuses; resolving needs a note.",
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def transition(self, request, *args, **kwargs):
        ticket = self.get_object()
        body = TicketTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            ticket = services.ticket_transition(ticket, user=request.user, **body.validated_data)
        except services.TransitionRefused as refused:
            return Response({"detail": refused.message, "allowed": refused.allowed}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        fresh = self.get_queryset().get(pk=ticket.pk)
        return Response(TicketSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[NUMBER_PARAMETER],
        responses=BreachSerializer(many=True),
        filters=False,
        description="The ticket's recorded service level breaches, oldest first (each target breaches once).",
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def breaches(self, request, *args, **kwargs):
        ticket = self.get_object()
        return Response(BreachSerializer(ticket.breaches.order_by("breached_at", "id"), many=True).data)

    @extend_schema(
        parameters=[NUMBER_PARAMETER, OpenApiParameter("breach_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=BreachSerializer,
        responses=BreachSerializer,
        filters=False,
        description="Gives a breach its reason (e.g. 'waiting for vendor'), with a change reason. The breach itself "
        "stays.",
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"breaches/(?P<breach_id>[0-9]{1,18})",
        pagination_class=None,
        filter_backends=[],
    )
    def breach(self, request, breach_id=None, *args, **kwargs):
        ticket = self.get_object()
        breach = ticket.breaches.filter(pk=int(breach_id)).first()
        if breach is None:
            raise Http404
        body = BreachSerializer(breach, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        reason = request_reason(request, body.validated_data)
        if not reason and reasons_required():
            raise RuleRefusal({"change_reason": [REASON_REQUIRED_MESSAGE]})
        try:
            breach = services.breach_reason_set(
                breach, user=request.user, change_reason=reason, reason=body.validated_data.get("reason", "")
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(BreachSerializer(breach).data)
