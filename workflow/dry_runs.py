"""Dry runs: simulate (one ticket, real or hypothetical) and replay (the current rules over past tickets). They call
the very same `evaluate` on the very same kind of snapshot as a live run, so what they show is what a live run does;
replay applies its changes only when asked, with a change reason."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from itsm.audit import clean_reason
from itsm.services import ConflictError
from people.models import Team
from tickets.choices import LIFECYCLE
from tickets.models import Ticket
from vip.visibility import HIDDEN, is_visible
from workflow import loading, snapshots
from workflow.definitions import choice_labels
from workflow.engine import Evaluation, RuleDef, RuleSet, evaluate
from workflow.engine import vocabulary as vocab
from workflow.models import RuleFiring
from workflow.runs import apply_evaluation, batches

log = logging.getLogger(__name__)


# -- simulate ---------------------------------------------------------------------------------------------------------
def simulate(
    *,
    ticket: Ticket | None = None,
    hypothetical: snapshots.Hypothetical | None = None,
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
    rules = loading.load_rules(active_only=False)
    chosen = []
    for rule in rules:
        if rule.id in try_ids:
            chosen.append(replace(rule, active=True))
        elif not only and rule.active:
            chosen.append(rule)
    chosen.extend(replace(d, active=True) for d in drafts)
    if ticket is not None:
        target = snapshots.ticket_for_snapshot(ticket)
        if changes:
            _what_if(target, changes)
    else:
        target = snapshots.hypothetical_ticket(hypothetical)
        at = at or hypothetical.at
    snapshot = snapshots.snapshot_for(target, at=at, scheduled=event == vocab.SCHEDULED)
    caller = target.caller if target.caller_id else None
    if viewer is not None and caller is not None and not is_visible(caller.vip_status, viewer):
        names = {**snapshot.names, **({"vip_status": HIDDEN} if "vip_status" in snapshot.names else {})}
        snapshot = replace(snapshot, vip_status_name=HIDDEN, names=names)
    return evaluate(snapshot, RuleSet(chosen), event=event, config=loading.engine_config())


def simulate_unsaved(ticket: Ticket, *, event: str = vocab.CREATE, viewer: Any = None) -> Evaluation:
    """The active rules over an unsaved ticket built by the caller (the Log a call preview)."""
    rules = [rule for rule in loading.load_rules(active_only=True)]
    snapshot = snapshots.snapshot_for(ticket, at=ticket.opened_at, scheduled=False)
    caller = ticket.caller if ticket.caller_id else None
    if viewer is not None and caller is not None and not is_visible(caller.vip_status, viewer):
        names = {**snapshot.names, **({"vip_status": HIDDEN} if "vip_status" in snapshot.names else {})}
        snapshot = replace(snapshot, vip_status_name=HIDDEN, names=names)
    return evaluate(snapshot, RuleSet(rules), event=event, config=loading.engine_config())


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
    tickets = Ticket.objects.select_related(*snapshots.SNAPSHOT_RELATED).order_by("opened_at", "pk")
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
    ruleset = _replay_ruleset(rule_ids, list(drafts))
    config = loading.engine_config()
    report = ReplayReport(dry_run=not apply)
    at = timezone.now()
    tickets = replay_tickets(date_from=date_from, date_to=date_to)
    for batch in batches(tickets, batch_size):
        context = snapshots.SnapshotContext(batch, at=at, load_fired=True)
        for ticket in batch:
            report.scanned += 1
            evaluation = evaluate(
                snapshots.snapshot_for(ticket, context=context), ruleset, event=vocab.UPDATE, config=config
            )
            if evaluation.hits:
                _count(report, ticket, evaluation, sample_size)
                if apply and (evaluation.plan.changes or evaluation.plan.notes):
                    _apply(report, ticket, evaluation, user=user, reason=reason)
            if progress is not None:
                progress(1)
    return report


def _replay_ruleset(rule_ids: Iterable[int] | None, drafts: list[RuleDef]) -> RuleSet:
    """The rules asked for (any, active or not) and the drafts, or the whole active set; every trigger ignored."""
    if rule_ids is None and not drafts:
        rules = loading.load_rules(active_only=True)
    else:
        rules = loading.load_rules(active_only=False, ids=list(rule_ids or ()))
    return RuleSet([replace(r, active=True, trigger=vocab.BOTH) for r in [*rules, *drafts]])


def _count(report: ReplayReport, ticket: Ticket, evaluation: Evaluation, sample_size: int) -> None:
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


def _apply(report: ReplayReport, ticket: Ticket, evaluation: Evaluation, *, user: Any, reason: str) -> None:
    """Each ticket in its own transaction: one refused change is reported and the replay goes on."""
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
            labels = choice_labels("statuses")
            old_text, new_text = labels.get(old, old), labels.get(new, new)
        shown[name] = {"old": old, "new": new, "old_display": old_text, "new_display": new_text}
    return {
        "ticket": ticket.number,
        "title": ticket.title,
        "changes": shown,
        "rules": [r.label for r in evaluation.matched_rules],
    }
