"""The rules API: /api/rules/ (criteria and actions nested), /move/, /history/, and the dry runs /simulate/ and
/replay/, which save nothing."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from itsm.api.permissions import HasPermission
from itsm.api.schema import AuditedAutoSchema
from itsm.api.serializers import required_reason
from itsm.api.viewsets import AuditedModelViewSet
from itsm.exceptions import RuleRefusal, as_drf_error
from itsm.parsers import SafeJSONParser
from tickets.models import Ticket
from tickets.selectors import normalise_number
from workflow import dry_runs, jobs, presenter, services, snapshots
from workflow.api.serializers import (
    ReplayJobSerializer,
    ReplayResultSerializer,
    ReplaySerializer,
    RuleMoveSerializer,
    RuleSerializer,
    SimulateResultSerializer,
    SimulateSerializer,
)
from workflow.engine import vocabulary as vocab
from workflow.models import ReplayJob, Rule

# Times the rules can be judged at (timeframes, minutes since opened); far outside, dates overflow.


class RuleFilter(filters.FilterSet):
    active = filters.BooleanFilter(help_text="true: rules that run; false: drafts and switched-off rules.")
    trigger = filters.ChoiceFilter(choices=list(vocab.TRIGGERS.items()), help_text="When the rule runs.")
    match = filters.ChoiceFilter(choices=list(vocab.MATCHES.items()))
    stop_processing = filters.BooleanFilter()

    class Meta:
        model = Rule
        fields = ["active", "trigger", "match", "stop_processing"]


class RuleViewSet(AuditedModelViewSet):
    """Workflow rules, in the order they run. Criteria and actions are nested: sending a list replaces it (items
    with an `id` update that row). A value that does not fit (priority 7, a team that does not exist, an unknown
    status) is a 400 with the error at its place, e.g. {"criteria": [{}, {"value": ["..."]}]}, and nothing is saved."""

    queryset = Rule.objects.with_definition()
    serializer_class = RuleSerializer
    filterset_class = RuleFilter
    search_fields = ["name", "description", "summary"]
    ordering_fields = ["position", "name", "id"]
    ordering = ["position"]
    delete_service = staticmethod(services.rule_delete)

    @extend_schema(request=RuleMoveSerializer, responses=RuleSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        """Moves the rule to a position (1 = runs first); the others shift and positions stay 1..N."""
        rule = self.get_object()
        body = RuleMoveSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            services.rule_move(
                rule,
                position=body.validated_data["position"],
                user=request.user,
                change_reason=required_reason(request, dict(body.validated_data)),
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        fresh = self.get_queryset().get(pk=rule.pk)
        return Response(RuleSerializer(fresh, context=self.get_serializer_context()).data)


class DryRunView(GenericAPIView):
    # Simulate and replay read rules and tickets and change nothing: viewing rules is enough.
    permission_classes = [HasPermission.of("workflow.view_rule")]
    parser_classes = [SafeJSONParser]
    schema = AuditedAutoSchema()
    pagination_class = None
    filter_backends: list = []


def _check_time(at: dt.datetime | None) -> None:
    if at is not None and not vocab.EARLIEST <= at <= vocab.LATEST:
        raise RuleRefusal({"at": ["Choose a time between 1970 and 2200."]})


class RuleSimulateView(DryRunView):
    """What the rules would do to a ticket, without saving anything: every rule in order with each criterion (value
    seen, value expected, matched), the planned actions and the resulting changes. Same snapshot and engine as a
    live run, so the result is what logging (or changing) the ticket would do.

    Give `ticket` (an existing ticket's number), or the fields of a hypothetical ticket, or both (the ticket with
    those fields changed). `event` defaults to "update" for an existing ticket and "create" for a hypothetical one."""

    serializer_class = SimulateSerializer

    @extend_schema(request=SimulateSerializer, responses=SimulateResultSerializer)
    def post(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        number = data.pop("ticket", None)
        at = data.pop("at", None)
        _check_time(at)
        event = data.pop("event", None)
        try_ids = [r.pk for r in data.pop("rules", [])]
        only = data.pop("only", False)
        ticket = None
        if number is not None:
            normalised = normalise_number(number)
            ticket = Ticket.objects.filter(number=normalised).first() if normalised else None
            if ticket is None:
                raise RuleRefusal({"ticket": [f"No ticket numbered '{number[:40]}'."]})
            evaluation = dry_runs.simulate(
                ticket=ticket,
                changes=data,
                event=event or vocab.UPDATE,
                at=at,
                try_rule_ids=try_ids,
                only=only,
                viewer=request.user,
            )
        else:
            caller = data.pop("caller", None)
            fields = {k: v for k, v in data.items() if v is not None}
            hypothetical = snapshots.Hypothetical(caller=caller, at=at, **fields)
            evaluation = dry_runs.simulate(
                hypothetical=hypothetical,
                event=event or vocab.CREATE,
                try_rule_ids=try_ids,
                only=only,
                viewer=request.user,
            )
        return Response(SimulateResultSerializer(presenter.simulate_result(evaluation, ticket)).data)


class RuleReplayView(DryRunView):
    """Runs rules over past tickets as they are now, as a dry run: how many tickets they match and would change,
    per rule and per field, with a sample of tickets whose priority, team or status would change. Nothing is saved
    (applying a replay, with a change reason, is on the admin page and in `manage.py replay_rules`). The range is at
    most a year (default: the year up to today). Up to 2,000 tickets the answer is the result (200); more start a
    background job (202 with the job, whose `url` shows progress and the result); one job runs at a time (409)."""

    serializer_class = ReplaySerializer
    # Replay reads every ticket of up to a year: it needs the permission to change rules.
    permission_classes = [HasPermission.of("workflow.change_rule")]

    @extend_schema(
        request=ReplaySerializer,
        responses={200: ReplayResultSerializer, 202: ReplayJobSerializer, 409: ReplayJobSerializer},
    )
    def post(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            date_from, date_to = dry_runs.replay_range(data.get("date_from"), data.get("date_to"))
        except DjangoValidationError as error:
            raise RuleRefusal(error.message_dict) from error
        rule_ids = [r.pk for r in data.get("rules", [])] or None
        total = dry_runs.replay_tickets(date_from=date_from, date_to=date_to).count()
        if total > jobs.INLINE_LIMIT:
            params = {
                "date_from": date_from.isoformat(),
                "date_to": date_to.isoformat(),
                "rule_ids": rule_ids,
                "sample_size": data.get("sample_size", 20),
            }
            context = self.get_serializer_context()
            try:
                job = jobs.start(params=params, total=total, user=request.user)
            except jobs.ReplayBusy as busy:
                return Response(ReplayJobSerializer(busy.job, context=context).data, status=409)
            return Response(ReplayJobSerializer(job, context=context).data, status=202)
        report = dry_runs.replay(
            date_from=date_from,
            date_to=date_to,
            rule_ids=rule_ids,
            sample_size=data.get("sample_size", 20),
        )
        return Response(ReplayResultSerializer(report.to_dict()).data)


class ReplayJobView(GenericAPIView):
    """A background replay: status (queued, running, done, failed), tickets scanned of the total, and the result
    when done."""

    permission_classes = [HasPermission.of("workflow.change_rule")]
    serializer_class = ReplayJobSerializer
    queryset = ReplayJob.objects.all()
    pagination_class = None
    filter_backends: list = []

    def get(self, request, pk: int, *args, **kwargs):
        jobs.active_job()  # fails a job whose server stopped, so its status here is the truth
        job = ReplayJob.objects.filter(pk=pk).first()
        if job is None:
            raise Http404
        return Response(ReplayJobSerializer(job, context=self.get_serializer_context()).data)


__all__ = ["ReplayJobView", "RuleReplayView", "RuleSimulateView", "RuleViewSet"]
