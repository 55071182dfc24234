"""`/api/calendars/`: business-hours calendars with their hours and holidays nested, and two calculators for
integrations and the admin (`due/`, `business-minutes/`); `/api/service-reviews/`: reviews with the customer."""

from __future__ import annotations

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.api.filters import id_filter
from itsm.api.serializers import AuditedModelSerializer
from itsm.api.viewsets import AuditedModelViewSet
from itsm.exceptions import RuleRefusal
from people.models import Person
from services import calendar_services
from services.business_time import ClosedCalendar, business_seconds, format_hhmm, parse_hhmm
from services.calendars import business_calendar, time_zones
from services.models import Calendar, CalendarHoliday, CalendarHours, ServiceInstance, ServiceReview

MAX_MINUTES = 10_000_000  # about 19 years of minutes: enough for any target


class CalendarHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday ... 6 = Sunday.")
    start = serializers.RegexField(
        r"^([01][0-9]|2[0-3]):[0-5][0-9]$", help_text="HH:MM, local time in the calendar's zone."
    )
    end = serializers.RegexField(
        r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", help_text="HH:MM after the start; 24:00 is midnight at the end."
    )

    def validate(self, attrs):
        missing = {name: ["This field is required."] for name in ("weekday", "start", "end") if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        # The patterns make both parse; an end before its start is a rule the service checks (with overlaps).
        return (attrs["weekday"], parse_hhmm(attrs["start"]), parse_hhmm(attrs["end"], end=True))


class CalendarHolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=100)

    def validate(self, attrs):
        missing = {name: ["This field is required."] for name in ("date", "name") if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return (attrs["date"], attrs["name"])


class CalendarSerializer(AuditedModelSerializer):
    create_service = staticmethod(calendar_services.calendar_create)
    update_service = staticmethod(calendar_services.calendar_update)

    hours = serializers.ListField(
        child=CalendarHoursSerializer(),
        required=False,
        min_length=1,
        max_length=100,
        help_text="Working intervals (at least one); a weekday without one is closed.",
    )
    time_zone = serializers.ChoiceField(
        choices=sorted(time_zones()), required=False, help_text="IANA time zone: the working hours are local to it."
    )
    holidays = serializers.ListField(
        child=CalendarHolidaySerializer(),
        required=False,
        max_length=1000,
        help_text="Closed days besides the country's public holidays.",
    )

    class Meta:
        model = Calendar
        fields = ["id", "name", "time_zone", "country", "subdivision", "hours", "holidays", "change_reason"]

    def create(self, validated_data):
        return self._refusing(super().create, validated_data)

    def update(self, instance, validated_data):
        return self._refusing(lambda data: super(CalendarSerializer, self).update(instance, data), validated_data)

    @staticmethod
    def _refusing(write, data):
        # Overlapping hours, a repeated holiday, an unknown country: rules on the data no schema can state.
        try:
            return write(data)
        except serializers.ValidationError as error:
            raise RuleRefusal(error.detail) from error

    @property
    def _readable_fields(self):
        # Hours and holidays are read from the rows below (as HH:MM), not through the write-side list fields.
        return [field for field in super()._readable_fields if field.field_name not in ("hours", "holidays")]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["hours"] = [
            {"weekday": h.weekday, "start": format_hhmm(h.start), "end": format_hhmm(h.end)}
            for h in instance.hours.all()
        ]
        data["holidays"] = [{"date": h.date.isoformat(), "name": h.name} for h in instance.holidays.all()]
        return data


class CalendarFilter(filters.FilterSet):
    class Meta:
        model = Calendar
        fields = ["country"]


START = OpenApiParameter("start", OpenApiTypes.DATETIME, required=True, description="ISO 8601 with an offset.")


class CalendarViewSet(AuditedModelViewSet):
    queryset = Calendar.objects.prefetch_related(
        Prefetch("hours", queryset=CalendarHours.objects.order_by("weekday", "start")),
        Prefetch("holidays", queryset=CalendarHoliday.objects.order_by("date")),
    )
    serializer_class = CalendarSerializer
    filterset_class = CalendarFilter
    search_fields = ["name"]
    ordering_fields = ["name", "id"]
    ordering = ["name"]
    delete_service = staticmethod(calendar_services.calendar_delete)

    @extend_schema(
        parameters=[
            START,
            OpenApiParameter(
                "minutes",
                {"type": "integer", "minimum": 0, "maximum": MAX_MINUTES},
                required=True,
                description=f"Business minutes, 0 to {MAX_MINUTES}.",
            ),
        ],
        responses=inline_serializer("CalendarDue", {"due": serializers.DateTimeField()}),
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def due(self, request, pk=None):
        """The moment `minutes` business minutes after `start` in this calendar."""
        query = _Query(data=request.query_params, context={"need": ("start", "minutes")})
        query.is_valid(raise_exception=True)
        _Query.check_range(query.validated_data)
        compiled = business_calendar(self.get_object())
        try:
            due = compiled.add(query.validated_data["start"], query.validated_data["minutes"])
        except ClosedCalendar as error:
            raise serializers.ValidationError({"start": [str(error)]}) from error
        return Response({"due": serializers.DateTimeField().to_representation(due)})

    @extend_schema(
        parameters=[START, OpenApiParameter("end", OpenApiTypes.DATETIME, required=True)],
        responses=inline_serializer("CalendarBusinessMinutes", {"minutes": serializers.FloatField()}),
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="business-minutes", pagination_class=None, filter_backends=[])
    def business_minutes(self, request, pk=None):
        """Business minutes between `start` and `end` (0 when the end is not after the start)."""
        query = _Query(data=request.query_params, context={"need": ("start", "end")})
        query.is_valid(raise_exception=True)
        _Query.check_range(query.validated_data)
        data = query.validated_data
        seconds = business_seconds(business_calendar(self.get_object()), data["start"], data["end"])
        return Response({"minutes": round(seconds / 60, 2)})


class _Query(serializers.Serializer):
    """The calculators' query parameters: aware ISO 8601 moments, a whole number of minutes."""

    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)
    minutes = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MINUTES)

    def validate(self, attrs):
        missing = {name: ["This parameter is required."] for name in self.context["need"] if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs

    @staticmethod
    def check_range(data: dict) -> None:
        """The supported range, a rule rather than a format: 400 naming the parameter (raised by the view, after the
        format checks, so that it reads as the rule it is)."""
        for name in ("start", "end"):
            value = data.get(name)
            if value is not None and not 1970 <= value.year <= 2200:
                raise RuleRefusal({name: ["Choose a moment between 1970 and 2200."]})


# -- service reviews -------------------------------------------------------------------------------------------------
class ServiceReviewSerializer(AuditedModelSerializer):
    create_service = staticmethod(calendar_services.service_review_create)
    update_service = staticmethod(calendar_services.service_review_update)

    service_instance = serializers.PrimaryKeyRelatedField(queryset=ServiceInstance.objects.all())
    attendees = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True, required=False)
    actions = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        write_only=True,
        max_length=50,
        help_text="Agreed actions: each becomes a follow-up task on the instance, due at the next review.",
    )

    class Meta:
        model = ServiceReview
        fields = [
            "id",
            "service_instance",
            "date",
            "attendees",
            "period_from",
            "period_to",
            "outcome",
            "next_review_date",
            "actions",
            "change_reason",
        ]


class ServiceReviewFilter(filters.FilterSet):
    service_instance = id_filter("service_instance_id", "The service instance's id.")

    class Meta:
        model = ServiceReview
        fields = ["service_instance"]


class ServiceReviewViewSet(AuditedModelViewSet):
    queryset = ServiceReview.objects.select_related("service_instance").prefetch_related("attendees")
    serializer_class = ServiceReviewSerializer
    filterset_class = ServiceReviewFilter
    search_fields = ["outcome"]
    ordering_fields = ["date", "id"]
    ordering = ["-date", "-id"]
    delete_service = staticmethod(calendar_services.service_review_delete)
