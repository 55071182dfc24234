"""The ITIL impact x urgency matrix a ticket's priority is derived from."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tickets.choices import (
    PRIORITY_CHOICES,
    Level,
)


class PriorityMatrixCell(models.Model):
    """One cell of the ITIL impact x urgency matrix: the priority (1-5) a ticket gets for that pair."""

    impact = models.CharField(
        verbose_name="impact",
        max_length=6,
        choices=Level.choices,
    )
    urgency = models.CharField(
        verbose_name="urgency",
        max_length=6,
        choices=Level.choices,
    )
    priority = models.PositiveSmallIntegerField(
        verbose_name="priority",
        choices=PRIORITY_CHOICES,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 is the most urgent. Changing a cell applies to tickets logged or re-rated from now on.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = "priority matrix cell"
        verbose_name_plural = "priority matrix"
        constraints = [
            models.UniqueConstraint(
                fields=["impact", "urgency"],
                name="priority_matrix_unique_cell",
                violation_error_message="The matrix already has a cell for this impact and urgency.",
                violation_error_code="unique",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=5),
                name="priority_matrix_priority_1_to_5",
                violation_error_message="The priority must be from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"Impact {self.get_impact_display()} / urgency {self.get_urgency_display()}: P{self.priority}"
