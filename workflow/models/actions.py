"""One thing a rule does when it matches, as a typed row: a record column per kind (team, analyst, service level)
and `value` / `text` for scalars; `generic_value` / `set_generic_value` translate for the engine."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from workflow.definitions import choice_known, choice_labels
from workflow.engine import vocabulary as vocab
from workflow.engine.validation import validate_action
from workflow.models.columns import ACTION_CHOICES, ACTION_COLUMNS
from workflow.models.rules import Rule


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
