"""The audited model serializer (writes through services, with the change reason from the body or the header), the
change reason read once for every write, and the history serializers."""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from itsm.api.fields import (
    StrictCharField,
    StrictFieldsMixin,
    StrictIntegerField,
)
from itsm.audit import REASON_REQUIRED_MESSAGE, reasons_required
from itsm.exceptions import as_drf_error
from itsm.services import record_create, record_update

REASON_HEADER = "HTTP_X_CHANGE_REASON"
REASON_MAX_LENGTH = 2000


def request_reason(request, data: dict | None = None) -> str:
    """The body field `change_reason` (popped from validated data) or else the X-Change-Reason header."""
    reason = data.pop("change_reason", None) if data is not None else None
    if not reason and data is None and isinstance(request.data, dict):
        body_reason = request.data.get("change_reason")
        reason = body_reason if isinstance(body_reason, str) else ""
    if not reason:
        reason = request.META.get(REASON_HEADER, "")
        if len(reason) > REASON_MAX_LENGTH:
            raise serializers.ValidationError(
                {"change_reason": [f"Keep the change reason under {REASON_MAX_LENGTH} characters."]}
            )
    return (reason or "").strip()


def _reason_rules(reason, request) -> None:
    """The change reason is required (and so documented as required) when reasons are, unless the header brings it."""
    if reason is None:
        return
    header = request.META.get(REASON_HEADER, "").strip() if request is not None else ""
    reason.required = reasons_required() and not header
    reason.allow_blank = not reason.required


def required_reason(request, data: dict) -> str:
    """`request_reason`, refused (400) when change reasons are required and none was given."""
    reason = request_reason(request, data)
    if not reason and reasons_required():
        raise serializers.ValidationError({"change_reason": [REASON_REQUIRED_MESSAGE]})
    return reason


class AuditedModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """Writes go through services (validation, reason, history); the reason comes from the body or the header."""

    change_reason = StrictCharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text="Why this change is made; kept in the history. Alternatively send the X-Change-Reason header.",
        error_messages={"required": REASON_REQUIRED_MESSAGE, "blank": REASON_REQUIRED_MESSAGE},
    )

    # Set to the app's services; the defaults are the generic audited writes.
    create_service: ClassVar = None
    update_service: ClassVar = None

    def get_validators(self):
        # Model constraints are checked by full_clean in the services, with our own messages and codes; DRF's copies
        # of conditional constraints give unreadable messages ("with this default already exists").
        return []

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.validators = [v for v in field.validators if not isinstance(v, UniqueValidator)]
        _reason_rules(fields.get("change_reason"), self.context.get("request"))
        return fields

    def create(self, validated_data):
        request = self.context["request"]
        reason = request_reason(request, validated_data)
        service = type(self).create_service or partial(record_create, self.Meta.model)
        try:
            return service(user=request.user, change_reason=reason, **validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    def update(self, instance, validated_data):
        request = self.context["request"]
        # A PATCH skips required fields, and a service may write nothing (an empty PATCH): the reason is still due.
        reason = required_reason(request, validated_data)
        service = type(self).update_service or record_update
        try:
            return service(instance, user=request.user, change_reason=reason, **validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error


class MoveSerializer(serializers.Serializer):
    """Moving a record in an ordered list (VIP statuses, rules): the new position, and why."""

    position = StrictIntegerField(min_value=1, max_value=2**31 - 1, help_text="New position, 1 = first.")
    change_reason = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text="Why; kept in the history. Alternatively send the X-Change-Reason header.",
        error_messages={"required": REASON_REQUIRED_MESSAGE, "blank": REASON_REQUIRED_MESSAGE},
    )

    def get_fields(self):
        fields = super().get_fields()
        _reason_rules(fields.get("change_reason"), self.context.get("request"))
        return fields


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    date = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    change_reason = serializers.CharField(allow_blank=True)
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    changes = HistoryChangeSerializer(many=True)

    def to_representation(self, entry):
        return {
            "history_id": entry["history_id"],
            "date": serializers.DateTimeField().to_representation(entry["date"]),
            "user": entry["user"].get_username() if entry["user"] else None,
            "change_reason": entry["change_reason"],
            "type": entry["type"],
            "changes": [
                {"field": c.field, "label": c.label, "old": _jsonable(c.old), "new": _jsonable(c.new)}
                for c in entry["changes"]
            ],
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
