"""How a logged ticket gets its number, and gets it once: the locked counter per prefix and the idempotency keys
integrations send so that a retried request returns the ticket it logged."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tickets.models.tickets import Ticket


class TicketCounter(models.Model):
    """The last number handed out for a prefix. Read with a row lock, so concurrent logging never collides.

    Internal machinery, not edited by anyone, hence no history.
    """

    prefix = models.CharField(
        verbose_name="prefix",
        max_length=3,
    )
    last_number = models.PositiveBigIntegerField(
        verbose_name="last number",
        default=0,
    )

    class Meta:
        verbose_name = "ticket counter"
        verbose_name_plural = "ticket counters"
        constraints = [
            models.UniqueConstraint(
                fields=["prefix"],
                name="ticket_counter_unique_prefix",
                violation_error_message="There is already a counter for this prefix.",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last_number}"


class TicketRequestKey(models.Model):
    """An `Idempotency-Key` an integration sent with `POST /api/tickets/`, and the ticket that request logged: a retry
    with the same key (a timeout, a lost answer) gets that ticket back instead of logging a duplicate. Keys are per
    user; machine records without history."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="user",
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(
        verbose_name="idempotency key",
        max_length=255,
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name="ticket",
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(
        verbose_name="created",
        auto_now_add=True,
    )

    class Meta:
        verbose_name = "ticket request key"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="ticket_request_key_unique",
                violation_error_message="This idempotency key was already used.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.ticket_id}"
