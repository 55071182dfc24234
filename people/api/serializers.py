from django.contrib.auth import get_user_model
from rest_framework import serializers

from itsm.api import AuditedModelSerializer, BriefRelatedField
from people import services
from people.models import Person, Team
from vip.api.serializers import VipStatusBriefSerializer
from vip.models import VipStatus


class UserBriefSerializer(serializers.ModelSerializer):
    """An analyst's login as it reads inside other resources."""

    class Meta:
        model = get_user_model()
        fields = ["id", "username"]
        read_only_fields = fields


class PersonBriefSerializer(serializers.ModelSerializer):
    """How a person reads inside other resources (a ticket's caller, a group's contact)."""

    vip_status = VipStatusBriefSerializer(read_only=True)
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "full_name", "email", "vip_status"]
        read_only_fields = fields


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
        help_text="Written as a VIP status id (the default status when omitted); read as a brief status.",
    )
    login = BriefRelatedField(
        UserBriefSerializer,
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
        help_text="The person's sign-in account, for analysts; null for most people.",
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


class TeamSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.team_create)
    update_service = staticmethod(services.team_update)

    class Meta:
        model = Team
        fields = ["id", "name", "email", "description", "active", "members", "change_reason"]
