from django.db import models


class Message(models.Model):
    """An e-mail to send: written in the same transaction as the change that causes it, sent after the commit by
    `manage.py send_outbox` with retries, so a slow or dead mail server never fails or slows a request and no message
    is lost. Machine records: no change history (the admin shows status, attempts and the last error)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    subject = models.CharField(
        verbose_name="subject",
        max_length=998,
    )
    body = models.TextField(
        verbose_name="body",
        blank=True,
    )
    from_email = models.CharField(
        verbose_name="from",
        max_length=254,
    )
    recipients = models.JSONField(
        verbose_name="recipients",
        default=list,
    )
    source = models.CharField(
        verbose_name="source",
        max_length=100,
        blank=True,
        help_text="What caused the message, e.g. the workflow rule or the reminder.",
    )
    status = models.CharField(
        verbose_name="status",
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(
        verbose_name="attempts",
        default=0,
    )
    last_error = models.TextField(
        verbose_name="last error",
        blank=True,
    )
    created_at = models.DateTimeField(
        verbose_name="created",
        auto_now_add=True,
    )
    next_attempt_at = models.DateTimeField(
        verbose_name="next attempt",
        null=True,
        blank=True,
    )
    sent_at = models.DateTimeField(
        verbose_name="sent",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outgoing message"
        verbose_name_plural = "outbox"
        indexes = [
            # The sender's one question: which pending messages are due now, oldest first.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} -> {', '.join(self.recipients)}"
