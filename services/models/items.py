"""What hangs off a service instance: the configuration items it provides or uses, its timeframes, its tasks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from services.models.relationships import ServiceInstance


class ConfigurationItem(models.Model):
    """A managed thing (server, application, device) that one or more service instances provide or use."""

    class Type(models.TextChoices):
        SERVER = "server", "Server"
        APPLICATION = "application", "Application"
        DATABASE = "database", "Database"
        NETWORK = "network", "Network"
        DEVICE = "device", "Device"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        MAINTENANCE = "maintenance", "In maintenance"
        RETIRED = "retired", "Retired"

    name = models.CharField(
        verbose_name="name",
        max_length=150,
    )
    ci_type = models.CharField(
        verbose_name="type",
        max_length=12,
        choices=Type.choices,
        default=Type.SERVER,
    )
    status = models.CharField(
        verbose_name="status",
        max_length=12,
        choices=Status.choices,
        default=Status.ACTIVE,
    )
    asset_tag = models.CharField(
        verbose_name="asset tag",
        max_length=60,
        blank=True,
    )
    serial_number = models.CharField(
        verbose_name="serial number",
        max_length=100,
        blank=True,
    )
    owner_team = models.ForeignKey(
        "people.Team",
        verbose_name="owner team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="configuration_items",
    )
    description = models.TextField(
        verbose_name="description",
        blank=True,
    )
    service_instances = models.ManyToManyField(
        ServiceInstance,
        verbose_name="service instances",
        related_name="configuration_items",
        blank=True,
        help_text="The instances this item serves.",
    )

    history = HistoricalRecords(m2m_fields=[service_instances])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "configuration item"
        verbose_name_plural = "configuration items"
        constraints = [
            models.UniqueConstraint(
                fields=["asset_tag"],
                condition=~models.Q(asset_tag=""),
                name="configuration_item_unique_asset_tag",
                violation_error_message="Another configuration item already has this asset tag.",
                violation_error_code="unique",
            ),
            models.UniqueConstraint(
                fields=["serial_number"],
                condition=~models.Q(serial_number=""),
                name="configuration_item_unique_serial",
                violation_error_message="Another configuration item already has this serial number.",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.asset_tag = (self.asset_tag or "").strip()
        self.serial_number = (self.serial_number or "").strip()


class Timeframe(models.Model):
    """A period on a service instance with its own needs, e.g. "registration week: enhanced on-call"."""

    service_instance = models.ForeignKey(
        ServiceInstance,
        verbose_name="service instance",
        on_delete=models.CASCADE,
        related_name="timeframes",
    )
    name = models.CharField(
        verbose_name="name",
        max_length=120,
    )
    start = models.DateTimeField(
        verbose_name="start",
    )
    end = models.DateTimeField(
        verbose_name="end",
    )
    recurs_yearly = models.BooleanField(
        verbose_name="recurs yearly",
        default=False,
        help_text="The same dates every year (e.g. registration week).",
    )
    heightened_support = models.BooleanField(
        verbose_name="heightened support",
        default=False,
        help_text="The desk gives this instance extra care while the timeframe is active.",
    )
    notes = models.TextField(
        verbose_name="notes",
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "id"]
        verbose_name = "timeframe"
        verbose_name_plural = "timeframes"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start and self.end:
            if self.end <= self.start:
                raise ValidationError({"end": "The end must be after the start."})
            if self.recurs_yearly and self.end - self.start >= dt.timedelta(days=365):
                raise ValidationError({"end": "A yearly timeframe must last less than a year."})

    def is_active(self, at: dt.datetime) -> bool:
        """Whether the timeframe covers the moment `at` (for yearly ones: the same dates in any year)."""
        return self.active_until(at) is not None

    def active_until(self, at: dt.datetime) -> dt.datetime | None:
        """The end of the occurrence covering `at` (this year's for a yearly one), or None when none covers it."""
        if not self.recurs_yearly:
            return self.end if self.start <= at < self.end else None
        for year in (at.year - 1, at.year):
            start = _same_moment_in_year(self.start, year)
            end = start + (self.end - self.start)
            if start <= at < end:
                return end
        return None


def _same_moment_in_year(moment: dt.datetime, year: int) -> dt.datetime:
    try:
        return moment.replace(year=year)
    except ValueError:  # 29 February in a year that has none: 28 February.
        return moment.replace(year=year, day=28)


class Task(models.Model):
    """Follow-up work on an instance (account review, renewal); end-user requests are tickets, not tasks."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    service_instance = models.ForeignKey(
        ServiceInstance,
        verbose_name="service instance",
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    title = models.CharField(
        verbose_name="title",
        max_length=200,
    )
    due_date = models.DateField(
        verbose_name="due date",
        null=True,
        blank=True,
    )
    team = models.ForeignKey(
        "people.Team",
        verbose_name="team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_tasks",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="assignee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_tasks",
    )
    status = models.CharField(
        verbose_name="status",
        max_length=10,
        choices=Status.choices,
        default=Status.OPEN,
    )
    notes = models.TextField(
        verbose_name="notes",
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "due_date", "id"]
        verbose_name = "task"
        verbose_name_plural = "tasks"

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return bool(self.status == self.Status.OPEN and self.due_date and self.due_date < dt.date.today())
