"""The service-level clock's records: the state of one target (on time, due soon, breached) and the breaches
recorded once when a target passes unmet. The arithmetic that moves the clock is in tickets/clock.py."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tickets.choices import (
    DUE_SOON_SHARE,
    DueState,
    Target,
)


def target_state(
    opened: dt.datetime | None,
    due: dt.datetime | None,
    done: dt.datetime | None,
    *,
    active: bool,
    now: dt.datetime | None = None,
) -> str:
    """On time / due soon / breached for one target: met or missed when done, else measured against now."""
    if due is None:
        return DueState.NO_TARGET
    if done is not None:
        return DueState.BREACHED if done > due else DueState.ON_TIME
    if not active:
        return DueState.NO_TARGET
    now = now or timezone.now()
    if now > due:
        return DueState.BREACHED
    window = (due - opened).total_seconds() if opened else 0
    if window > 0 and (due - now).total_seconds() < window * DUE_SOON_SHARE:
        return DueState.DUE_SOON
    return DueState.ON_TIME


class Breach(models.Model):
    """A target passed without being met, recorded once at the moment it was found (`run_escalations` or the next
    write of the ticket). Never erased by a later edit; an analyst may add the reason ("waiting for vendor")."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name="ticket", on_delete=models.CASCADE, related_name="breaches"
    )
    target = models.CharField(verbose_name="target", max_length=10, choices=Target.choices)
    due = models.DateTimeField(verbose_name="due")
    breached_at = models.DateTimeField(verbose_name="recorded", help_text="When the breach was found and recorded.")
    reason = models.TextField(verbose_name="reason", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["breached_at", "id"]
        verbose_name = "breach"
        verbose_name_plural = "breaches"
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target"],
                name="breach_once_per_target",
                violation_error_message="This target's breach is already recorded.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} due {self.due:%Y-%m-%d %H:%M}"
