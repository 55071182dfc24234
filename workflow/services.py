"""Writes on rules: create, update, move, delete, each validated against the engine and audited with a change reason.

Running rules lives in `workflow.runs` (live and scheduled) and `workflow.dry_runs` (simulate, replay).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from itsm import positions
from itsm.audit import clean_reason, mark
from itsm.services import record_delete
from vip.models import VipStatus
from workflow import loading, selectors
from workflow.definitions import action_item, build_actions, build_criteria, criterion_item, plain_items
from workflow.engine import lint
from workflow.engine import vocabulary as vocab
from workflow.engine.lint import LintWarning
from workflow.engine.validation import validate_rule
from workflow.models import Action, Criterion, CriterionVipStatus, Rule

log = logging.getLogger(__name__)
RULE_FIELDS = {"name", "description", "active", "trigger", "match", "stop_processing"}


class RuleValidationError(ValidationError):
    """Field errors on a rule's criteria or actions, kept nested (`nested`) for the API."""

    def __init__(self, nested: dict[str, Any]):
        self.nested = nested
        super().__init__(_flatten(nested))


def _flatten(nested: dict[str, Any]) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for key, value in nested.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value, start=1):
                for sub, messages in item.items():
                    noun = "Criterion" if key == "criteria" else "Action"
                    flat.setdefault(key, []).extend(f"{noun} {index}, {sub}: {m}" for m in messages)
        else:
            flat[key] = list(value)
    return flat


# -- summaries --------------------------------------------------------------------------------------------------------
def describe_rule(rule: Rule, criteria: Iterable[Criterion], actions: Iterable[Action], vip: Mapping) -> str:
    """The rule in words, stored with each version: "If all: caller VIP status is Executive -> Set priority P1"."""
    criteria = list(criteria)
    actions = list(actions)
    when = vocab.TRIGGERS.get(rule.trigger, rule.trigger)
    joiner = " and " if rule.match == vocab.MATCH_ALL else " or "
    condition = joiner.join(c.describe(vip.get(id(c))) for c in criteria) or "every ticket"
    then = "; ".join(a.describe() for a in actions) or "nothing"
    stop = " Then stop processing further rules." if rule.stop_processing else ""
    return f"{when}: if {condition} -> {then}.{stop}"


# -- rule writes ----------------------------------------------------------------------------------------------------
def _lock_rules() -> list[Rule]:
    """Locks every rule, in primary-key order, so concurrent writers queue instead of deadlocking."""
    list(Rule.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    return list(Rule.objects.order_by("position", "pk"))


def _check_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise ValueError(f"Not writable here: {', '.join(sorted(unknown))}")


def _validate(rule: Rule, criteria: list[dict] | None, actions: list[dict] | None) -> None:
    if criteria is None:
        criteria = [criterion_item(c) for c in rule.criteria.all()]
    if actions is None:
        actions = [action_item(a) for a in rule.actions.all()]
    errors = validate_rule(
        trigger=rule.trigger,
        match=rule.match,
        criteria=criteria,
        actions=actions,
        known=loading.known_ids(criteria, actions),
    )
    if errors:
        raise RuleValidationError(errors)


def rule_check(
    rule: Rule,
    *,
    criteria: Iterable[Mapping[str, Any]] | None,
    actions: Iterable[Mapping[str, Any]] | None,
) -> None:
    """The checks `rule_create` / `rule_update` make, without saving: RuleValidationError with nested field errors
    (the admin runs it while validating its forms, so a bad value is a field error before anything is written)."""
    _validate(rule, plain_items(criteria), plain_items(actions))


def _row_state(obj: models.Model) -> tuple:
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)


def _save_rows(
    rule: Rule,
    criteria: list[tuple[Criterion, list[int] | None]] | None,
    actions: list[Action] | None,
    *,
    user: Any,
    reason: str,
) -> None:
    """Saves criteria and actions that changed (each with a history row and the reason); deletes the dropped ones."""
    if criteria is not None:
        keep = set()
        loaded = {c.pk: _row_state(c) for c in Criterion.objects.filter(rule=rule)}
        links = {}
        for pk, status_id in CriterionVipStatus.objects.filter(criterion__rule=rule).values_list(
            "criterion_id", "vip_status_id"
        ):
            links.setdefault(pk, set()).add(status_id)
        for criterion, vip_ids in criteria:
            criterion.rule = rule
            if criterion.pk is None or loaded.get(criterion.pk) != _row_state(criterion):
                mark(criterion, user=user, reason=reason)
                criterion.save()
            keep.add(criterion.pk)
            wanted = set(vip_ids or ())
            if wanted != links.get(criterion.pk, set()):
                criterion._change_reason = reason
                criterion.vip_statuses.set(sorted(wanted))
        for dropped in Criterion.objects.filter(rule=rule).exclude(pk__in=keep):
            record_delete(dropped, user=user, change_reason=reason)
    if actions is not None:
        keep = set()
        loaded = {a.pk: _row_state(a) for a in Action.objects.filter(rule=rule)}
        for action in actions:
            action.rule = rule
            if action.pk is None or loaded.get(action.pk) != _row_state(action):
                mark(action, user=user, reason=reason)
                action.save()
            keep.add(action.pk)
        for dropped in Action.objects.filter(rule=rule).exclude(pk__in=keep):
            record_delete(dropped, user=user, change_reason=reason)


