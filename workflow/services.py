"""Writes on rules (create, update, move, delete) and running them: live, simulated, replayed, scheduled.

A live run (`run_rules`) happens inside the ticket's transaction: load the active rules once, snapshot the ticket,
evaluate, apply the plan through the ticket services, store one firing per matched rule, and send notifications after
the commit. Simulate and replay call the very same `evaluate` on the very same kind of snapshot, so what they show is
what a live run does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from itsm import positions
from itsm.audit import clean_reason, mark
from itsm.services import ConflictError, record_delete, validation_message
from outbox.services import enqueue as enqueue_mail
from people.models import Team
from services.models import ServiceLevel
from tickets.choices import LIFECYCLE, OPEN_STATUSES
from tickets.models import Ticket
from vip.models import VipStatus
from vip.visibility import HIDDEN, is_visible
from workflow import selectors
from workflow.engine import APPLIED, SKIPPED, Evaluation, RuleDef, RuleSet, evaluate, lint
from workflow.engine import vocabulary as vocab
from workflow.engine.lint import LintWarning
from workflow.engine.validation import validate_rule
from workflow.models import Action, Criterion, CriterionVipStatus, Rule, RuleFiring

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


def _plain_items(items: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
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


def _validate(rule: Rule, criteria: list[dict] | None, actions: list[dict] | None) -> None:
    if criteria is None:
        criteria = [
            {"field": c.field, "operator": c.operator, "value": _jsonish(c.generic_value())}
            for c in rule.criteria.all()
        ]
    if actions is None:
        actions = [{"type": a.action_type, "value": a.generic_value(), "text": a.text} for a in rule.actions.all()]
    errors = validate_rule(
        trigger=rule.trigger,
        match=rule.match,
        criteria=criteria,
        actions=actions,
        known=selectors.known_ids(criteria, actions),
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
    _validate(rule, _plain_items(criteria), _plain_items(actions))


def _jsonish(value: Any) -> Any:
    return sorted(value) if isinstance(value, frozenset | set) else value


def _build_criteria(rule: Rule, items: list[dict]) -> list[tuple[Criterion, list[int] | None]]:
    existing = {c.pk: c for c in rule.criteria.all()} if rule.pk else {}
    built = []
    for order, item in enumerate(items, start=1):
        criterion = existing.get(item.get("id")) if item.get("id") else None
        criterion = criterion or Criterion(rule=rule)
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


def _build_actions(rule: Rule, items: list[dict]) -> list[Action]:
    existing = {a.pk: a for a in rule.actions.all()} if rule.pk else {}
    built = []
    for order, item in enumerate(items, start=1):
        action = existing.get(item.get("id")) if item.get("id") else None
        action = action or Action(rule=rule)
        action.order = order
        action.action_type = item.get("type")
        action.text = item.get("text") or ""
        action.set_generic_value(item.get("value"))
        built.append(action)
    return built


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
    criteria_items = _plain_items(criteria) or []
    action_items = _plain_items(actions) or []
    rules = _lock_rules()
    rule = Rule(**fields)
    rule.position = len(rules) + 1
    _validate(rule, criteria_items, action_items)
    built_criteria = _build_criteria(rule, criteria_items)
    built_actions = _build_actions(rule, action_items)
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
    criteria_items = _plain_items(criteria)
    action_items = _plain_items(actions)
    _validate(rule, criteria_items, action_items)
    built_criteria = _build_criteria(rule, criteria_items) if criteria_items is not None else None
    built_actions = _build_actions(rule, action_items) if action_items is not None else None
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
def rule_refresh_summary(rule: Rule, *, user: Any, change_reason: str) -> Rule:
    """After criteria or actions were saved on their own (admin inlines): the rule's definition and a version row."""
    rule.refresh_from_db()
    criteria = _current_criteria(rule)
    summary = describe_rule(rule, [c for c, _ in criteria], list(rule.actions.all()), _vip_objects(criteria))
    if summary != rule.summary:
        rule.summary = summary
        mark(rule, user=user, reason=change_reason or "criteria or actions changed")
        rule.save(update_fields=["summary"])
    return rule


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
    warnings = lint(selectors.load_rules(active_only=False), selectors.lint_context())
    if rule_ids is None:
        return warnings
    wanted = set(rule_ids)
    return [w for w in warnings if w.rule_id in wanted]


