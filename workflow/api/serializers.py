"""Rule resources: a rule with its criteria and actions nested; simulate, replay and firings as read-only shapes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from itsm.api.fields import (
    BriefRelatedField,
    StrictBooleanField,
    StrictChoiceField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
)
from itsm.api.serializers import AuditedModelSerializer, MoveSerializer, request_reason
from itsm.exceptions import RuleRefusal, as_drf_error
from people.api.serializers import PersonBriefSerializer, TeamBriefSerializer, UserBriefSerializer
from people.models import Person, Team
from services.api.serializers import ServiceInstanceBriefSerializer
from services.models import ConfigurationItem, ServiceInstance
from tickets.api.serializers import ConfigurationItemBriefSerializer, TicketBriefSerializer, text_field
from tickets.choices import Level, Source, TicketType
from workflow import services
from workflow.definitions import listed
from workflow.engine import vocabulary as vocab
from workflow.models import Action, Criterion, ReplayJob, Rule, RuleFiring

MAX_ID = 2**63 - 1
NO_NUL = r"^[^\x00]*$"
SCALAR = [
    {"type": "integer", "minimum": -MAX_ID, "maximum": MAX_ID},
    {"type": "string", "maxLength": 254, "pattern": NO_NUL},
]
VALUE_SCHEMA = {
    "anyOf": [*SCALAR, {"type": "array", "items": {"anyOf": SCALAR}, "maxItems": 100}],
    "nullable": True,
    "description": "An id (VIP status, team, instance, service, group, service level, analyst), a list of ids or "
    "values for 'in' / 'not in', a whole number (priority, minutes, steps), a choice value (type, level, status, "
    "source, CI type), a text, an email address; null for operators and actions without a value.",
}
# What the engine saw or compared: ids, numbers, texts, lists, yes/no, or nothing.
ANY_VALUE = {"nullable": True, "description": "An id, number, text, list, yes/no or null."}


def _scalar_ok(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -MAX_ID <= value <= MAX_ID
    return isinstance(value, str) and len(value) <= 254 and "\x00" not in value


@extend_schema_field(VALUE_SCHEMA)
class RuleValueField(serializers.Field):
    """A criterion's or action's value as the engine takes it (see VALUE_SCHEMA)."""

    default_error_messages = {"invalid": "Give an id, a whole number, a text, a list of those, or null."}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("default", None)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list):
            if len(data) > 100 or not all(_scalar_ok(v) for v in data):
                self.fail("invalid")
            return data
        if not _scalar_ok(data):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


@extend_schema_field(ANY_VALUE)
class AnyValueField(serializers.JSONField):
    pass


# -- rules ------------------------------------------------------------------------------------------------------------
class CriterionSerializer(serializers.Serializer):
    """One criterion: a ticket field, an operator the field offers, and a value."""

    id = StrictIntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="On update: the criterion to change in place (from a previous read); omitted for a new one.",
    )
    field = StrictChoiceField(choices=list(vocab.FIELDS), help_text="The ticket field compared.")
    operator = StrictChoiceField(choices=list(vocab.OPERATORS), help_text="Which operators a field offers: see lint.")
    value = RuleValueField()
    value_display = serializers.CharField(read_only=True, help_text="The value in words (names, not ids).")
    description = serializers.CharField(read_only=True, help_text="The criterion in words.")

    def to_representation(self, criterion: Criterion):
        statuses = list(criterion.vip_statuses.all()) if criterion.operator in vocab.SET_OPERATORS else None
        value = criterion.generic_value([s.pk for s in statuses] if statuses is not None else None)
        return {
            "id": criterion.pk,
            "field": criterion.field,
            "operator": criterion.operator,
            "value": listed(value),
            "value_display": criterion.value_display(statuses),
            "description": criterion.describe(statuses),
        }


class ActionSerializer(serializers.Serializer):
    """One action: what the rule does when it matches."""

    id = StrictIntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="On update: the action to change in place (from a previous read); omitted for a new one.",
    )
    type = StrictChoiceField(choices=list(vocab.ACTIONS), help_text="The action.")
    value = RuleValueField()
    text = text_field(
        required=False,
        allow_blank=True,
        max_length=4000,
        default="",
        help_text="Note or message template; may use {number}, {title}, {caller}, {vip_status}, {priority}, {team}, "
        "{status}, {rule}.",
    )
    description = serializers.CharField(read_only=True, help_text="The action in words.")

    def to_representation(self, action: Action):
        return {
            "id": action.pk,
            "type": action.action_type,
            "value": action.generic_value(),
            "text": action.text,
            "description": action.describe(),
        }


class RuleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rule
        fields = ["id", "name", "position", "active"]
        read_only_fields = fields


# Keys the models use for a value column, shown to API clients as the nested field they sent.
_VALUE_COLUMNS = {
    "vip_status",
    "vip_statuses",
    "team",
    "assignee",
    "analyst",
    "service_instance",
    "technical_service",
    "customer_group",
    "service_level",
}


def _api_errors(nested: dict[str, Any]) -> dict[str, Any]:
    """The services' nested rule errors with the API's names: {"criteria": [{}, {"value": [...]}], "name": [...]}."""
    shaped: dict[str, Any] = {}
    for key, value in nested.items():
        if key in ("criteria", "actions") and isinstance(value, list):
            items = []
            for item in value:
                fixed: dict[str, list[str]] = {}
                for sub, messages in (item or {}).items():
                    name = "value" if sub in _VALUE_COLUMNS else ("type" if sub == "action_type" else sub)
                    name = "non_field_errors" if name == "__all__" else name
                    fixed.setdefault(name, []).extend(str(m) for m in messages)
                items.append(fixed)
            shaped[key] = items
        else:
            shaped["non_field_errors" if key == "__all__" else key] = [str(m) for m in value]
    return shaped


class RuleSerializer(AuditedModelSerializer):
    """A rule with its criteria and actions. Sending `criteria` or `actions` replaces the whole list (items with an
    `id` update that row); leaving one out keeps it. New rules go to the end of the order: use /move/."""

    create_service = staticmethod(services.rule_create)
    update_service = staticmethod(services.rule_update)

    criteria = CriterionSerializer(many=True, required=False, help_text="All must match, or any (see match).")
    actions = ActionSerializer(many=True, required=False, help_text="Applied in this order when the rule matches.")

    class Meta:
        model = Rule
        fields = [
            "id",
            "name",
            "description",
            "active",
            "position",
            "trigger",
            "match",
            "stop_processing",
            "criteria",
            "actions",
            "summary",
            "change_reason",
        ]
        read_only_fields = ["position", "summary"]

    def _write(self, service, *args, **validated_data):
        request = self.context["request"]
        reason = request_reason(request, validated_data)
        try:
            return service(*args, user=request.user, change_reason=reason, **validated_data)
        except services.RuleValidationError as error:
            raise RuleRefusal(_api_errors(error.nested)) from error
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    def create(self, validated_data):
        return self._write(services.rule_create, **validated_data)

    def update(self, instance, validated_data):
        return self._write(services.rule_update, instance, **validated_data)


class RuleMoveSerializer(MoveSerializer):
    """The new position (1 = first; for rules, runs first) and the change reason."""


# -- firings (also in the ticket API) ---------------------------------------------------------------------------------
class CriterionSeenSerializer(serializers.Serializer):
    """A criterion as it was evaluated: what it expected and what the ticket had."""

    field = serializers.CharField()
    label = serializers.CharField()
    operator = serializers.CharField()
    operator_label = serializers.CharField()
    expected = AnyValueField()
    expected_display = serializers.CharField(allow_blank=True)
    seen = AnyValueField()
    seen_display = serializers.CharField(allow_blank=True)
    matched = serializers.BooleanField()


class StepSerializer(serializers.Serializer):
    """An action as planned or applied: the field, its value before and after, and whether it applied."""

    action = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    old = AnyValueField()
    new = AnyValueField()
    display = serializers.CharField(allow_blank=True)
    outcome = serializers.ChoiceField(choices=["applied", "overridden", "skipped", "unchanged"])
    note = serializers.CharField(allow_blank=True)


class RuleFiringSerializer(serializers.ModelSerializer):
    """A rule that fired on a ticket: its version, the values it saw, what it did, when."""

    rule = RuleBriefSerializer(read_only=True, allow_null=True, help_text="Null when the rule was deleted since.")
    user = UserBriefSerializer(read_only=True, allow_null=True)
    because = serializers.CharField(read_only=True, help_text="The values that made the rule match, in words.")
    criteria = CriterionSeenSerializer(many=True, read_only=True)
    actions = StepSerializer(many=True, read_only=True)

    class Meta:
        model = RuleFiring
        fields = [
            "id",
            "rule",
            "rule_name",
            "rule_position",
            "rule_version",
            "event",
            "because",
            "criteria",
            "actions",
            "fired_at",
            "user",
        ]
        read_only_fields = fields


# -- simulate ---------------------------------------------------------------------------------------------------------
class SimulateSerializer(serializers.Serializer):
    """An existing ticket (`ticket`), a hypothetical one (the other fields), or an existing ticket with some fields
    changed (both). Nothing is saved."""

    ticket = text_field(
        required=False,
        max_length=40,
        help_text="An existing ticket's number (e.g. INC000042); the other fields, when given, override its values.",
    )
    caller = BriefRelatedField(
        PersonBriefSerializer,
        queryset=Person.objects.select_related("vip_status"),
        required=False,
        allow_null=True,
        help_text="A person id. A hypothetical ticket without a caller has no VIP status.",
    )
    ticket_type = StrictChoiceField(choices=TicketType.choices, required=False)
    title = text_field(required=False, allow_blank=True, max_length=200)
    description = text_field(required=False, allow_blank=True, max_length=20_000)
    impact = StrictChoiceField(choices=Level.choices, required=False)
    urgency = StrictChoiceField(choices=Level.choices, required=False)
    source = StrictChoiceField(choices=Source.choices, required=False)
    service_instance = BriefRelatedField(
        ServiceInstanceBriefSerializer, queryset=ServiceInstance.objects.all(), required=False, allow_null=True
    )
    configuration_item = BriefRelatedField(
        ConfigurationItemBriefSerializer, queryset=ConfigurationItem.objects.all(), required=False, allow_null=True
    )
    team = BriefRelatedField(TeamBriefSerializer, queryset=Team.objects.all(), required=False, allow_null=True)
    assignee = BriefRelatedField(
        UserBriefSerializer, queryset=get_user_model().objects.all(), required=False, allow_null=True
    )
    at = serializers.DateTimeField(
        required=False, help_text="When: timeframes and minutes since opened are judged at this time (default now)."
    )
    event = StrictChoiceField(
        choices=[(vocab.CREATE, "logged"), (vocab.UPDATE, "changed"), (vocab.SCHEDULED, "escalation run")],
        required=False,
        help_text="Which rules run: those triggered when a ticket is logged (default), changed, or the escalations.",
    )
    rules = StrictPrimaryKeyRelatedField(
        queryset=Rule.objects.all(),
        many=True,
        required=False,
        help_text="Rule ids to try as if they were active (e.g. a rule not turned on yet).",
    )
    only = StrictBooleanField(
        required=False, default=False, help_text="true: run only the rules listed in `rules`, not the active set."
    )


class SimulateChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = AnyValueField()
    new = AnyValueField()
    set_by = serializers.IntegerField(allow_null=True, help_text="The id of the rule whose action gave the value.")


class RuleResultSerializer(serializers.Serializer):
    """One rule of the run: matched (with its planned steps), not matched (which criterion failed), not evaluated."""

    rule_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    position = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["matched", "not matched", "not evaluated"])
    matched = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, help_text="Why it did not match or was not evaluated.")
    because = serializers.CharField(allow_blank=True)
    criteria = CriterionSeenSerializer(many=True)
    steps = StepSerializer(many=True)


class NotificationSerializer(serializers.Serializer):
    team = serializers.IntegerField(allow_null=True)
    email = serializers.CharField(allow_blank=True)
    subject = serializers.CharField(allow_blank=True)


class SimulateResultSerializer(serializers.Serializer):
    ticket = TicketBriefSerializer(allow_null=True, help_text="The existing ticket; null for a hypothetical one.")
    event = serializers.CharField()
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True), help_text="The ticket's values as the rules saw them, in words."
    )
    matched = serializers.ListField(child=serializers.IntegerField(allow_null=True), help_text="Matched rule ids.")
    rules = RuleResultSerializer(many=True, help_text="Every rule in order, with its trace.")
    changes = SimulateChangeSerializer(many=True, help_text="The fields that would end up different.")
    steps = StepSerializer(many=True, help_text="The planned actions, in order.")
    notes = serializers.ListField(child=serializers.CharField(), help_text="Internal notes that would be added.")
    notifications = NotificationSerializer(many=True)


# -- replay -----------------------------------------------------------------------------------------------------------
class ReplaySerializer(serializers.Serializer):
    """Which rules over which tickets; always a dry run here (applying needs the admin page or the command)."""

    date_from = serializers.DateField(required=False, help_text="Tickets opened on or after this day.")
    date_to = serializers.DateField(required=False, help_text="Tickets opened on or before this day.")
    rules = StrictPrimaryKeyRelatedField(
        queryset=Rule.objects.all(),
        many=True,
        required=False,
        help_text="Rule ids to replay, active or not; the whole active set when left out or empty.",
    )
    sample_size = StrictIntegerField(required=False, default=20, min_value=0, max_value=100)


class ReplayChangeSerializer(serializers.Serializer):
    old = AnyValueField()
    new = AnyValueField()
    old_display = serializers.CharField(allow_blank=True)
    new_display = serializers.CharField(allow_blank=True)


class ReplaySampleSerializer(serializers.Serializer):
    ticket = serializers.CharField(help_text="Ticket number.")
    title = serializers.CharField(allow_blank=True)
    changes = serializers.DictField(child=ReplayChangeSerializer(), help_text="priority, team or status.")
    rules = serializers.ListField(child=serializers.CharField())


class ReplayRuleCountSerializer(serializers.Serializer):
    rule = serializers.CharField()
    tickets = serializers.IntegerField()


class ReplayResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    scanned = serializers.IntegerField(help_text="Tickets looked at.")
    matched = serializers.IntegerField(help_text="Tickets at least one rule matched.")
    changed = serializers.IntegerField(help_text="Tickets whose priority, team or status would change.")
    applied = serializers.IntegerField()
    by_rule = ReplayRuleCountSerializer(many=True)
    by_field = serializers.DictField(child=serializers.IntegerField())
    sample = ReplaySampleSerializer(many=True)
    errors = serializers.ListField(child=serializers.CharField())


class ReplayJobSerializer(serializers.ModelSerializer):
    """A background replay and, when done, its result (the same shape as an immediate replay's answer)."""

    result = ReplayResultSerializer(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReplayJob
        fields = ["id", "status", "total", "scanned", "result", "error", "created_at", "finished_at", "url"]
        read_only_fields = fields

    def get_url(self, job) -> str:
        return reverse("replay-job", args=[job.pk])
