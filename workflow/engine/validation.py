"""Checks a rule's criteria and actions against what exists, before the rule is saved. Pure: known ids come as sets.

Every check returns field errors (`{"value": ["..."]}`) that the admin, the API and the services show next to the
field. `None` for a set of known values means "not checked here" (for instance when the database already guarantees
that a foreign key exists).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from workflow.engine import vocabulary as vocab

Errors = dict[str, list[str]]
Values = Mapping[Any, str] | frozenset | None  # known values; a mapping gives their labels for messages

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
MAX_MINUTES = 366 * 24 * 60
TEXT_MAX = 200


@dataclass(frozen=True)
class Known:
    """What exists, as plain sets (ids) or mappings (value -> label)."""

    vip_status_ids: Values = None
    team_ids: Values = None
    service_instance_ids: Values = None
    technical_service_ids: Values = None
    group_ids: Values = None
    service_level_ids: Values = None
    user_ids: Values = None
    ticket_types: Values = None
    levels: Values = None
    statuses: Values = None
    sources: Values = None
    ci_types: Values = None
    # status -> statuses it may become; a status no rule can reach (New) or one that needs more (Resolved) is refused
    transitions: Mapping[str, Iterable[str]] | None = None
    status_needing_input: Mapping[str, str] | None = None


REF_NOUNS = {
    "vip_status_ids": "VIP status",
    "team_ids": "team",
    "service_instance_ids": "service instance",
    "technical_service_ids": "technical service",
    "group_ids": "customer group",
    "service_level_ids": "service level",
    "user_ids": "analyst",
}
CHOICE_NOUNS = {
    "ticket_types": "type",
    "levels": "level",
    "statuses": "status",
    "sources": "source",
    "ci_types": "CI type",
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _choices_text(values: Values) -> str:
    if isinstance(values, Mapping):
        return ", ".join(f"{label} ({key})" for key, label in values.items())
    return ", ".join(sorted(str(v) for v in values or ()))


def _check_ref(value: Any, known_attr: str, known: Known) -> str | None:
    noun = REF_NOUNS[known_attr]
    if not _is_int(value):
        return f"Choose a {noun} by its id (a whole number)."
    values = getattr(known, known_attr)
    if values is not None and value not in values:
        return f"{noun[0].upper()}{noun[1:]} {value} does not exist."
    return None


def _check_choice(value: Any, known_attr: str, known: Known) -> str | None:
    noun = CHOICE_NOUNS[known_attr]
    values = getattr(known, known_attr)
    if not isinstance(value, str) or not value:
        return f"Choose a {noun}."
    if values is not None and value not in values:
        return f"Unknown {noun} '{value}': choose one of {_choices_text(values)}."
    return None


def _check_one(spec: vocab.FieldSpec, value: Any, known: Known) -> str | None:
    if spec.kind in ("vip", "ref", "member"):
        return _check_ref(value, spec.refs, known)
    if spec.kind == "choice":
        return _check_choice(value, spec.choices, known)
    if spec.kind == "number":
        if not _is_int(value):
            return "Enter a whole number."
        if spec.key == "priority" and value not in vocab.PRIORITIES:
            return f"Priority {value} does not exist: priorities run from 1 (highest) to 5."
        if spec.key != "priority" and not 0 <= value <= MAX_MINUTES:
            return f"Enter a number of minutes from 0 to {MAX_MINUTES}."
        return None
    if spec.kind in ("text", "timeframe"):
        if not isinstance(value, str) or not value.strip():
            return "Enter the text to look for." if spec.kind == "text" else "Enter the timeframe's name."
        if len(value) > TEXT_MAX:
            return f"Keep it to {TEXT_MAX} characters."
        return None
    return None


def validate_criterion(field: Any, operator: Any, value: Any, known: Known, *, trigger: str | None = None) -> Errors:
    """Errors for one criterion: unknown field, an operator the field does not offer, a value that does not fit."""
    spec = vocab.FIELDS.get(field) if isinstance(field, str) else None
    if spec is None:
        return {"field": [f"Unknown field '{field}': choose one of {', '.join(vocab.FIELDS)}."]}
    if operator not in spec.operators:
        offered = ", ".join(f"{vocab.OPERATORS[o]} ({o})" for o in spec.operators)
        return {"operator": [f"'{operator}' does not apply to {spec.label}; choose one of {offered}."]}
    errors: Errors = {}
    if spec.scheduled_only and trigger is not None and trigger != vocab.SCHEDULED:
        errors["field"] = [f"Only scheduled rules can use {spec.label}: a ticket just logged or changed has 0."]
    if operator in vocab.NO_VALUE_OPERATORS:
        return errors
    if operator in vocab.SET_OPERATORS:
        if not isinstance(value, list | tuple | set | frozenset) or not value:
            errors["value"] = ["Choose at least one value."]
            return errors
        messages = [m for m in (_check_one(spec, v, known) for v in value) if m]
        if messages:
            errors["value"] = sorted(set(messages))
        return errors
    message = _check_one(spec, value, known)
    if message:
        errors["value"] = [message]
    return errors


def _placeholder_errors(text: Any) -> list[str]:
    if not isinstance(text, str):
        return ["Enter text."]
    unknown = sorted({m for m in vocab.PLACEHOLDER_RE.findall(text) if m not in vocab.PLACEHOLDERS})
    if unknown:
        offered = ", ".join("{" + p + "}" for p in vocab.PLACEHOLDERS)
        return [f"Unknown placeholder {', '.join('{' + u + '}' for u in unknown)}: use {offered}."]
    return []


def validate_action(action_type: Any, value: Any, text: Any, known: Known) -> Errors:
    """Errors for one action: unknown type, a value that does not fit (priority 7, a team that does not exist)."""
    spec = vocab.ACTIONS.get(action_type) if isinstance(action_type, str) else None
    if spec is None:
        return {"type": [f"Unknown action '{action_type}': choose one of {', '.join(vocab.ACTIONS)}."]}
    errors: Errors = {}

    def fail(message: str) -> None:
        errors.setdefault("value", []).append(message)

    kind = spec.value
    if kind == "priority":
        if not _is_int(value) or value not in vocab.PRIORITIES:
            fail(f"Priority {value} does not exist: priorities run from 1 (highest) to 5.")
    elif kind == "steps":
        if not _is_int(value) or not 1 <= value <= 4:
            fail("Raise by 1 to 4 steps (P5 -> P1 is 4 steps).")
    elif kind == "level":
        message = _check_choice(value, "levels", known)
        if message:
            fail(message)
    elif kind == "status":
        message = _check_choice(value, "statuses", known)
        if message:
            fail(message)
        elif known.status_needing_input and value in known.status_needing_input:
            fail(known.status_needing_input[value])
        elif known.transitions is not None:
            reachable = {s for targets in known.transitions.values() for s in targets}
            if value not in reachable:
                fail(f"No ticket can change to '{value}': it is only a starting status.")
    elif kind in ("team", "user", "service_level"):
        attr = {"team": "team_ids", "user": "user_ids", "service_level": "service_level_ids"}[kind]
        message = _check_ref(value, attr, known)
        if message:
            fail(message)
    elif kind == "email":
        if not isinstance(value, str) or not EMAIL_RE.match(value.strip()):
            fail("Enter an email address, e.g. vip-desk@example.org.")
    if spec.text:
        messages = _placeholder_errors(text if text is not None else "")
        if messages:
            errors["text"] = messages
        elif action_type == "add_note" and not (text or "").strip():
            errors["text"] = ["Write the note; placeholders such as {number} and {caller} are filled in."]
        elif len(text or "") > 4000:
            errors["text"] = ["Keep the text to 4000 characters."]
    return errors


def validate_rule(
    *,
    trigger: Any,
    match: Any,
    criteria: Iterable[Mapping[str, Any]],
    actions: Iterable[Mapping[str, Any]],
    known: Known,
) -> dict[str, Any]:
    """Errors for a whole rule, shaped like the nested input: {"criteria": [{}, {"value": [...]}], ...}.

    Criteria are `{"field", "operator", "value"}` and actions `{"type", "value", "text"}`. Empty when all is well.
    """
    errors: dict[str, Any] = {}
    if trigger not in vocab.TRIGGERS:
        errors["trigger"] = [f"Unknown trigger '{trigger}': choose one of {', '.join(vocab.TRIGGERS)}."]
    if match not in vocab.MATCHES:
        errors["match"] = [f"Unknown match '{match}': choose all or any."]
    rule_trigger = trigger if trigger in vocab.TRIGGERS else None
    criteria_errors = [
        validate_criterion(c.get("field"), c.get("operator"), c.get("value"), known, trigger=rule_trigger)
        for c in criteria
    ]
    if any(criteria_errors):
        errors["criteria"] = criteria_errors
    action_errors = [validate_action(a.get("type"), a.get("value"), a.get("text", ""), known) for a in actions]
    if any(action_errors):
        errors["actions"] = action_errors
    return errors


__all__ = ["Known", "validate_action", "validate_criterion", "validate_rule"]
