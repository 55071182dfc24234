"""Running rules for real: on a ticket's create or update inside its transaction (`run_rules`), and on schedule
(`run_escalations`). Load the active rules once, snapshot the ticket, evaluate, apply the plan through the ticket
services, store one firing per matched rule, and queue notifications through the outbox after the commit."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from itsm.services import ConflictError, validation_message
from outbox.services import enqueue as enqueue_mail
from people.models import Team
from services.models import ServiceLevel
from tickets.choices import OPEN_STATUSES
from tickets.models import Ticket
from tickets.notes import ticket_note_add
from workflow import loading, snapshots
from workflow.engine import APPLIED, SKIPPED, Evaluation, RuleSet, evaluate
from workflow.engine import vocabulary as vocab
from workflow.models import RuleFiring

log = logging.getLogger(__name__)


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
        ruleset, config = rules, loading.engine_config()
    else:
        ruleset, config = loading.live_rules()
    if not ruleset.by_event.get(event):
        return None
    fresh = snapshots.ticket_for_snapshot(ticket, reuse=event == vocab.CREATE)
    snapshot = snapshots.snapshot_for(
        fresh, at=at, scheduled=event == vocab.SCHEDULED, fields=loading.fields_used(ruleset)
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
            ticket_note_add(ticket, user=None, text=text, public=False)
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
    ruleset = loading.load_ruleset()
    if not ruleset.by_event.get(vocab.SCHEDULED):
        return report
    at = at or timezone.now()
    config = loading.engine_config()
    tickets = Ticket.objects.select_related(*snapshots.SNAPSHOT_RELATED).filter(status__in=OPEN_STATUSES)
    for batch in batches(tickets.order_by("pk"), batch_size):
        context = snapshots.SnapshotContext(batch, at=at, load_fired=True)
        for ticket in batch:
            report.scanned += 1
            if progress is not None:
                progress(1)
            candidate = evaluate(
                snapshots.snapshot_for(ticket, context=context), ruleset, event=vocab.SCHEDULED, config=config
            )
            if not candidate.hits:
                continue
            try:
                with transaction.atomic():
                    Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk", flat=True).first()
                    fresh = snapshots.ticket_for_snapshot(ticket.pk)
                    if fresh.status not in OPEN_STATUSES:
                        continue
                    snapshot = snapshots.snapshot_for(fresh, at=at, scheduled=True)
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


def batches(queryset, size: int):
    batch = []
    for item in queryset.iterator(chunk_size=size):
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
