"""Tickets: incidents, service requests, problems and changes, with their priority and service-level clock."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tickets.choices import (
    OPEN_STATUSES,
    PRIORITY_CHOICES,
    DueState,
    Level,
    Source,
    Status,
    TicketType,
)
from tickets.models.clock import target_state


class TicketQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "caller__vip_status",
            "service_instance",
            "configuration_item",
            "team",
            "assignee",
            "service_level__calendar",
            "vip_status_at_open",
        )

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_vip_rank(self):
        """`vip_rank`: 0 when the caller's VIP status is shown on tickets, else 1, so VIP callers sort first.

        An EXISTS rather than a join: a COUNT(*) over the list (every paginator runs one) then drops the unused
        annotation and counts from an index on tickets alone, instead of joining 100,000 rows to people and statuses.
        """
        from people.models import Person

        shown = Person.objects.filter(pk=models.OuterRef("caller_id"), vip_status__show_on_tickets=True)
        return self.annotate(
            vip_rank=models.Case(
                models.When(models.Exists(shown), then=models.Value(0)),
                default=models.Value(1),
                output_field=models.IntegerField(),
            )
        )


class Ticket(models.Model):
    """An incident, service request, problem or change logged for a person, with its priority and service clock."""

    number = models.CharField(
        verbose_name="number",
        max_length=16,
        editable=False,
        help_text="Type prefix and sequence, e.g. INC000042; given when the ticket is logged.",
    )
    ticket_type = models.CharField(
        verbose_name="type",
        max_length=10,
        choices=TicketType.choices,
        default=TicketType.INCIDENT,
    )
    title = models.CharField(
        verbose_name="title",
        max_length=200,
    )
    description = models.TextField(
        verbose_name="description",
        blank=True,
    )
    caller = models.ForeignKey(
        "people.Person",
        verbose_name="caller",
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    service_instance = models.ForeignKey(
        "services.ServiceInstance",
        verbose_name="service instance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    configuration_item = models.ForeignKey(
        "services.ConfigurationItem",
        verbose_name="configuration item",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        help_text="Must serve the ticket's service instance.",
    )
    source = models.CharField(
        verbose_name="source",
        max_length=8,
        choices=Source.choices,
        default=Source.PHONE,
    )
    impact = models.CharField(
        verbose_name="impact",
        max_length=6,
        choices=Level.choices,
        default=Level.MEDIUM,
    )
    urgency = models.CharField(
        verbose_name="urgency",
        max_length=6,
        choices=Level.choices,
        default=Level.MEDIUM,
    )
    priority = models.PositiveSmallIntegerField(
        verbose_name="priority",
        choices=PRIORITY_CHOICES,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="From the ITIL matrix (impact x urgency); workflow rules may adjust it.",
    )
    status = models.CharField(
        verbose_name="status",
        max_length=12,
        choices=Status.choices,
        default=Status.NEW,
    )
    team = models.ForeignKey(
        "people.Team",
        verbose_name="team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="assignee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    resolution = models.TextField(
        verbose_name="resolution",
        blank=True,
        help_text="What was done; required to resolve.",
    )
    opened_at = models.DateTimeField(
        verbose_name="opened",
        default=timezone.now,
    )
    first_response_at = models.DateTimeField(
        verbose_name="first response",
        null=True,
        blank=True,
    )
    resolved_at = models.DateTimeField(
        verbose_name="resolved",
        null=True,
        blank=True,
    )
    closed_at = models.DateTimeField(
        verbose_name="closed",
        null=True,
        blank=True,
    )
    response_due_at = models.DateTimeField(
        verbose_name="response due",
        null=True,
        blank=True,
        help_text="Opened + the service level's response target for the priority, in its calendar's business time.",
    )
    resolution_due_at = models.DateTimeField(
        verbose_name="resolution due",
        null=True,
        blank=True,
        help_text="Opened + the resolution target in business time, moved later by the time spent paused.",
    )
    service_level = models.ForeignKey(
        "services.ServiceLevel",
        verbose_name="service level",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text="The targets this ticket runs on: the service instance's when logged, or set by a rule or analyst.",
    )
    vip_status_at_open = models.ForeignKey(
        "vip.VipStatus",
        verbose_name="VIP status when logged",
        null=True,
        blank=True,
        # A deleted status leaves its past tickets "unknown" in the reports rather than blocking the delete.
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The caller's VIP status at the moment the ticket was logged: reports count by it.",
    )
    paused_since = models.DateTimeField(
        verbose_name="paused since",
        null=True,
        blank=True,
        help_text="Set while the ticket waits on the caller (Pending): its clocks stand still.",
    )
    paused_seconds = models.PositiveIntegerField(
        verbose_name="paused (business seconds)",
        default=0,
        help_text="Business time spent Pending (and resolved before a reopen); the due times move later by it.",
    )
    next_due_at = models.DateTimeField(
        verbose_name="next due",
        null=True,
        blank=True,
        help_text="The due time the ticket races now: the response until answered, then the resolution.",
    )
    due_soon_at = models.DateTimeField(
        verbose_name="due soon from",
        null=True,
        blank=True,
        help_text="When the running target turns 'due soon' (a quarter of its window left).",
    )
    response_breached = models.BooleanField(
        verbose_name="response breached",
        default=False,
    )
    resolution_breached = models.BooleanField(
        verbose_name="resolution breached",
        default=False,
    )
    response_seconds = models.PositiveIntegerField(
        verbose_name="business seconds to respond",
        null=True,
        blank=True,
    )
    resolution_seconds = models.PositiveIntegerField(
        verbose_name="business seconds to resolve",
        null=True,
        blank=True,
        help_text="From logged to resolved, in business time, without the time paused.",
    )
    updated_at = models.DateTimeField(
        verbose_name="updated",
        auto_now=True,
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "next_due_at", "due_soon_at"])
    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "opened_at", "id"]
        verbose_name = "ticket"
        verbose_name_plural = "tickets"
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                name="ticket_unique_number",
                violation_error_message="Another ticket already has this number.",
                violation_error_code="unique",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=5),
                name="ticket_priority_1_to_5",
                violation_error_message="The priority must be from 1 to 5.",
            ),
        ]
        # Why each index exists: the EXPLAIN QUERY PLAN lines are in migration 0003's docstring. The queue's two
        # covering indexes hold the caller's VIP status, which is not a model field: see models/caller_vip.py.
        indexes = [
            models.Index(fields=["priority", "opened_at", "caller"], name="ticket_priority_idx"),
            models.Index(fields=["opened_at"], name="ticket_opened_idx"),
            # Breach checks (run_escalations): open tickets whose next due time has passed.
            models.Index(fields=["status", "resolution_due_at"], name="ticket_resolution_due_idx"),
            models.Index(fields=["status", "response_due_at"], name="ticket_response_due_idx"),
            models.Index(fields=["next_due_at"], name="ticket_next_due_idx"),
            # The live queue's version: MAX(updated_at) read from the end of this index, whatever the table's size.
            models.Index(fields=["updated_at"], name="ticket_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.number])

    def validate_constraints(self, exclude=None) -> None:
        # The priority range is already checked by the field's validators; validating the check constraint again
        # would cost a query and a savepoint on every ticket write. The constraint still guards the database.
        super().validate_constraints(exclude={*(exclude or ()), "priority"})

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.configuration_item_id:
            if not self.service_instance_id:
                errors["configuration_item"] = [
                    "Choose the service instance first: a configuration item is recorded with the instance it serves."
                ]
            elif not self.configuration_item.service_instances.filter(pk=self.service_instance_id).exists():
                errors["configuration_item"] = [
                    f"'{self.configuration_item}' does not serve '{self.service_instance}': choose one of the "
                    "instance's configuration items."
                ]
        if self.status == Status.RESOLVED and not (self.resolution or "").strip():
            errors["resolution"] = ["A resolved ticket needs a resolution note."]
        if errors:
            raise ValidationError(errors)

    # -- derived -------------------------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def response_state(self) -> str:
        if self.response_breached:
            return DueState.BREACHED
        if self.paused_since is not None and self.first_response_at is None:
            return DueState.PAUSED
        return target_state(self.opened_at, self.response_due_at, self.first_response_at, active=self.is_open)

    @property
    def resolution_state(self) -> str:
        if self.resolution_breached:
            return DueState.BREACHED
        if self.paused_since is not None and self.is_open:
            return DueState.PAUSED
        done = self.resolved_at or (self.closed_at if self.status == Status.CLOSED else None)
        return target_state(self.opened_at, self.resolution_due_at, done, active=self.is_open)

    @property
    def due_state(self) -> str:
        """The worse of the response and resolution states (a cancelled ticket has none)."""
        if self.status == Status.CANCELLED:
            return DueState.NO_TARGET
        states = {self.response_state, self.resolution_state}
        for state in (DueState.BREACHED, DueState.PAUSED, DueState.DUE_SOON, DueState.ON_TIME):
            if state in states:
                return state
        return DueState.NO_TARGET
