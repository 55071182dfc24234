from django.contrib.auth import get_user_model
from rest_framework import serializers

from itsm.api.fields import BriefRelatedField
from itsm.api.serializers import AuditedModelSerializer
from people import services
from people.models import Person, Team
from vip.api.serializers import VipStatusBriefSerializer
from vip.models import VipStatus
from vip.visibility import is_visible


def _reader(serializer) -> object:
    request = serializer.context.get("request")
    return getattr(request, "user", None) if request is not None else None


def hide_confidential_status(serializer, person, data: dict) -> dict:
    """A status not shown on tickets reads as null to a reader without permission to see confidential statuses."""
    request = serializer.context.get("request")
    if request is not None and not is_visible(person.vip_status, request.user):
        data["vip_status"] = None
    return data


class UserBriefSerializer(serializers.ModelSerializer):
    """An analyst's login as it reads inside other resources."""

    class Meta:
        model = get_user_model()
        fields = ["id", "username"]
        read_only_fields = fields


class PersonBriefSerializer(serializers.ModelSerializer):
    """How a person reads inside other resources (a ticket's caller, a group's contact)."""

    vip_status = VipStatusBriefSerializer(
        read_only=True,
        allow_null=True,
        help_text="null when the status is confidential (not shown on tickets) and the reader may not see it.",
    )
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "full_name", "email", "vip_status"]
        read_only_fields = fields

    def to_representation(self, instance):
        return hide_confidential_status(self, instance, super().to_representation(instance))


class TeamBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]
        read_only_fields = fields


class PersonSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.person_create)
    update_service = staticmethod(services.person_update)

    full_name = serializers.CharField(read_only=True)
    vip_status = BriefRelatedField(
        VipStatusBriefSerializer,
        queryset=VipStatus.objects.all(),
        required=False,
        allow_null=True,
        help_text="Written as a VIP status id (the default status when omitted or null); read as a brief status, or "
        "null when it is confidential (not shown on tickets) and the reader may not see it. Changing it needs the "
        "permission to grant VIP statuses (403 without).",
    )
    login = BriefRelatedField(
        UserBriefSerializer,
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
        help_text="The person's sign-in account, for analysts; null for most people. Only administrators "
        "(superusers) may set or change it (403 otherwise).",
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "phone",
            "job_title",
            "organisation_code",
            "vip_status",
            "active",
            "login",
            "notes",
            "change_reason",
        ]

    def to_representation(self, instance):
        return hide_confidential_status(self, instance, super().to_representation(instance))

    def validate(self, attrs):
        # A reader who saw null for a confidential status and sends it back (or sends nothing) leaves it as it is.
        person = self.instance
        if person is not None and attrs.get("vip_status", "absent") is None:
            if not is_visible(person.vip_status, _reader(self)):
                attrs.pop("vip_status")
        return super().validate(attrs)


class TeamSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.team_create)
    update_service = staticmethod(services.team_update)

    class Meta:
        model = Team
        fields = ["id", "name", "email", "description", "active", "members", "change_reason"]