# -- live runs ------------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What a run did to one ticket: the evaluation, the firings stored, and any plan step the ticket refused."""

    evaluation: Evaluation
    firings: list[RuleFiring] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # field -> message


def run_rules(
    ticket: Ticket,
    *,
    event: str,
    user: Any = None,
    at: dt.datetime | None = None,
    rules: RuleSet | None = None,
) -> Outcome | None:
    """Runs the active rules for a ticket event ("create", "update", "scheduled") and applies the result.

    Called by the ticket services inside their transaction (see workflow.hooks). Returns None when no rule runs on
    the event. `ticket` is updated in place, so the caller sees the values the rules set.
    """
    if rules is not None:
        ruleset, config = rules, selectors.engine_config()
    else:
        ruleset, config = selectors.live_rules()
    if not ruleset.by_event.get(event):
        return None
    fresh = selectors.ticket_for_snapshot(ticket, reuse=event == vocab.CREATE)
    snapshot = selectors.snapshot_for(
        fresh, at=at, scheduled=event == vocab.SCHEDULED, fields=selectors.fields_used(ruleset)
    )
    evaluation = evaluate(snapshot, ruleset, event=event, config=config)
    if not evaluation.hits:
        return Outcome(evaluation=evaluation)
    return apply_evaluation(ticket, evaluation, user=user, event=event)


def _reason(evaluation: Evaluation, prefix: str) -> str:
    labels = "; ".join(r.label for r in evaluation.matched_rules)
    return f"{prefix}: {labels}"


def apply_evaluation(
    ticket: Ticket,
    evaluation: Evaluation,
    *,
    user: Any,
    event: str,
    reason_prefix: str = "Workflow",
    change_reason: str = "",
) -> Outcome:
    """Applies a plan through the ticket services and stores one firing per matched rule (same transaction).

    A step the ticket refuses (a final ticket, a transition that is no longer allowed) does not undo the others nor
    the write that triggered the run: it is recorded in the firing as skipped, with the ticket's message.
    """
    from tickets import services as ticket_services

    plan = evaluation.plan
    reason = _reason(evaluation, reason_prefix) + (f" ({change_reason})" if change_reason else "")
    refused: dict[str, str] = {}
    # Inside a ticket write (or a caller's transaction) the run needs no savepoint of its own: an error rolls back
    # the whole write. Each ticket service is atomic itself, so a step it refuses leaves nothing half-done.
    outer = contextlib.nullcontext() if transaction.get_connection().in_atomic_block else transaction.atomic()
    with outer, _rules_not_rerun():
        fields = _ticket_fields(plan.changes, ticket, refused)
        if fields:
            try:
                ticket_services.ticket_update(ticket, user=user, change_reason=reason, **fields)
            except (ConflictError, ValidationError) as error:
                message = error.message if isinstance(error, ConflictError) else validation_message(error)
                refused.update(dict.fromkeys(fields, message))
        target = plan.changes.get("status")
        if target is not None and ticket.status != target:
            try:
                ticket_services.ticket_transition(ticket, user=user, status=target, change_reason=reason)
            except (ConflictError, ValidationError) as error:
                refused["status"] = error.message if isinstance(error, ConflictError) else validation_message(error)
        if plan.notes:
            # One internal worklog entry per run, a line per rule, rather than a note per rule.
            labels = {r.id: r.label for r in evaluation.matched_rules}
            text = "\n".join(f"[{labels.get(n.rule_id, 'Workflow')}] {n.text}" for n in plan.notes)
            ticket_services.ticket_note_add(ticket, user=None, text=text, public=False)
        firings = _store_firings(ticket, evaluation, refused, user=user, event=event)
        if plan.notifications:
            messages = _notification_messages(plan.notifications)
            # Into the outbox in this transaction: sent after the commit by send_outbox, retried if the server fails.
            enqueue_mail(messages, source="workflow")
    return Outcome(evaluation=evaluation, firings=firings, refused=refused)


