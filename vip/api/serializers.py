from rest_framework import serializers

from itsm.api.serializers import AuditedModelSerializer, MoveSerializer
from vip import services
from vip.models import VipStatus


class VipStatusBriefSerializer(serializers.ModelSerializer):
    """How a VIP status reads wherever a person appears."""

    class Meta:
        model = VipStatus
        fields = ["id", "name", "colour", "show_on_tickets", "position"]
        read_only_fields = fields


class VipStatusSerializer(AuditedModelSerializer):
    create_service = staticmethod(services.vip_status_create)
    update_service = staticmethod(services.vip_status_update)

    text_colour = serializers.CharField(read_only=True, help_text="Black or white, for contrast on the colour.")
    holders = serializers.SerializerMethodField(help_text="How many people hold this status.")

    class Meta:
        model = VipStatus
        fields = [
            "id",
            "name",
            "colour",
            "text_colour",
            "show_on_tickets",
            "position",
            "is_default",
            "description",
            "holders",
            "change_reason",
        ]
        read_only_fields = ["position"]

    def get_holders(self, status) -> int:
        # Lists annotate the count in their one query; a single written status is counted here.
        counted = getattr(status, "holders", None)
        return counted if counted is not None else services.vip_status_holder_count(status)


class VipStatusMoveSerializer(MoveSerializer):
    """The new position (1 = first; for rules, runs first) and the change reason."""
