"""Ticket resources: the ticket (looked up by number), its notes and its status transitions."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import RegexValidator
from rest_framework import serializers

from itsm.api import (
    AuditedModelSerializer,
    BriefRelatedField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
)
from itsm.exceptions import RuleRefusal
from people.api.serializers import PersonBriefSerializer, TeamBriefSerializer, UserBriefSerializer
from people.models import Person, Team
from services.api.serializers import ServiceInstanceBriefSerializer
from services.models import ConfigurationItem, ServiceInstance
from tickets import extensions, services
from tickets.choices import DueState, Source, Status
from tickets.models import Ticket, TicketNote
from tickets.selectors import assignable_analysts

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
        help_text="The worse of the response and resolution targets: on time, due soon, breached or no target.",
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
            "updated_at",
            "change_reason",
        ]
        read_only_fields = [
            "number",
            "priority",
            "status",
            "resolution",
            "opened_at",
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

    # Fields set when a ticket is logged that no edit changes (ticket_update refuses them): sending the current value
    # is fine (a PUT repeats the whole ticket), another value is a rule refusal (400), never a 500.
    FIXED_ON_UPDATE: ClassVar = {
        "ticket_type": "The type cannot change once a ticket is logged (its number carries the type): cancel it and "
        "log a new one.",
        "caller": "The caller cannot change once a ticket is logged: cancel it and log a new one for the right caller.",
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
