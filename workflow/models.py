"""Workflow rules (ordered criteria -> actions), their typed criteria and actions, and the firings left on tickets.

Criteria and actions are typed rows, never code: a foreign key column for each kind of record a rule can name (VIP
status, team, instance, service, group, service level, analyst; all PROTECT, so deleting one that a rule uses is
refused with a message naming the rule) and a `value` column for scalars. `generic_value` / `set_generic_value`
translate between these columns and the plain values the engine works with.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from workflow.definitions import choice_known, choice_labels
from workflow.engine import vocabulary as vocab
from workflow.engine.validation import validate_action, validate_criterion

TRIGGER_CHOICES = list(vocab.TRIGGERS.items())
MATCH_CHOICES = list(vocab.MATCHES.items())
FIELD_CHOICES = [(key, spec.label[0].upper() + spec.label[1:]) for key, spec in vocab.FIELDS.items()]
OPERATOR_CHOICES = list(vocab.OPERATORS.items())
ACTION_CHOICES = [(key, spec.label) for key, spec in vocab.ACTIONS.items()]

# Criterion field kind -> the column holding its value (for single values).
CRITERION_COLUMNS: dict[str, str] = {
    "vip_status": "vip_status",
    "team": "team",
    "assignee": "assignee",
    "service_instance": "service_instance",
    "technical_service": "technical_service",
    "customer_group": "customer_group",
    "service_level": "service_level",
}
# Action value kind -> column.
ACTION_COLUMNS: dict[str, str] = {"team": "team", "user": "analyst", "service_level": "service_level"}


class RuleQuerySet(models.QuerySet):
    def ordered(self):
        return self.order_by("position", "pk")

    def with_definition(self):
        """Rules with criteria and actions and every record they name, in four queries for any number of rules."""
        return self.prefetch_related(
            models.Prefetch(
                "criteria",
                queryset=Criterion.objects.select_related(*CRITERION_COLUMNS.values()).prefetch_related("vip_statuses"),
            ),
            models.Prefetch("actions", queryset=Action.objects.select_related(*ACTION_COLUMNS.values())),
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


class CriterionVipStatus(models.Model):
    """A VIP status listed by an 'is one of' criterion; PROTECT keeps the status while a rule names it."""

    criterion = models.ForeignKey(
        "workflow.Criterion",
        verbose_name="criterion",
        on_delete=models.CASCADE,
        related_name="vip_status_links",
    )
    vip_status = models.ForeignKey(
        "vip.VipStatus",
        verbose_name="VIP status",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "criterion VIP status"
        verbose_name_plural = "criterion VIP statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "vip_status"],
                name="workflow_criterion_vip_status_unique",
                violation_error_message="This VIP status is already listed.",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.rule}: caller VIP status {self.criterion.get_operator_display()} {self.vip_status}"


class Criterion(models.Model):
    """One condition of a rule: a ticket field, an operator and a value (a record or a scalar)."""

    rule = models.ForeignKey(
        Rule,
        verbose_name="rule",
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    order = models.PositiveSmallIntegerField(
        verbose_name="order",
        default=0,
    )
    field = models.CharField(
        verbose_name="field",
        max_length=24,
        choices=FIELD_CHOICES,
    )
    operator = models.CharField(
        verbose_name="operator",
        max_length=24,
        choices=OPERATOR_CHOICES,
    )
    vip_status = models.ForeignKey(
        "vip.VipStatus",
        verbose_name="VIP status",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    vip_statuses = models.ManyToManyField(
        "vip.VipStatus",
        verbose_name="VIP statuses",
        through=CriterionVipStatus,
        blank=True,
        related_name="+",
        help_text="For 'is one of' / 'is not one of' on the VIP status.",
    )
    team = models.ForeignKey(
        "people.Team",
        verbose_name="team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="analyst",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    service_instance = models.ForeignKey(
        "services.ServiceInstance",
        verbose_name="service instance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    technical_service = models.ForeignKey(
        "services.TechnicalService",
        verbose_name="technical service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    customer_group = models.ForeignKey(
        "services.CustomerGroup",
        verbose_name="customer group",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    service_level = models.ForeignKey(
        "services.ServiceLevel",
        verbose_name="service level",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    value = models.CharField(
        verbose_name="value",
        max_length=200,
        blank=True,
        help_text="For scalars: a type, level, status, source or CI type (several: comma-separated), a priority or a "
        "number of minutes, a text to look for, a timeframe's name.",
    )

    history = HistoricalRecords(m2m_fields=[vip_statuses])

    class Meta:
        ordering = ["rule", "order", "pk"]
        verbose_name = "criterion"
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        rule = self.rule if self.rule_id else "new rule"
        return f"{rule}: {self.describe()}"

    # -- values -------------------------------------------------------------------------------------------------
    @property
    def spec(self) -> vocab.FieldSpec | None:
        return vocab.FIELDS.get(self.field)

    def generic_value(self, vip_statuses: Any = None) -> Any:
        """The value as the engine sees it: an id, a set of ids or values, an int, a string, or None.

        `vip_statuses` (ids) may be given for a row whose many-to-many is not saved yet (an admin form).
        """
        spec = self.spec
        if spec is None or self.operator in vocab.NO_VALUE_OPERATORS:
            return None
        if spec.kind == "vip" and self.operator in vocab.SET_OPERATORS:
            if vip_statuses is None:
                vip_statuses = [s.pk for s in self.vip_statuses.all()] if self.pk else []
            return frozenset(getattr(s, "pk", s) for s in vip_statuses)
        column = CRITERION_COLUMNS.get(spec.key)
        if spec.kind == "member":
            column = "customer_group"
        if column is not None:
            return getattr(self, f"{column}_id")
        raw = (self.value or "").strip()
        if spec.kind == "number":
            return int(raw) if raw.lstrip("-").isdigit() else raw
        if spec.kind == "choice" and self.operator in vocab.SET_OPERATORS:
            return frozenset(v.strip() for v in raw.split(",") if v.strip())
        return self.value

    def set_generic_value(self, value: Any) -> list[Any]:
        """Writes an engine value into the typed columns; returns the VIP status ids for the many-to-many."""
        for column in CRITERION_COLUMNS.values():
            setattr(self, f"{column}_id", None)
        self.value = ""
        spec = self.spec
        if spec is None or self.operator in vocab.NO_VALUE_OPERATORS or value is None:
            return []
        if spec.kind == "vip" and self.operator in vocab.SET_OPERATORS:
            return sorted(value)
        column = "customer_group" if spec.kind == "member" else CRITERION_COLUMNS.get(spec.key)
        if column is not None:
            setattr(self, f"{column}_id", value)
        elif isinstance(value, list | tuple | set | frozenset):
            self.value = ",".join(sorted(str(v) for v in value))
        else:
            self.value = str(value)
        return []

    def value_display(self, vip_statuses: Any = None) -> str:
        spec = self.spec
        if spec is None or self.operator in vocab.NO_VALUE_OPERATORS:
            return ""
        if spec.kind == "vip" and self.operator in vocab.SET_OPERATORS:
            statuses = vip_statuses if vip_statuses is not None else (self.vip_statuses.all() if self.pk else [])
            return ", ".join(str(s) for s in sorted(statuses, key=lambda s: getattr(s, "position", 0)))
        column = "customer_group" if spec.kind == "member" else CRITERION_COLUMNS.get(spec.key)
        if column is not None:
            related = getattr(self, column, None)
            return str(related) if related is not None else ""
        if spec.kind == "choice":
            labels = choice_labels(spec.choices)
            values = [v.strip() for v in (self.value or "").split(",") if v.strip()]
            return ", ".join(str(labels.get(v, v)) for v in values)
        if spec.key == "priority":
            return f"P{self.value}"
        if spec.kind in ("text", "timeframe"):
            return f'"{self.value}"'
        return self.value

    def describe(self, vip_statuses: Any = None) -> str:
        spec = self.spec
        label = spec.label if spec else self.field
        operator = vocab.OPERATORS.get(self.operator, self.operator)
        return f"{label} {operator} {self.value_display(vip_statuses)}".strip()

    def clean(self) -> None:
        spec = self.spec
        if spec is None:
            raise ValidationError({"field": [f"Unknown field '{self.field}'."]})
        if self.operator not in spec.operators:
            offered = ", ".join(vocab.OPERATORS[o] for o in spec.operators)
            raise ValidationError({"operator": [f"For {spec.label} choose one of: {offered}."]})
        # The scalar checks need no database; ids are checked by the foreign keys themselves.
        if spec.kind == "vip" and self.operator in vocab.SET_OPERATORS:
            return  # the many-to-many is checked by the service or the form, which hold the chosen statuses
        trigger = self.rule.trigger if self.rule_id else None
        value = self.generic_value()
        errors = validate_criterion(self.field, self.operator, value, choice_known(), trigger=trigger)
        if "value" in errors:
            column = "customer_group" if spec.kind == "member" else CRITERION_COLUMNS.get(spec.key, "value")
            errors[column] = errors.pop("value")
        if errors:
            raise ValidationError(errors)


class Action(models.Model):
    """One thing a rule does when it matches: set a field, assign, change status, add a note or notify."""

    rule = models.ForeignKey(
        Rule,
        verbose_name="rule",
        on_delete=models.CASCADE,
        related_name="actions",
    )
    order = models.PositiveSmallIntegerField(
        verbose_name="order",
        default=0,
    )
    action_type = models.CharField(
        verbose_name="action",
        max_length=24,
        choices=ACTION_CHOICES,
    )
    team = models.ForeignKey(
        "people.Team",
        verbose_name="team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="analyst",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    service_level = models.ForeignKey(
        "services.ServiceLevel",
        verbose_name="service level",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    value = models.CharField(
        verbose_name="value",
        max_length=254,
        blank=True,
        help_text="A priority (1-5), steps to raise (1-4), a level, a status or an email address.",
    )
    text = models.TextField(
        verbose_name="text",
        blank=True,
        help_text="Note or message; may use {number}, {title}, {caller}, {vip_status}, {priority}, {team}, {status}, "
        "{rule}.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["rule", "order", "pk"]
        verbose_name = "action"
        verbose_name_plural = "actions"

    def __str__(self) -> str:
        rule = self.rule if self.rule_id else "new rule"
        return f"{rule}: {self.describe()}"

    @property
    def spec(self) -> vocab.ActionSpec | None:
        return vocab.ACTIONS.get(self.action_type)

    def generic_value(self) -> Any:
        spec = self.spec
        if spec is None or spec.value == "none":
            return None
        column = ACTION_COLUMNS.get(spec.value)
        if column is not None:
            return getattr(self, f"{column}_id")
        raw = (self.value or "").strip()
        if spec.value in ("priority", "steps"):
            return int(raw) if raw.lstrip("-").isdigit() else raw
        return raw

    def set_generic_value(self, value: Any) -> None:
        for column in ACTION_COLUMNS.values():
            setattr(self, f"{column}_id", None)
        self.value = ""
        spec = self.spec
        if spec is None or spec.value == "none" or value is None:
            return
        column = ACTION_COLUMNS.get(spec.value)
        if column is not None:
            setattr(self, f"{column}_id", value)
        else:
            self.value = str(value)

    def value_display(self) -> str:
        spec = self.spec
        if spec is None or spec.value == "none":
            return ""
        column = ACTION_COLUMNS.get(spec.value)
        if column is not None:
            related = getattr(self, column, None)
            return str(related) if related is not None else ""
        if spec.value == "priority":
            return f"P{self.value}"
        if spec.value == "level":
            return str(choice_labels("levels").get(self.value, self.value))
        if spec.value == "status":
            return str(choice_labels("statuses").get(self.value, self.value))
        return self.value

    def describe(self) -> str:
        spec = self.spec
        label = spec.label if spec else self.action_type
        if spec is not None and spec.value == "status":
            label = "Change status to"
        text = f" ({self.text.strip()[:60]})" if (self.text or "").strip() else ""
        return f"{label} {self.value_display()}".strip() + text

    def clean(self) -> None:
        spec = self.spec
        if spec is None:
            raise ValidationError({"action_type": [f"Unknown action '{self.action_type}'."]})
        column = ACTION_COLUMNS.get(spec.value)
        if column is not None and getattr(self, f"{column}_id") is None:
            raise ValidationError({column: [f"Choose the {self._meta.get_field(column).verbose_name}."]})
        errors = validate_action(self.action_type, self.generic_value(), self.text, choice_known())
        if "value" in errors and column is not None:
            errors[column] = errors.pop("value")
        if errors:
            raise ValidationError(errors)


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

    def applied_steps(self) -> list[dict]:
        return [a for a in self.actions if a.get("outcome") == "applied"]


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