@contextlib.contextmanager
def _rules_not_rerun() -> Iterator[None]:
    """The ticket writes that apply a plan must not start another run (no loops), also outside the hook (replay,
    escalations): set the ticket hook's re-entry guard for the duration."""
    from tickets import hooks

    state = hooks._state
    previous = getattr(state, "running", False)
    state.running = True
    try:
        yield
    finally:
        state.running = previous


def _ticket_fields(changes: Mapping[str, Any], ticket: Ticket, refused: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in ("impact", "urgency", "priority"):
        if name in changes:
            fields[name] = changes[name]
    if ("impact" in fields or "urgency" in fields) and "priority" not in fields:
        fields["priority"] = ticket.priority  # the engine kept it (or the matrix agrees): no second re-rating
    if "team" in changes:
        fields["team"] = Team.objects.filter(pk=changes["team"]).first() if changes["team"] else None
    if "assignee" in changes:
        user_model = get_user_model()
        fields["assignee"] = user_model.objects.filter(pk=changes["assignee"]).first() if changes["assignee"] else None
    if "service_level" in changes:
        from tickets.services import UPDATABLE_FIELDS

        if "service_level" in UPDATABLE_FIELDS:
            fields["service_level"] = ServiceLevel.objects.filter(pk=changes["service_level"]).first()
        else:
            refused["service_level"] = "Tickets do not have a service level of their own yet; the instance's applies."
    return fields


def _store_firings(
    ticket: Ticket, evaluation: Evaluation, refused: Mapping[str, str], *, user: Any, event: str
) -> list[RuleFiring]:
    now = timezone.now()
    firings = []
    for result in evaluation.matched:
        steps = []
        for step in result.steps:
            data = step.to_dict()
            if step.field in refused and step.outcome == APPLIED:
                data.update(outcome=SKIPPED, note=refused[step.field])
            steps.append(data)
        firings.append(
            RuleFiring(
                ticket=ticket,
                rule_id=result.rule_id,
                rule_name=result.name,
                rule_position=result.position,
                rule_version=result.version_id,
                event=event,
                criteria=[c.to_dict() for c in result.criteria],
                actions=steps,
                fired_at=now,
                user=user if getattr(user, "is_authenticated", False) else None,
            )
        )
    # Firings are append-only machine records without history, so one insert is enough.
    return RuleFiring.objects.bulk_create(firings)


def _notification_messages(notifications) -> list[tuple[str, str, str | None, list[str]]]:
    team_ids = {n.team_id for n in notifications if n.team_id}
    teams = Team.objects.in_bulk(team_ids) if team_ids else {}
    # Members are read only for teams without a shared address (most teams have one): a query saved per logged ticket.
    without_email = [pk for pk, team in teams.items() if not team.email]
    member_emails: dict[int, list[str]] = {}
    if without_email:
        rows = Team.members.through.objects.filter(team_id__in=without_email).values_list("team_id", "user__email")
        for team_id, email in rows:
            if email:
                member_emails.setdefault(team_id, []).append(email)
    messages = []
    for n in notifications:
        if n.team_id:
            team = teams.get(n.team_id)
            if team is None:
                continue
            recipients = [team.email] if team.email else member_emails.get(team.pk, [])
        else:
            recipients = [n.email]
        if recipients:
            messages.append((n.subject, n.body, settings.DEFAULT_FROM_EMAIL, recipients))
    return messages


# -- simulate ---------------------------------------------------------------------------------------------------------
def simulate(
    *,
    ticket: Ticket | None = None,
    hypothetical: selectors.Hypothetical | None = None,
    event: str = vocab.CREATE,
    at: dt.datetime | None = None,
    try_rule_ids: Iterable[int] = (),
    only: bool = False,
    drafts: Iterable[RuleDef] = (),
    changes: Mapping[str, Any] | None = None,
    viewer: Any = None,
) -> Evaluation:
    """What the rules would do for a ticket or a hypothetical one, without saving anything.

    `try_rule_ids` adds rules as if they were active (to try a rule before turning it on); `only` runs just those
    (and the drafts). Drafts are unsaved definitions (API). `changes` sets fields on the existing ticket in memory
    first ("what if its impact were high?"); it is never saved. Same snapshot, same engine as a live run. For a
    `viewer` who may not see the caller's confidential VIP status, rules still see it but the output names it
    "(confidential)".
    """
    if (ticket is None) == (hypothetical is None):
        raise ValueError("Give either a ticket or a hypothetical ticket.")
    try_ids = set(try_rule_ids)
    rules = selectors.load_rules(active_only=False)
    chosen = []
    for rule in rules:
        if rule.id in try_ids:
            chosen.append(replace(rule, active=True))
        elif not only and rule.active:
            chosen.append(rule)
    chosen.extend(replace(d, active=True) for d in drafts)
    if ticket is not None:
        target = selectors.ticket_for_snapshot(ticket)
        if changes:
            _what_if(target, changes)
    else:
        target = selectors.hypothetical_ticket(hypothetical)
        at = at or hypothetical.at
    snapshot = selectors.snapshot_for(target, at=at, scheduled=event == vocab.SCHEDULED)
    caller = target.caller if target.caller_id else None
    if viewer is not None and caller is not None and not is_visible(caller.vip_status, viewer):
        names = {**snapshot.names, **({"vip_status": HIDDEN} if "vip_status" in snapshot.names else {})}
        snapshot = replace(snapshot, vip_status_name=HIDDEN, names=names)
    return evaluate(snapshot, RuleSet(chosen), event=event, config=selectors.engine_config())


def simulate_unsaved(ticket: Ticket, *, event: str = vocab.CREATE, viewer: Any = None) -> Evaluation:
    """The active rules over an unsaved ticket built by the caller (the Log a call preview)."""
    rules = [rule for rule in selectors.load_rules(active_only=True)]
    snapshot = selectors.snapshot_for(ticket, at=ticket.opened_at, scheduled=False)
    caller = ticket.caller if ticket.caller_id else None
    if viewer is not None and caller is not None and not is_visible(caller.vip_status, viewer):
        names = {**snapshot.names, **({"vip_status": HIDDEN} if "vip_status" in snapshot.names else {})}
        snapshot = replace(snapshot, vip_status_name=HIDDEN, names=names)
    return evaluate(snapshot, RuleSet(rules), event=event, config=selectors.engine_config())


def _what_if(ticket: Ticket, changes: Mapping[str, Any]) -> None:
    """Changes an (unsaved) ticket as `ticket_update` would: impact or urgency re-rate the priority unless it is
    given, and a New ticket given a team or an analyst is Assigned. Never saved."""
    from tickets.services import priority_for

    for name, value in changes.items():
        setattr(ticket, name, value)
    if ("impact" in changes or "urgency" in changes) and "priority" not in changes:
        rated = priority_for(impact=ticket.impact, urgency=ticket.urgency)
        if rated is not None:
            ticket.priority = rated
    ticket.status = LIFECYCLE.after_assignment(ticket.status, owned=bool(ticket.team_id or ticket.assignee_id))


# -- replay -----------------------------------------------------------------------------------------------------------
REPLAY_FIELDS = ("priority", "team", "status")


@dataclass
class ReplayReport:
    scanned: int = 0
    matched: int = 0
    changed: int = 0
    applied: int = 0
    by_rule: Counter = field(default_factory=Counter)  # rule label -> tickets matched
    by_field: Counter = field(default_factory=Counter)  # field -> tickets that would change
    sample: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "scanned": self.scanned,
            "matched": self.matched,
            "changed": self.changed,
            "applied": self.applied,
            "by_rule": [{"rule": k, "tickets": v} for k, v in self.by_rule.most_common()],
            "by_field": dict(self.by_field),
            "sample": self.sample,
            "errors": self.errors,
        }


