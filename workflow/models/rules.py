"""Workflow rules: ordered criteria -> actions, evaluated when tickets are logged or changed."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from workflow.engine import vocabulary as vocab
from workflow.models.columns import ACTION_COLUMNS, CRITERION_COLUMNS, MATCH_CHOICES, TRIGGER_CHOICES


class RuleQuerySet(models.QuerySet):
    def ordered(self):
        return self.order_by("position", "pk")

    def with_definition(self):
        """Rules with criteria and actions and every record they name, in four queries for any number of rules."""
        # The criterion and action models import this one: reach them through the relations instead.
        criterion = self.model._meta.get_field("criteria").related_model
        action = self.model._meta.get_field("actions").related_model
        return self.prefetch_related(
            models.Prefetch(
                "criteria",
                queryset=criterion.objects.select_related(*CRITERION_COLUMNS.values()).prefetch_related("vip_statuses"),
            ),
            models.Prefetch("actions", queryset=action.objects.select_related(*ACTION_COLUMNS.values())),
        )


class Rule(models.Model):
    """An ordered workflow rule: when its criteria match a ticket (all or any), its actions change or notify."""

    name = models.CharField(
        verbose_name="name",
        max_length=120,
    )
    description = models.TextField(
        verbose_name="description",
        blank=True,
        help_text="Why the rule exists; shown to analysts next to what it did.",
    )
    active = models.BooleanField(
        verbose_name="active",
        default=False,
        help_text="Only active rules run. Try a new rule with Simulate before turning it on.",
    )
    position = models.PositiveIntegerField(
        verbose_name="position",
        help_text="Rules run in this order, 1 first.",
    )
    trigger = models.CharField(
        verbose_name="trigger",
        max_length=10,
        choices=TRIGGER_CHOICES,
        default=vocab.BOTH,
        help_text="Scheduled rules run from `manage.py run_escalations` and fire once per ticket.",
    )
    match = models.CharField(
        verbose_name="match",
        max_length=3,
        choices=MATCH_CHOICES,
        default=vocab.MATCH_ALL,
    )
    stop_processing = models.BooleanField(
        verbose_name="stop processing",
        default=False,
        help_text="When this rule matches, later rules are not evaluated for the ticket.",
    )
    summary = models.TextField(
        verbose_name="definition",
        blank=True,
        editable=False,
        help_text="The criteria and actions in words; kept with every version in the history.",
    )

    history = HistoricalRecords()
    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "rule"
        verbose_name_plural = "rules"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="workflow_rule_unique_name_ci",
                violation_error_message="A rule with this name already exists.",
                violation_error_code="unique",
            ),
            models.UniqueConstraint(
                fields=["position"],
                name="workflow_rule_unique_position",
                violation_error_message="Another rule already has this position.",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Rule {self.position} '{self.name}'" if self.position else self.name

    @property
    def label(self) -> str:
        return str(self)
