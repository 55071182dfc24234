"""/api/saved-views/: the caller's saved queue views and those shared with their teams.

Another user's private view is not found (404); a view a team shares is read-only to its members (403 to change it).
A change reason is optional: a personal view is a preference, and its history says what changed when none is given.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers

from itsm.api.fields import BriefRelatedField, StrictCharField, StrictFieldsMixin
from itsm.api.serializers import REASON_MAX_LENGTH, request_reason
from itsm.api.viewsets import AuditedModelViewSet
from itsm.exceptions import as_drf_error
from people.api.serializers import TeamBriefSerializer, UserBriefSerializer
from people.models import Team
from tickets import saved_views
from tickets.api.serializers import NO_NUL
from tickets.models import SavedView

OPTIONAL_REASON = "Optional: why (kept in the history); when left out the history says what changed."


class SavedViewSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    name = StrictCharField(max_length=saved_views.NAME_MAX, help_text="Unique per owner (case ignored).")
    query = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=saved_views.RAW_QUERY_MAX,
        validators=[NO_NUL],
        help_text="The queue's query string, e.g. `state=open&priority=1&sort=-age`. Only the queue's filters, sort "
        "and page size with values it accepts are kept (empty ones and the page are dropped); anything else is a "
        f"400. At most {saved_views.QUERY_MAX} characters once cleaned.",
    )
    team = BriefRelatedField(
        TeamBriefSerializer,
        queryset=Team.objects.all(),
        required=False,
        allow_null=True,
        help_text="Share with this team (its members see the view): needs the share permission, and a team you "
        "belong to unless you are an admin. Null: only you.",
    )
    owner = UserBriefSerializer(read_only=True)
    mine = serializers.SerializerMethodField(help_text="Whether you own the view (only the owner may change it).")
    url = serializers.SerializerMethodField(help_text="The queue page showing this view.")
    change_reason = StrictCharField(
        write_only=True, required=False, allow_blank=True, max_length=REASON_MAX_LENGTH, help_text=OPTIONAL_REASON
    )

    class Meta:
        model = SavedView
        fields = ["id", "name", "query", "team", "owner", "mine", "url", "created_at", "change_reason"]
        read_only_fields = ["id", "owner", "created_at"]

    def get_validators(self):
        return []  # uniqueness per owner is the service's (a field error with the name in it)

    def get_mine(self, view) -> bool:
        request = self.context.get("request")
        return request is not None and view.owner_id == request.user.pk

    def get_url(self, view) -> str:
        return view.get_absolute_url()

    def _write(self, call):
        try:
            return call()
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from error

    def create(self, validated_data):
        request = self.context["request"]
        reason = request_reason(request, validated_data)
        return self._write(
            lambda: saved_views.saved_view_create(user=request.user, change_reason=reason, **validated_data)
        )

    def update(self, instance, validated_data):
        request = self.context["request"]
        reason = request_reason(request, validated_data)
        return self._write(
            lambda: saved_views.saved_view_update(instance, user=request.user, change_reason=reason, **validated_data)
        )


class SavedViewViewSet(AuditedModelViewSet):
    """Saved queue views: yours and those your teams share with you. Only the owner changes or deletes a view."""

    queryset = SavedView.objects.all()
    serializer_class = SavedViewSerializer
    filter_backends = []
    delete_service = staticmethod(saved_views.saved_view_delete)

    def get_queryset(self):
        return saved_views.visible_saved_views(self.request.user)

    @extend_schema(description="Delete one of your views. A reason may come in the X-Change-Reason header (optional).")
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def get_object(self):
        view = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and view.owner_id != self.request.user.pk:
            raise exceptions.PermissionDenied(
                f"Only its owner ({view.owner.get_username()}) can change or delete this view; it is shared with you."
            )
        return view
