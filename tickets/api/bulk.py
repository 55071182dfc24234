"""POST /api/tickets/bulk/: one action (assign, status, note) on many tickets with one change reason, all or
nothing."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from itsm.api.fields import MAX_PK, StrictBooleanField, StrictCharField, StrictChoiceField, StrictPrimaryKeyRelatedField
from itsm.api.schema import AuditedAutoSchema
from itsm.api.serializers import REASON_HEADER, REASON_MAX_LENGTH, request_reason
from itsm.audit import REASON_REQUIRED_MESSAGE, reasons_required
from itsm.exceptions import Conflict, RuleRefusal, as_drf_error
from people.models import Team
from tickets import bulk
from tickets.api.serializers import LONG_TEXT, text_field
from tickets.choices import PREFIXES, Status
from tickets.models import Ticket
from tickets.selectors import assignable_analysts

# Exactly what the API takes as a ticket number (the prefix in either case, ASCII digits), so that the schema promises
# nothing the server refuses.
NUMBER_FORMAT = "^(?:{})[0-9]{{1,12}}$".format(
    "|".join("".join(f"[{c.upper()}{c.lower()}]" for c in prefix) for prefix in PREFIXES.values())
)
TICKET_REF = {
    "oneOf": [
        {"type": "integer", "minimum": 1, "maximum": MAX_PK, "description": "A ticket id."},
        {"type": "string", "pattern": NUMBER_FORMAT, "description": "A ticket number, e.g. INC000042."},
    ]
}


@extend_schema_field(TICKET_REF)
class TicketRefField(StrictPrimaryKeyRelatedField):
    """A ticket by id or number, checked for form only: the view looks every ticket up at once, in one query."""

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):
            if not 1 <= data <= MAX_PK:
                self.fail("does_not_exist", pk_value=data)
            return data
        if isinstance(data, str) and re.fullmatch(NUMBER_FORMAT, data):
            return data
        raise serializers.ValidationError(f"'{str(data)[:30]}' is neither a ticket number nor a ticket id.")


@extend_schema_field(
    {"type": "array", "items": TICKET_REF, "minItems": 1, "maxItems": bulk.MAX_TICKETS, "description": "Tickets."}
)
class TicketsField(serializers.ManyRelatedField):
    """Tickets by number or id, at most bulk.MAX_TICKETS; validated for form here, looked up by the view."""

    def __init__(self, **kwargs):
        super().__init__(child_relation=TicketRefField(queryset=Ticket.objects.all()), allow_empty=False, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not data:
            raise serializers.ValidationError("Give at least one ticket.")
        if len(data) > bulk.MAX_TICKETS:
            raise serializers.ValidationError(
                f"At most {bulk.MAX_TICKETS} tickets per request ({len(data)} were given): send fewer and repeat."
            )
        return [self.child_relation.to_internal_value(item) for item in data]


class BulkActionSerializer(serializers.Serializer):
    tickets = TicketsField(help_text=f"Ticket numbers or ids, at most {bulk.MAX_TICKETS}.")
    action = StrictChoiceField(
        choices=list(bulk.ACTIONS), help_text="assign (team and/or assignee), status (status, note), note (note)."
    )
    team = StrictPrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        required=False,
        allow_null=True,
        help_text="assign: a team id; null takes the tickets off their team; left out, the team stays.",
    )
    assignee = StrictPrimaryKeyRelatedField(
        queryset=assignable_analysts(),
        required=False,
        allow_null=True,
        help_text="assign: an active analyst's id; null leaves the tickets without an assignee; left out, it stays.",
    )
    status = StrictChoiceField(choices=Status.choices, required=False, help_text="status: the status to move to.")
    note = text_field(
        required=False,
        allow_blank=True,
        max_length=LONG_TEXT,
        help_text="note: the note to add; status: the note (required to resolve: it becomes the resolution).",
    )
    public = StrictBooleanField(required=False, default=False, help_text="note: public (for the caller) or internal.")
    change_reason = StrictCharField(
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text="Why: kept in every ticket's history row. Alternatively send the X-Change-Reason header.",
        error_messages={"required": REASON_REQUIRED_MESSAGE, "blank": REASON_REQUIRED_MESSAGE},
    )

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        header = request.META.get(REASON_HEADER, "").strip() if request is not None else ""
        reason = fields["change_reason"]
        reason.required = reasons_required() and not header
        reason.allow_blank = not reason.required
        return fields


def check_rules(data: dict) -> list[Ticket]:
    """What the request's format cannot say (400 rule refusals): the fields each action needs, and tickets that exist.
    Returns the tickets, found in one query."""
    action = data["action"]
    if action == bulk.ASSIGN and "team" not in data and "assignee" not in data:
        raise RuleRefusal({"team": ["Give a team and/or an assignee to assign the tickets to (null clears it)."]})
    if action == bulk.STATUS and not data.get("status"):
        raise RuleRefusal({"status": ["Give the status to move the tickets to."]})
    if action == bulk.NOTE and not (data.get("note") or "").strip():
        raise RuleRefusal({"note": ["Give the note to add."]})
    tickets, missing = bulk.find_tickets(data["tickets"])
    if missing:
        raise RuleRefusal({"tickets": [f"No such ticket: {', '.join(missing[:10])}."]})
    return tickets


class BulkTicketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["id", "number", "status", "priority", "team", "assignee"]
        read_only_fields = fields


class BulkResultSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(bulk.ACTIONS))
    count = serializers.IntegerField(help_text="How many tickets the action covered.")
    unchanged = serializers.ListField(
        child=serializers.CharField(), help_text="assign: numbers of tickets that already had that team or assignee."
    )
    tickets = BulkTicketSerializer(many=True)


class BulkPermission(permissions.BasePermission):
    """Reading tickets and either changing them or adding notes; each action then checks its own permissions."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated) and any(user.has_perms(p) for p in bulk.PERMISSIONS.values())


