"""Service reviews: a meeting with the customer where what was agreed is set next to what was achieved
(reference: "monitor and report what you achieved"). Recording one sets the instance's next review date and turns
the agreed actions into follow-up tasks on the instance."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords


class ServiceReview(models.Model):
    """One review of a service instance with its customer."""

    service_instance = models.ForeignKey(
        "services.ServiceInstance",
        verbose_name="service instance",
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    date = models.DateField(verbose_name="date")
    attendees = models.ManyToManyField("people.Person", verbose_name="attendees", related_name="+", blank=True)
    period_from = models.DateField(verbose_name="period reviewed from")
    period_to = models.DateField(verbose_name="period reviewed to")
    outcome = models.TextField(verbose_name="outcome", help_text="What was concluded with the customer.")
    next_review_date = models.DateField(verbose_name="next review", null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[attendees])

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "service review"
        verbose_name_plural = "service reviews"

    def __str__(self) -> str:
        return f"Review of {self.service_instance} on {self.date:%Y-%m-%d}"

    def clean(self) -> None:
        errors = {}
        if self.period_from and self.period_to and self.period_from > self.period_to:
            errors["period_to"] = ["The period ends before it starts."]
        if self.date and self.next_review_date and self.next_review_date <= self.date:
            errors["next_review_date"] = ["The next review comes after this one."]
        if errors:
            raise ValidationError(errors)
