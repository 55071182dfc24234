"""The service catalogue: technical services and the service levels (targets per priority) they are offered at."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

PRIORITIES = (1, 2, 3, 4, 5)


class TechnicalService(models.Model):
    """An entry in the service catalogue (Shared Drive, Virtualisation, ...) that customer groups consume."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    name = models.CharField(
        verbose_name="name",
        max_length=100,
    )
    description = models.TextField(
        verbose_name="description",
        blank=True,
    )
    category = models.CharField(
        verbose_name="category",
        max_length=60,
        blank=True,
        help_text="Catalogue section, e.g. Storage, Collaboration, Infrastructure.",
    )
    owner_team = models.ForeignKey(
        "people.Team",
        verbose_name="owner team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="technical_services",
    )
    status = models.CharField(
        verbose_name="status",
        max_length=10,
        choices=Status.choices,
        default=Status.ACTIVE,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "technical service"
        verbose_name_plural = "technical services"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="technical_service_unique_name_ci",
                violation_error_message="A technical service with this name already exists.",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceLevel(models.Model):
    """Agreed targets (minutes to respond and to resolve) for each priority 1-5, on a 24x7 or business-hours clock."""

    class Hours(models.TextChoices):
        ALWAYS = "24x7", "24x7"
        BUSINESS = "business", "Business hours"

    name = models.CharField(
        verbose_name="name",
        max_length=60,
    )
    description = models.TextField(
        verbose_name="description",
        blank=True,
    )
    hours = models.CharField(
        verbose_name="hours",
        max_length=10,
        choices=Hours.choices,
        default=Hours.BUSINESS,
        help_text="How the clock is described to people; the targets run on the calendar below.",
    )
    calendar = models.ForeignKey(
        "services.Calendar",
        verbose_name="calendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_levels",
        help_text="The business hours the targets count in; empty means 24x7.",
    )
    p1_response_minutes = models.PositiveIntegerField(verbose_name="P1 response (min)", default=15)
    p1_resolution_minutes = models.PositiveIntegerField(verbose_name="P1 resolution (min)", default=240)
    p2_response_minutes = models.PositiveIntegerField(verbose_name="P2 response (min)", default=30)
    p2_resolution_minutes = models.PositiveIntegerField(verbose_name="P2 resolution (min)", default=480)
    p3_response_minutes = models.PositiveIntegerField(verbose_name="P3 response (min)", default=120)
    p3_resolution_minutes = models.PositiveIntegerField(verbose_name="P3 resolution (min)", default=1440)
    p4_response_minutes = models.PositiveIntegerField(verbose_name="P4 response (min)", default=480)
    p4_resolution_minutes = models.PositiveIntegerField(verbose_name="P4 resolution (min)", default=4320)
    p5_response_minutes = models.PositiveIntegerField(verbose_name="P5 response (min)", default=1440)
    p5_resolution_minutes = models.PositiveIntegerField(verbose_name="P5 resolution (min)", default=10080)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "service level"
        verbose_name_plural = "service levels"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="service_level_unique_name_ci",
                violation_error_message="A service level with this name already exists.",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for priority in PRIORITIES:
            response, resolution = self.target(priority)
            if response is not None and response <= 0:
                errors.setdefault(f"p{priority}_response_minutes", []).append(
                    f"The P{priority} response target must be more than 0 minutes."
                )
            elif response is not None and resolution is not None and resolution < response:
                errors.setdefault(f"p{priority}_resolution_minutes", []).append(
                    f"The P{priority} resolution target ({resolution} min) must be at least the response target "
                    f"({response} min)."
                )
        if errors:
            raise ValidationError(errors)

    def target(self, priority: int) -> tuple[int, int]:
        """(response minutes, resolution minutes) for a priority 1-5."""
        if priority not in PRIORITIES:
            raise ValueError(f"Priority must be one of {PRIORITIES}, not {priority!r}.")
        return getattr(self, f"p{priority}_response_minutes"), getattr(self, f"p{priority}_resolution_minutes")

    @property
    def targets(self) -> list[dict]:
        return [
            {"priority": p, "response_minutes": self.target(p)[0], "resolution_minutes": self.target(p)[1]}
            for p in PRIORITIES
        ]
