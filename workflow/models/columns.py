"""The choices rules offer (from the engine's vocabulary) and which column of a criterion or an action holds the
value of each kind of record a rule can name."""

from __future__ import annotations

from workflow.engine import vocabulary as vocab

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