REPLAY_MAX_DAYS = 366


def replay_range(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """The days a replay covers: at most a year (the year up to today when not given), start before end."""
    date_to = date_to or timezone.localdate()
    date_from = date_from or date_to - dt.timedelta(days=REPLAY_MAX_DAYS - 1)
    if date_from > date_to:
        raise ValidationError({"date_to": ["The end comes before the start."]})
    if (date_to - date_from).days >= REPLAY_MAX_DAYS:
        raise ValidationError(
            {
                "date_from": [
                    f"A replay covers at most a year ({REPLAY_MAX_DAYS} days): choose a later start or an earlier end."
                ]
            }
        )
    return date_from, date_to


def replay_tickets(*, date_from: dt.date | None = None, date_to: dt.date | None = None):
    tickets = Ticket.objects.select_related(*selectors.SNAPSHOT_RELATED).order_by("opened_at", "pk")
    if date_from:
        tickets = tickets.filter(opened_at__date__gte=date_from)
    if date_to:
        tickets = tickets.filter(opened_at__date__lte=date_to)
    return tickets


def replay(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    rule_ids: Iterable[int] | None = None,
    drafts: Iterable[RuleDef] = (),
    apply: bool = False,
    user: Any = None,
    change_reason: str | None = None,
    sample_size: int = 20,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Runs rules over the tickets opened in a date range, as they are now. Dry run unless `apply`.

    The rules: `rule_ids` (any, active or not), plus drafts; the whole active set when neither is given. Triggers
    are ignored (a replay asks "what would these rules do to these tickets"); scheduled rules that already fired on a
    ticket are skipped. Applying needs a change reason; each ticket is changed in its own transaction with history.
    """
    reason = clean_reason(change_reason) if apply else (change_reason or "")
    if apply and not reason:
        raise ValidationError({"change_reason": ["Give a change reason to apply a replay."]})
    drafts = list(drafts)
    if rule_ids is None and not drafts:
        rules = selectors.load_rules(active_only=True)
    else:
        rules = selectors.load_rules(active_only=False, ids=list(rule_ids or ()))
    rules = [replace(r, active=True, trigger=vocab.BOTH) for r in [*rules, *drafts]]
    ruleset = RuleSet(rules)
    config = selectors.engine_config()
    report = ReplayReport(dry_run=not apply)
    at = timezone.now()
    tickets = replay_tickets(date_from=date_from, date_to=date_to)
    for batch in _batches(tickets, batch_size):
        context = selectors.SnapshotContext(batch, at=at, load_fired=True)
        for ticket in batch:
            report.scanned += 1
            evaluation = evaluate(
                selectors.snapshot_for(ticket, context=context), ruleset, event=vocab.UPDATE, config=config
            )
            if evaluation.hits:
                report.matched += 1
                for rule in evaluation.matched_rules:
                    report.by_rule[rule.label] += 1
                changes = {
                    f: (getattr(ticket, f"{f}_id" if f == "team" else f), v)
                    for f, v in evaluation.plan.changes.items()
                    if f in REPLAY_FIELDS
                }
                if changes:
                    report.changed += 1
                    for name in changes:
                        report.by_field[name] += 1
                    if len(report.sample) < sample_size:
                        report.sample.append(_sample(ticket, evaluation, changes))
                if apply and (evaluation.plan.changes or evaluation.plan.notes):
                    try:
                        with transaction.atomic():
                            apply_evaluation(
                                ticket,
                                evaluation,
                                user=user,
                                event=RuleFiring.Event.REPLAY,
                                reason_prefix="Replay",
                                change_reason=reason,
                            )
                        report.applied += 1
                    except (ConflictError, ValidationError, IntegrityError) as error:
                        report.errors.append(f"{ticket.number}: {error}")
            if progress is not None:
                progress(1)
    return report


def _batches(queryset, size: int):
    batch = []
    for item in queryset.iterator(chunk_size=size):
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _sample(ticket: Ticket, evaluation: Evaluation, changes: Mapping[str, tuple[Any, Any]]) -> dict[str, Any]:
    names = evaluation.snapshot.names
    shown = {}
    for name, (old, new) in changes.items():
        if name == "team":
            old_text = names.get("team", "")
            new_text = str(Team.objects.filter(pk=new).values_list("name", flat=True).first() or "empty")
        elif name == "priority":
            old_text, new_text = f"P{old}", f"P{new}"
        else:
            labels = selectors.choice_labels("statuses")
            old_text, new_text = labels.get(old, old), labels.get(new, new)
        shown[name] = {"old": old, "new": new, "old_display": old_text, "new_display": new_text}
    return {
        "ticket": ticket.number,
        "title": ticket.title,
        "changes": shown,
        "rules": [r.label for r in evaluation.matched_rules],
    }


# -- escalations ------------------------------------------------------------------------------------------------------
@dataclass
class EscalationReport:
    scanned: int = 0
    fired: int = 0
    tickets: list[str] = field(default_factory=list)
    skipped: int = 0  # already handled by another server in the meantime


def run_escalations(
    *,
    at: dt.datetime | None = None,
    user: Any = None,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> EscalationReport:
    """Evaluates the scheduled rules over the open tickets; each scheduled rule fires once per ticket.

    Safe to run every minute on several servers at once: candidates are found without locks, then each ticket is
    re-read under a row lock in its own transaction, re-evaluated, and its firings inserted; the unique
    (ticket, rule) constraint on scheduled firings makes a second server's attempt roll back instead of firing twice.
    """
    report = EscalationReport()
    ruleset = selectors.load_ruleset()
    if not ruleset.by_event.get(vocab.SCHEDULED):
        return report
    at = at or timezone.now()
    config = selectors.engine_config()
    tickets = Ticket.objects.select_related(*selectors.SNAPSHOT_RELATED).filter(status__in=OPEN_STATUSES)
    for batch in _batches(tickets.order_by("pk"), batch_size):
        context = selectors.SnapshotContext(batch, at=at, load_fired=True)
        for ticket in batch:
            report.scanned += 1
            if progress is not None:
                progress(1)
            candidate = evaluate(
                selectors.snapshot_for(ticket, context=context), ruleset, event=vocab.SCHEDULED, config=config
            )
            if not candidate.hits:
                continue
            try:
                with transaction.atomic():
                    Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk", flat=True).first()
                    fresh = selectors.ticket_for_snapshot(ticket.pk)
                    if fresh.status not in OPEN_STATUSES:
                        continue
                    snapshot = selectors.snapshot_for(fresh, at=at, scheduled=True)
                    evaluation = evaluate(snapshot, ruleset, event=vocab.SCHEDULED, config=config)
                    if not evaluation.hits:
                        report.skipped += 1
                        continue
                    apply_evaluation(fresh, evaluation, user=user, event=vocab.SCHEDULED, reason_prefix="Escalation")
                report.fired += len(evaluation.hits)
                report.tickets.append(fresh.number)
            except IntegrityError:
                report.skipped += 1  # another server fired it first; its transaction won
    return report


__all__ = [
    "RuleValidationError",
    "apply_evaluation",
    "replay",
    "rule_check",
    "rule_create",
    "rule_delete",
    "rule_move",
    "rule_move_by",
    "rule_update",
    "rule_warnings",
    "run_escalations",
    "run_rules",
    "simulate",
]
