"""Business-hours calendars: working hours per weekday, holidays, a time zone and optionally a country's public
holidays. Service levels run their targets on one (none means 24x7); the arithmetic is in services/business_time.py."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from services.business_time import WEEKDAYS, format_hhmm
from services.calendars import validate_time_zone


class Calendar(models.Model):
    """When the service desk works for a service level's targets: hours per weekday, holidays, a time zone."""

    name = models.CharField(
        verbose_name="name",
        max_length=100,
    )
    time_zone = models.CharField(
        verbose_name="time zone",
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA name, e.g. Europe/Berlin: working hours are wall-clock times there.",
    )
    country = models.CharField(
        verbose_name="country",
        max_length=2,
        blank=True,
        help_text="ISO 3166 code (e.g. DE) whose public holidays are closed days too; empty for none.",
    )
    subdivision = models.CharField(
        verbose_name="subdivision",
        max_length=10,
        blank=True,
        help_text="Region of the country for regional holidays (e.g. BE for Berlin).",
    )
    updated_at = models.DateTimeField(
        verbose_name="updated",
        auto_now=True,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "calendar"
        verbose_name_plural = "calendars"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="calendar_unique_name_ci",
                violation_error_message="A calendar with this name already exists.",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("services:calendar_detail", args=[self.pk])

    def clean(self) -> None:
        self.country = (self.country or "").upper()
        self.subdivision = (self.subdivision or "").upper()
        if self.subdivision and not self.country:
            raise ValidationError({"subdivision": ["Give the country of this subdivision."]})
        if self.country:
            import holidays

            supported = holidays.list_supported_countries()
            if self.country not in supported:
                raise ValidationError({"country": [f"'{self.country}' is not a country with known holidays."]})
            if self.subdivision and self.subdivision not in supported[self.country]:
                raise ValidationError(
                    {"subdivision": [f"'{self.subdivision}' is not a subdivision of {self.country}."]}
                )

    def week(self) -> list[dict]:
        """Weekday rows for the calendar page: name and its intervals ('08:00-12:00')."""
        by_day: dict[int, list[str]] = {}
        for row in self.hours.all():
            by_day.setdefault(row.weekday, []).append(f"{format_hhmm(row.start)}-{format_hhmm(row.end)}")
        return [{"weekday": i, "name": WEEKDAYS[i], "intervals": by_day.get(i, [])} for i in range(7)]


class CalendarHours(models.Model):
    """One working interval of a weekday (minutes after midnight; the end may be 1440, midnight at the day's end)."""

    calendar = models.ForeignKey(Calendar, verbose_name="calendar", on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(
        verbose_name="weekday",
        choices=[(i, name) for i, name in enumerate(WEEKDAYS)],
    )
    start = models.PositiveSmallIntegerField(verbose_name="start (minute of the day)")
    end = models.PositiveSmallIntegerField(verbose_name="end (minute of the day)")

    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = "working hours"
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end"), end__lte=1440),
                name="calendar_hours_start_before_end",
                violation_error_message="The end must come after the start, at the latest at 24:00.",
            ),
        ]

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {format_hhmm(self.start)}-{format_hhmm(self.end)}"


class CalendarHoliday(models.Model):
    """A closed day of the calendar (besides the country's public holidays)."""

    calendar = models.ForeignKey(Calendar, verbose_name="calendar", on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(verbose_name="date")
    name = models.CharField(verbose_name="name", max_length=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = "holiday"
        verbose_name_plural = "holidays"
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"],
                name="calendar_holiday_unique_date",
                violation_error_message="This calendar already has a holiday on this date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
