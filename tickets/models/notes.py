"""The worklog of a ticket: append-only public and internal notes with the time spent."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from tickets.models.tickets import Ticket


class TicketNote(models.Model):
    """An append-only worklog entry on a ticket: public (the caller may see it) or internal, with time spent.

    Notes are never edited or deleted, so they carry their own author and time instead of a history.
    """

    ticket = models.ForeignKey(
        Ticket,
        verbose_name="ticket",
        on_delete=models.CASCADE,
        related_name="notes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="author",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ticket_notes",
    )
    public = models.BooleanField(
        verbose_name="public",
        default=False,
        help_text="Public notes are for the caller; internal ones only for the desk.",
    )
    text = models.TextField(
        verbose_name="text",
    )
    time_spent_minutes = models.PositiveIntegerField(
        verbose_name="time spent (min)",
        default=0,
        validators=[MaxValueValidator(24 * 60)],
    )
    created_at = models.DateTimeField(
        verbose_name="time",
        default=timezone.now,
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "ticket note"
        verbose_name_plural = "ticket notes"
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_note_ticket_idx")]

    def __str__(self) -> str:
        return f"{'Public' if self.public else 'Internal'} note on {self.ticket_id} by {self.author or 'system'}"
