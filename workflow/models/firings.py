"""What rules leave behind: the firing traced on a ticket, and the background dry-run replay jobs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from workflow.engine import vocabulary as vocab
from workflow.models.rules import Rule


class RuleFiring(models.Model):
    """The trace a rule left on a ticket: which version of the rule, the values it saw, what it did, and when.

    Written by the workflow only and never edited, so it carries its own time instead of a history.
    """

    class Event(models.TextChoices):
        CREATE = vocab.CREATE, "Ticket logged"
        UPDATE = vocab.UPDATE, "Ticket changed"
        SCHEDULED = vocab.SCHEDULED, "Escalation run"
        REPLAY = "replay", "Replay"

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name="ticket",
        on_delete=models.CASCADE,
        related_name="rule_firings",
    )
    rule = models.ForeignKey(
        Rule,
        verbose_name="rule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="firings",
    )
    rule_name = models.CharField(
        verbose_name="rule name",
        max_length=120,
        help_text="As it was when the rule fired (the rule may since be renamed or deleted).",
    )
    rule_position = models.PositiveIntegerField(
        verbose_name="rule position",
        validators=[MinValueValidator(1)],
    )
    rule_version = models.PositiveBigIntegerField(
        verbose_name="rule version",
        null=True,
        blank=True,
        help_text="The rule's history row that was in force.",
    )
    event = models.CharField(
        verbose_name="event",
        max_length=10,
        choices=Event.choices,
    )
    criteria = models.JSONField(
        verbose_name="criteria seen",
        default=list,
        help_text="Each criterion with the value expected and the value seen on the ticket.",
    )
    actions = models.JSONField(
        verbose_name="actions applied",
        default=list,
        help_text="Each action with the field, the value before and after, and whether it applied.",
    )
    fired_at = models.DateTimeField(
        verbose_name="fired",
        default=timezone.now,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="triggered by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["fired_at", "pk"]
        verbose_name = "rule firing"
        verbose_name_plural = "rule firings"
        constraints = [
            # A scheduled rule fires once per ticket: a second escalation server inserting the same firing fails.
            models.UniqueConstraint(
                fields=["ticket", "rule"],
                condition=models.Q(event=vocab.SCHEDULED),
                name="workflow_firing_once_per_scheduled_rule",
                violation_error_message="This scheduled rule already fired on this ticket.",
                violation_error_code="unique",
            ),
        ]
        indexes = [models.Index(fields=["ticket", "fired_at"], name="workflow_firing_ticket_idx")]

    def __str__(self) -> str:
        return f"Rule {self.rule_position} '{self.rule_name}' on ticket {self.ticket_id}"

    @property
    def rule_label(self) -> str:
        return f"Rule {self.rule_position} '{self.rule_name}'"

    @property
    def because(self) -> str:
        """ "caller VIP status = Executive; impact = High": the values that made the rule match."""
        matched = [c for c in self.criteria if c.get("matched")]
        return "; ".join(f"{c['label']} = {c['seen_display']}" for c in matched) or "matches every ticket"


class ReplayJob(models.Model):
    """A dry-run replay over many tickets, run in the background (see workflow/jobs.py): its parameters, progress and
    result. Machine records without history."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    status = models.CharField(verbose_name="status", max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(verbose_name="parameters", default=dict)
    total = models.PositiveIntegerField(verbose_name="tickets to scan", default=0)
    scanned = models.PositiveIntegerField(verbose_name="tickets scanned", default=0)
    result = models.JSONField(verbose_name="result", null=True, blank=True)
    error = models.TextField(verbose_name="error", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="asked by", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(verbose_name="created", auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name="last progress", auto_now=True)
    finished_at = models.DateTimeField(verbose_name="finished", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "replay job"

    def __str__(self) -> str:
        return f"Replay job {self.pk} ({self.status})"

    def mark(self, *, status: str, finished: bool = False) -> None:
        self.status = status
        if finished:
            self.finished_at = timezone.now()
        self.save()