def _run(tickets: list[Ticket], data: dict, user, reason: str) -> bulk.BulkResult:
    action = data["action"]
    if action == bulk.ASSIGN:
        targets = {name: data[name] for name in ("team", "assignee") if name in data}
        return bulk.bulk_assign(tickets, user=user, change_reason=reason, **targets)
    if action == bulk.STATUS:
        return bulk.bulk_transition(
            tickets, user=user, change_reason=reason, status=data["status"], note=data.get("note", "")
        )
    return bulk.bulk_note(tickets, user=user, change_reason=reason, text=data["note"], public=data["public"])


class TicketBulkView(GenericAPIView):
    """One action on up to 200 tickets, with one change reason for every ticket's history row; each ticket goes
    through the same rules as the single-ticket action (lifecycle, workflow rules). All or nothing: when any ticket
    refuses, nothing changes and the answer lists the reasons by ticket number under `tickets` - 409 when every
    refusal comes from the tickets' state (a final ticket, a move the lifecycle does not allow), else 400."""

    serializer_class = BulkActionSerializer
    permission_classes = [BulkPermission]
    schema = AuditedAutoSchema()

    @extend_schema(responses={200: BulkResultSerializer})
    def post(self, request):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if not request.user.has_perms(bulk.PERMISSIONS[data["action"]]):
            self.permission_denied(request, message=f"Your role may not {bulk.ACTIONS[data['action']].lower()}.")
        reason = request_reason(request, data)
        if not reason and reasons_required():
            raise serializers.ValidationError({"change_reason": [REASON_REQUIRED_MESSAGE]})
        tickets = check_rules(data)
        try:
            result = _run(tickets, data, request.user, reason)
        except bulk.BulkRefused as refused:
            detail = {"detail": refused.message, "tickets": refused.refusals}
            raise (Conflict(detail=detail) if refused.conflict else RuleRefusal(detail)) from refused
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        rows = Ticket.objects.filter(pk__in=[t.pk for t in result.tickets]).order_by("pk")
        return Response(
            BulkResultSerializer(
                {"action": data["action"], "count": len(result.tickets), "unchanged": result.unchanged, "tickets": rows}
            ).data
        )
