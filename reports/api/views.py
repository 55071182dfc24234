"""`/api/reports/service-levels/` and `/api/reports/vip-load/`: the figures of the report pages, as JSON or CSV
(`?format=csv`), from the same selectors, so page, API and CSV agree to the unit."""

from __future__ import annotations

import csv
import io
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.api.fields import MAX_PK
from itsm.api.permissions import HasPermission
from itsm.exceptions import RuleRefusal
from reports import selectors
from vip.visibility import HIDDEN, can_see_confidential

MAX_DAYS = 3 * 366


class CSVRenderer(renderers.BaseRenderer):
    """The report's rows (and the total) as CSV, one line per row, the columns of the JSON rows flattened."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        writer = csv.writer(out)
        rows = list(data.get("rows", [])) if isinstance(data, dict) else []
        if "total" in data:
            rows.append(data["total"])
        if not rows and isinstance(data, dict):
            for field, problems in data.items():
                writer.writerow([field, " ".join(map(str, problems if isinstance(problems, list) else [problems]))])
            return out.getvalue().encode()
        flat = [_flatten(row) for row in rows]
        columns = list(flat[0]) if flat else []
        writer.writerow(columns)
        for row in flat:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
        return out.getvalue().encode()


def _flatten(row: dict[str, Any]) -> dict[str, Any]:
    flat = {}
    for key, value in row.items():
        if isinstance(value, dict):
            for sub in ("id", "name"):
                flat[f"{key}_{sub}"] = value.get(sub)
        else:
            flat[key] = value
    return flat


class PeriodQuery(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    customer_group = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PK)

    def validate(self, attrs):
        empty = [name for name, value in self.initial_data.items() if name in self.fields and value == ""]
        if empty:
            raise serializers.ValidationError({name: ["Give a value or leave the parameter out."] for name in empty})
        default = selectors.Period.default()
        date_to = attrs.get("date_to") or default.date_to
        date_from = attrs.get("date_from") or date_to - (default.date_to - default.date_from)
        attrs["period"] = selectors.Period(date_from, date_to)
        return attrs

    @staticmethod
    def check_span(data: dict) -> None:
        """A rule on the period rather than a format (raised after the format checks): at most MAX_DAYS days."""
        period = data["period"]
        if period.date_from > period.date_to:
            raise RuleRefusal({"date_to": ["The end comes before the start."]})
        if (period.date_to - period.date_from).days > MAX_DAYS:
            raise RuleRefusal({"date_from": [f"A report covers at most {MAX_DAYS} days."]})


class AchievementQuery(PeriodQuery):
    group_by = serializers.ChoiceField(choices=list(selectors.GROUPS), required=False, default="customer_group")
    service_instance = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PK)
    service_level = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PK)
    vip = serializers.ChoiceField(choices=["true", "false"], required=False)

    def validate_vip(self, value):
        return value == "true"


def hide_confidential(user, rows: list[dict]) -> list[dict]:
    """A reader without the permission sees confidential statuses (not shown on tickets) merged as one row."""
    if can_see_confidential(user):
        return rows
    for row in rows:
        status = row.get("vip_status") or row.get("key")
        if status and row.get("vip_status") is not None:
            if not status["show_on_tickets"] and not status["is_default"]:
                status.update(id=None, name=HIDDEN, colour="#8c959f")
    return rows


class ReportView(APIView):
    # Reports count tickets: whoever may view tickets may read them.
    permission_classes = [HasPermission.of("tickets.view_ticket")]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]
    pagination_class = None

    def handle_exception(self, exc):
        # Errors are JSON whatever format was asked for: a CSV of an error would read as data.
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)


ID = {"type": "integer", "minimum": 1, "maximum": MAX_PK}
ACHIEVEMENT_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="First day (default: 30 days ago)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last day (default: today)."),
    OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(selectors.GROUPS)),
    OpenApiParameter("customer_group", ID),
    OpenApiParameter("service_instance", ID),
    OpenApiParameter("service_level", ID),
    OpenApiParameter("vip", OpenApiTypes.BOOL, description="true: VIP callers only; false: everyone else."),
]
RESPONSES = {
    (200, "application/json"): OpenApiTypes.OBJECT,
    (200, "text/csv"): OpenApiTypes.STR,
}


class ServiceLevelReportView(ReportView):
    """Service level achievement for the tickets opened in a period, grouped; counting rules in reports/selectors."""

    @extend_schema(parameters=ACHIEVEMENT_PARAMETERS, responses=RESPONSES)
    def get(self, request, *args, **kwargs):
        query = AchievementQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        PeriodQuery.check_span(data)
        report = selectors.achievement(
            data["period"],
            group_by=data["group_by"],
            customer_group=data.get("customer_group"),
            service_instance=data.get("service_instance"),
            service_level=data.get("service_level"),
            vip=data.get("vip"),
        )
        return Response(report)


class VipLoadReportView(ReportView):
    """Per VIP status at logging: tickets and share, P1/P2, time worked and share, resolution attainment; weekly
    attainment of VIP and everyone else's tickets."""

    @extend_schema(
        parameters=ACHIEVEMENT_PARAMETERS[:2] + ACHIEVEMENT_PARAMETERS[3:4], responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request, *args, **kwargs):
        query = PeriodQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        PeriodQuery.check_span(data)
        report = selectors.vip_load(data["period"], customer_group=data.get("customer_group"))
        report["rows"] = hide_confidential(request.user, report["rows"])
        return Response(report)
