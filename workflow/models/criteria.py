"""One condition of a rule, as a typed row: a ticket field, an operator and a value.

A foreign key column for each kind of record a rule can name (VIP status, team, instance, service, group, service
level, analyst; all PROTECT, so deleting one that a rule uses is refused with a message naming the rule) and a
`value` column for scalars. `generic_value` / `set_generic_value` translate between these columns and the plain values
the engine works with.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from workflow.definitions import choice_known, choice_labels
from workflow.engine import vocabulary as vocab
from workflow.engine.validation import validate_criterion
from workflow.models.columns import CRITERION_COLUMNS, FIELD_CHOICES, OPERATOR_CHOICES
from workflow.models.rules import Rule


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
