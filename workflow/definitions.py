"""A rule in its three forms, and the translations between them, in one place.

- model rows: `Rule` with its `Criterion` and `Action` rows (what is stored and audited);
- plain items: `{"field", "operator", "value"}` / `{"type", "value", "text"}` dicts with ids and lists (what the
  admin's forms and the API send, and what validation reads);
- engine definitions: the frozen `RuleDef` / `CriterionDef` / `ActionDef` the engine evaluates.

It also owns the choice vocabularies the rules speak in (ticket types, levels, statuses, sources, CI types), so that
models, validation, selectors and the admin read one definition. It imports no workflow model: the models import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import models

from services.models import ConfigurationItem
from tickets.choices import LIFECYCLE, Level, Source, Status, TicketType
from workflow.engine import ActionDef, CriterionDef, Known, RuleDef
from workflow.engine import vocabulary as vocab

if TYPE_CHECKING:
    from workflow.models import Action, Criterion, Rule

RESOLVE_MESSAGE = "A rule cannot resolve a ticket: resolving needs a resolution note written by an analyst."


# -- choice vocabularies ----------------------------------------------------------------------------------------------
@cache
def choice_labels(kind: str) -> dict[str, str]:
    """value -> label for the scalar vocabularies criteria and actions use."""
    choices = {
        "ticket_types": TicketType.choices,
        "levels": Level.choices,
        "statuses": Status.choices,
        "sources": Source.choices,
        "ci_types": ConfigurationItem.Type.choices,
    }[kind]
    return {value: str(label) for value, label in choices}


def choice_known() -> Known:
    """What validation needs without the database: the scalar vocabularies and the status transitions."""
    return Known(
        ticket_types=choice_labels("ticket_types"),
        levels=choice_labels("levels"),
        statuses=choice_labels("statuses"),
        sources=choice_labels("sources"),
        ci_types=choice_labels("ci_types"),
        transitions=LIFECYCLE.transitions,
        status_needing_input={Status.RESOLVED: RESOLVE_MESSAGE},
    )


# -- model rows -> plain items -----------------------------------------------------------------------------------------
def listed(value: Any) -> Any:
    """A set value as a sorted list (plain items and JSON never carry sets)."""
    return sorted(value, key=str) if isinstance(value, frozenset | set) else value


def criterion_item(criterion: Criterion, statuses: Iterable[int] | None = None) -> dict[str, Any]:
    """`statuses`: the chosen VIP status ids of an in / not in criterion when they are not (yet) its saved rows."""
    value = criterion.generic_value(list(statuses) if statuses is not None else None)
    return {"id": criterion.pk, "field": criterion.field, "operator": criterion.operator, "value": listed(value)}


def action_item(action: Action) -> dict[str, Any]:
    return {"id": action.pk, "type": action.action_type, "value": action.generic_value(), "text": action.text}


def plain_items(items: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Items as callers give them (a model instance or a list of them as a value) with ids in their place."""
    if items is None:
        return None
    plain = []
    for item in items:
        item = dict(item)
        value = item.get("value")
        if isinstance(value, models.Model):
            item["value"] = value.pk
        elif isinstance(value, list | tuple | set | frozenset):
            item["value"] = [getattr(v, "pk", v) for v in value]
        plain.append(item)
    return plain


# -- plain items -> model rows (unsaved) -------------------------------------------------------------------------------
def build_criteria(rule: Rule, items: list[dict]) -> list[tuple[Criterion, list[int] | None]]:
    """The rule's criteria as the items describe them, each with its VIP status ids for in / not in. Existing rows
    named by id are changed in place; the rest are new. Nothing is saved."""
    existing = {c.pk: c for c in rule.criteria.all()} if rule.pk else {}
    built = []
    for order, item in enumerate(items, start=1):
        criterion = existing.get(item.get("id")) if item.get("id") else None
        criterion = criterion or rule.criteria.model(rule=rule)
        criterion.order = order
        criterion.field = item.get("field")
        criterion.operator = item.get("operator")
        value = item.get("value")
        if isinstance(value, list):
            value = frozenset(value)
        vip_ids = criterion.set_generic_value(value)
        is_set = criterion.field == "vip_status" and criterion.operator in vocab.SET_OPERATORS
        built.append((criterion, list(vip_ids) if is_set else None))
    return built


def build_actions(rule: Rule, items: list[dict]) -> list[Action]:
    existing = {a.pk: a for a in rule.actions.all()} if rule.pk else {}
    built = []
    for order, item in enumerate(items, start=1):
        action = existing.get(item.get("id")) if item.get("id") else None
        action = action or rule.actions.model(rule=rule)
        action.order = order
        action.action_type = item.get("type")
        action.text = item.get("text") or ""
        action.set_generic_value(item.get("value"))
        built.append(action)
    return built


# -- model rows -> engine definitions ----------------------------------------------------------------------------------
def criterion_def(criterion: Criterion) -> CriterionDef:
    statuses = list(criterion.vip_statuses.all()) if criterion.operator in vocab.SET_OPERATORS else None
    value = criterion.generic_value([s.pk for s in statuses] if statuses is not None else None)
    rank = criterion.vip_status.position if criterion.field == "vip_status" and criterion.vip_status_id else None
    return CriterionDef(
        field=criterion.field,
        operator=criterion.operator,
        value=value,
        display=criterion.value_display(statuses),
        rank=rank,
        id=criterion.pk,
    )


def action_def(action: Action) -> ActionDef:
    return ActionDef(
        type=action.action_type,
        value=action.generic_value(),
        text=action.text,
        display=action.describe(),
        id=action.pk,
    )


def rule_def(rule: Rule) -> RuleDef:
    """A loaded rule (criteria, their VIP statuses and actions prefetched) as the engine reads it."""
    return RuleDef(
        id=rule.pk,
        name=rule.name,
        position=rule.position,
        trigger=rule.trigger,
        match=rule.match,
        stop_processing=rule.stop_processing,
        criteria=tuple(criterion_def(c) for c in rule.criteria.all()),
        actions=tuple(action_def(a) for a in rule.actions.all()),
        active=rule.active,
        version_id=getattr(rule, "version_id", None),
    )