def _clean_rows(criteria: list[tuple[Criterion, list[int] | None]], actions: list[Action]) -> None:
    errors: dict[str, list[dict]] = {}
    for key, rows in (("criteria", [c for c, _ in criteria]), ("actions", actions)):
        found = []
        for row in rows:
            try:
                row.full_clean(exclude=["rule"])
                found.append({})
            except ValidationError as error:
                found.append({k: list(v) for k, v in error.message_dict.items()})
        if any(found):
            errors[key] = found
    if errors:
        raise RuleValidationError(errors)


def _vip_objects(criteria: list[tuple[Criterion, list[int] | None]]) -> dict[int, list[VipStatus]]:
    ids = {i for _, vip_ids in criteria for i in (vip_ids or ())}
    statuses = VipStatus.objects.in_bulk(ids) if ids else {}
    return {id(c): [statuses[i] for i in vip_ids if i in statuses] for c, vip_ids in criteria if vip_ids is not None}


@transaction.atomic
def rule_create(
    *,
    user: Any,
    change_reason: str | None,
    criteria: Iterable[Mapping[str, Any]] = (),
    actions: Iterable[Mapping[str, Any]] = (),
    **fields: Any,
) -> Rule:
    """Adds a rule at the end of the order. Criteria are `{"field", "operator", "value"}` with engine values (ids,
    lists of ids, strings, ints); actions `{"type", "value", "text"}`. Bad values are field errors; nothing is saved."""
    reason = clean_reason(change_reason)
    _check_fields(fields)
    criteria_items = plain_items(criteria) or []
    action_items = plain_items(actions) or []
    rules = _lock_rules()
    rule = Rule(**fields)
    rule.position = len(rules) + 1
    _validate(rule, criteria_items, action_items)
    built_criteria = build_criteria(rule, criteria_items)
    built_actions = build_actions(rule, action_items)
    _clean_rows(built_criteria, built_actions)
    rule.summary = describe_rule(rule, [c for c, _ in built_criteria], built_actions, _vip_objects(built_criteria))
    rule.full_clean()
    mark(rule, user=user, reason=reason)
    rule.save()
    _save_rows(rule, built_criteria, built_actions, user=user, reason=reason)
    return rule


@transaction.atomic
def rule_update(
    rule: Rule,
    *,
    user: Any,
    change_reason: str | None,
    criteria: Iterable[Mapping[str, Any]] | None = None,
    actions: Iterable[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Rule:
    """Changes a rule. Given criteria/actions replace the current ones (items with an `id` update that row)."""
    reason = clean_reason(change_reason)
    _check_fields(fields)
    _lock_rules()
    current = Rule.objects.get(pk=rule.pk)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.position = current.position
    criteria_items = plain_items(criteria)
    action_items = plain_items(actions)
    _validate(rule, criteria_items, action_items)
    built_criteria = build_criteria(rule, criteria_items) if criteria_items is not None else None
    built_actions = build_actions(rule, action_items) if action_items is not None else None
    if built_criteria is not None or built_actions is not None:
        _clean_rows(built_criteria or [], built_actions or [])
    all_criteria = built_criteria if built_criteria is not None else _current_criteria(rule)
    all_actions = built_actions if built_actions is not None else list(rule.actions.all())
    rule.summary = describe_rule(rule, [c for c, _ in all_criteria], all_actions, _vip_objects(all_criteria))
    rule.full_clean()
    changed = _row_state(rule) != _row_state(current)
    if changed:
        mark(rule, user=user, reason=reason)
        rule.save()
    _save_rows(rule, built_criteria, built_actions, user=user, reason=reason)
    return rule


def _current_criteria(rule: Rule) -> list[tuple[Criterion, list[int] | None]]:
    rows = list(Criterion.objects.filter(rule=rule).prefetch_related("vip_statuses"))
    return [(c, [s.pk for s in c.vip_statuses.all()] if c.operator in vocab.SET_OPERATORS else None) for c in rows]


@transaction.atomic
def rule_move(rule: Rule, *, position: int, user: Any, change_reason: str | None = None) -> Rule:
    """Moves a rule to `position` (1 = runs first); the others shift and positions stay 1..N."""
    rules = _lock_rules()
    if not 1 <= position <= len(rules):
        raise ValidationError({"position": [f"Choose a position from 1 to {len(rules)}."]})
    return positions.move(
        rules, rule, position=position, user=user, change_reason=change_reason, gone="This rule no longer exists."
    )


def rule_move_by(rule: Rule, *, direction: str, user: Any) -> Rule:
    """Admin buttons: up, down, top, bottom."""
    target = positions.target(rule.position, direction=direction, count=Rule.objects.count())
    return rule_move(rule, position=target, user=user)


@transaction.atomic
def rule_delete(rule: Rule, *, user: Any, change_reason: str | None) -> None:
    """Deletes a rule with its criteria and actions (each with a history row); firings keep its name and version."""
    reason = clean_reason(change_reason)
    rules = _lock_rules()
    current = next((r for r in rules if r.pk == rule.pk), None)
    if current is None:
        return
    for criterion in Criterion.objects.filter(rule=current):
        record_delete(criterion, user=user, change_reason=reason)
    for action in Action.objects.filter(rule=current):
        record_delete(action, user=user, change_reason=reason)
    record_delete(current, user=user, change_reason=reason)
    positions.renumber([r for r in rules if r.pk != current.pk], user=user, reasons={})


def rule_warnings(rule_ids: Iterable[int] | None = None) -> list[LintWarning]:
    """Lint over all rules (shadowing depends on the others); only the warnings for `rule_ids` when given."""
    warnings = lint(loading.load_rules(active_only=False), selectors.lint_context())
    if rule_ids is None:
        return warnings
    wanted = set(rule_ids)
    return [w for w in warnings if w.rule_id in wanted]
