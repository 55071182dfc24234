"""Ticket resources: the ticket (looked up by number), its notes and its status transitions."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from itsm.api.fields import (
    BriefRelatedField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
)
from itsm.api.serializers import AuditedModelSerializer
from itsm.exceptions import RuleRefusal
from people.api.serializers import PersonBriefSerializer, TeamBriefSerializer, UserBriefSerializer
from people.models import Person, Team
from services.api.serializers import ServiceInstanceBriefSerializer, ServiceLevelBriefSerializer
from services.models import ConfigurationItem, ServiceInstance, ServiceLevel
from tickets import clock, extensions, services
from tickets.choices import DueState, Source, Status, TargetState
from tickets.models import Breach, Ticket, TicketNote
from tickets.selectors import assignable_analysts
from vip.api.serializers import VipStatusBriefSerializer
from vip.visibility import is_visible

# Text without NUL characters (databases refuse them); stated in the schema so that clients know.
NO_NUL = RegexValidator(r"^[^\x00]*\Z", message="Text cannot contain NUL characters.", code="invalid")
LONG_TEXT = 20_000


def text_field(**kwargs) -> StrictCharField:
    return StrictCharField(validators=[NO_NUL], **kwargs)


class ConfigurationItemBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConfigurationItem
        fields = ["id", "name", "ci_type"]
        read_only_fields = fields


class TicketBriefSerializer(serializers.ModelSerializer):
    """How a ticket reads inside other resources."""

    class Meta:
        model = Ticket
        fields = ["id", "number", "title", "status", "priority"]
        read_only_fields = fields


class SlaSerializer(serializers.Serializer):
    calendar = serializers.CharField(help_text="The service level's calendar, or 24x7.")
    response_due = serializers.DateTimeField(allow_null=True)
    resolution_due = serializers.DateTimeField(allow_null=True)
    responded_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    response = serializers.ChoiceField(choices=TargetState.choices)
    resolution = serializers.ChoiceField(choices=TargetState.choices)
    paused = serializers.BooleanField(help_text="Pending: both clocks stand still.")
    paused_seconds = serializers.IntegerField(help_text="Business seconds spent paused so far.")
    state = serializers.ChoiceField(choices=DueState.choices)


class TicketSerializer(AuditedModelSerializer):
    """A ticket. Priority, status, number and times are computed; status changes go through /transition/."""

    create_service = staticmethod(services.ticket_create)
    update_service = staticmethod(services.ticket_update)

    title = text_field(max_length=200, allow_blank=False, trim_whitespace=True)
    description = text_field(required=False, allow_blank=True, max_length=LONG_TEXT)
    caller = BriefRelatedField(
        PersonBriefSerializer,
        queryset=Person.objects.select_related("vip_status"),
        help_text="Written as a person id; read as a brief person with its VIP status. Fixed once the ticket is "
        "logged.",
    )
    service_instance = BriefRelatedField(
        ServiceInstanceBriefSerializer,
        queryset=ServiceInstance.objects.all(),
        required=False,
        allow_null=True,
        help_text="A service instance id; its service level sets the due times.",
    )
    configuration_item = BriefRelatedField(
        ConfigurationItemBriefSerializer,
        queryset=ConfigurationItem.objects.all(),
        required=False,
        allow_null=True,
        help_text="A configuration item id; it must serve the service instance.",
    )
    team = BriefRelatedField(
        TeamBriefSerializer, queryset=Team.objects.all(), required=False, allow_null=True, help_text="A team id."
    )
    assignee = BriefRelatedField(
        UserBriefSerializer,
        queryset=assignable_analysts(),
        required=False,
        allow_null=True,
        help_text="An active analyst's user id (a user who may work tickets).",
    )
    due_state = serializers.ChoiceField(
        choices=DueState.choices,
        read_only=True,
        help_text="The worse of the response and resolution targets: on time, due soon, breached, paused or no target.",
    )
    service_level = BriefRelatedField(
        ServiceLevelBriefSerializer,
        queryset=ServiceLevel.objects.select_related("calendar"),
        required=False,
        allow_null=True,
        help_text="A service level id: its targets and calendar time the ticket. The service instance's when left "
        "out on create; changing it re-times the due dates (a recorded breach stays).",
    )
    opened_at = serializers.DateTimeField(
        required=False,
        help_text="When the call came in ('reported at'): now when left out; may lie in the past (a call written up "
        "later, an import), never in the future. The clock starts there. Fixed once the ticket is logged.",
    )
    sla = serializers.SerializerMethodField(help_text="The service level clock of the ticket.")
    vip_status_at_open = VipStatusBriefSerializer(
        read_only=True,
        allow_null=True,
        help_text="The caller's VIP status when the ticket was logged (reports count by it); null when confidential "
        "to the reader.",
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "ticket_type",
            "title",
            "description",
            "caller",
            "service_instance",
            "configuration_item",
            "source",
            "impact",
            "urgency",
            "priority",
            "status",
            "team",
            "assignee",
            "resolution",
            "opened_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "response_due_at",
            "resolution_due_at",
            "due_state",
            "service_level",
            "sla",
            "vip_status_at_open",
            "updated_at",
            "change_reason",
        ]
        read_only_fields = [
            "number",
            "priority",
            "status",
            "resolution",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "response_due_at",
            "resolution_due_at",
            "updated_at",
        ]
        extra_kwargs = {"source": {"help_text": "How the call came in; api when omitted on create."}}

    def create(self, validated_data):
        validated_data.setdefault("source", Source.API)
        return super().create(validated_data)

    @extend_schema_field(SlaSerializer)
    def get_sla(self, ticket) -> dict:
        return SlaSerializer(clock.summary(ticket)).data

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not is_visible(instance.vip_status_at_open, request.user):
            data["vip_status_at_open"] = None
        return data

    # Fields set when a ticket is logged that no edit changes (ticket_update refuses them): sending the current value
    # is fine (a PUT repeats the whole ticket), another value is a rule refusal (400), never a 500.
    FIXED_ON_UPDATE: ClassVar = {
        "ticket_type": "The type cannot change once a ticket is logged (its number carries the type): cancel it and "
        "log a new one.",
        "caller": "The caller cannot change once a ticket is logged: cancel it and log a new one for the right caller.",
        "opened_at": "The time a ticket was reported cannot change once it is logged.",
    }

    def update(self, instance, validated_data):
        errors = {}
        for name, message in self.FIXED_ON_UPDATE.items():
            if name in validated_data:
                value = validated_data.pop(name)
                if getattr(value, "pk", value) != getattr(getattr(instance, name), "pk", getattr(instance, name)):
                    errors[name] = [message]
        if errors:
            # A rule on the record's state, not the field's format (any value is valid on create).
            raise RuleRefusal(errors)
        return super().update(instance, validated_data)


class BreachSerializer(serializers.ModelSerializer):
    reason = text_field(required=True, allow_blank=True, max_length=2000, help_text="Why it happened.")
    change_reason = text_field(required=False, allow_blank=True, max_length=2000, write_only=True)

    class Meta:
        model = Breach
        fields = ["id", "target", "due", "breached_at", "reason", "change_reason"]
        read_only_fields = ["id", "target", "due", "breached_at"]


class TicketDetailSerializer(TicketSerializer):
    """A ticket as read on its own: with what other apps add (tickets.extensions), e.g. the workflow's firings."""

    def get_fields(self):
        fields = super().get_fields()
        fields.update(extensions.detail_fields())
        return fields

    class Meta(TicketSerializer.Meta):
        pass


class TicketNoteSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)
    text = text_field(max_length=LONG_TEXT, allow_blank=False)
    public = StrictBooleanField(required=False, default=False, help_text="Public notes are for the caller.")
    time_spent_minutes = StrictIntegerField(required=False, default=0, min_value=0, max_value=24 * 60)

    class Meta:
        model = TicketNote
        fields = ["id", "author", "public", "text", "time_spent_minutes", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class TicketTransitionSerializer(serializers.Serializer):
    status = StrictChoiceField(choices=Status.choices, help_text="The status to move to.")
    note = text_field(
        required=False,
        allow_blank=True,
        max_length=LONG_TEXT,
        help_text="Why; required to resolve (it becomes the resolution). Added to the ticket's notes.",
    )
    change_reason = text_field(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="History reason; by default 'status A -> B' with the note.",
    )


class TransitionRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    allowed = serializers.ListField(child=serializers.ChoiceField(choices=Status.choices))
