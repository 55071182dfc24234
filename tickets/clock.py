"""The service level clock of a ticket: due times in its service level's business time, the clock stop while
Pending, breaches recorded once, and the figures reports read (business seconds to respond and resolve, paused time).

Functions here change a ticket in memory (and record breaches); the ticket services save the ticket with history.
Nothing here decides a status: the ticket services call `on_status_change` with the move they made."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from services.business_time import ClosedCalendar, add_minutes, business_seconds
from services.calendars import business_calendar
from tickets.choices import DUE_SOON_SHARE, OPEN_STATUSES, DueState, Status, Target, TargetState
from tickets.models import Breach, Ticket


def calendar_of(ticket: Ticket):
    level = ticket.service_level
    return business_calendar(level.calendar) if level is not None and level.calendar_id else None


def due_times(
    *, level: Any, priority: int | None, opened_at: dt.datetime, paused_seconds: int = 0
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(response due, resolution due): opened + each target in the level's business time, plus the time paused."""
    if level is None or priority not in (1, 2, 3, 4, 5):
        return None, None
    calendar = business_calendar(level.calendar) if level.calendar_id else None
    response, resolution = level.target(priority)
    extra = paused_seconds / 60
    try:
        return add_minutes(calendar, opened_at, response + extra), add_minutes(calendar, opened_at, resolution + extra)
    except ClosedCalendar:
        return None, None


def refresh_due(ticket: Ticket) -> None:
    ticket.response_due_at, ticket.resolution_due_at = due_times(
        level=ticket.service_level,
        priority=ticket.priority,
        opened_at=ticket.opened_at,
        paused_seconds=ticket.paused_seconds,
    )
    refresh_next(ticket)


def refresh_next(ticket: Ticket) -> None:
    """The running target's due time and the moment it turns "due soon", kept on the row so that the queue sorts and
    filters by them with an index (no per-row arithmetic in SQL)."""
    running = None
    if ticket.is_open:
        running = ticket.response_due_at if ticket.first_response_at is None else ticket.resolution_due_at
    ticket.next_due_at = running
    if running is None:
        ticket.due_soon_at = None
        return
    window = (running - ticket.opened_at).total_seconds() - ticket.paused_seconds
    ticket.due_soon_at = running - dt.timedelta(seconds=max(0.0, window) * DUE_SOON_SHARE)


def _stop_clock(ticket: Ticket, now: dt.datetime) -> None:
    ticket.paused_since = now


def _restart_clock(ticket: Ticket, since: dt.datetime | None, now: dt.datetime) -> None:
    """The business time since `since` is added to the time paused, and the due times move later by it."""
    if since is not None:
        ticket.paused_seconds += business_seconds(calendar_of(ticket), since, now)
    ticket.paused_since = None
    refresh_due(ticket)


def on_status_change(ticket: Ticket, old: str, new: str, now: dt.datetime) -> None:
    """Pending stops both clocks; leaving Pending restarts them. A reopened ticket's resolution clock goes on from
    where it stopped at Resolved (the time in between counts as paused). Resolving records the business time taken."""
    if old == Status.PENDING and new != Status.PENDING:
        _restart_clock(ticket, ticket.paused_since, now)
    if new == Status.PENDING and old != Status.PENDING:
        _stop_clock(ticket, now)
    if old == Status.RESOLVED and new not in (Status.RESOLVED, Status.CLOSED):
        _restart_clock(ticket, ticket.resolved_at, now)
        ticket.resolution_seconds = None
    if new == Status.RESOLVED:
        ticket.resolution_seconds = _seconds_taken(ticket, now)


def after_status_change(ticket: Ticket) -> None:
    """Once the ticket's status and times are set: the running target may have changed (resolved, reopened)."""
    refresh_next(ticket)


def _seconds_taken(ticket: Ticket, until: dt.datetime) -> int:
    spent = business_seconds(calendar_of(ticket), ticket.opened_at, until) - ticket.paused_seconds
    return max(0, spent)


def mark_responded(ticket: Ticket, now: dt.datetime) -> bool:
    """The first note, status change or assignment by a person meets the response target. True when it did now."""
    if ticket.first_response_at is not None or not ticket.is_open:
        return False
    ticket.first_response_at = now
    ticket.response_seconds = business_seconds(calendar_of(ticket), ticket.opened_at, now)
    refresh_next(ticket)
    return True


# -- breaches --------------------------------------------------------------------------------------------------------
def overdue_targets(ticket: Ticket, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """(target, due) for each target passed without being met and not yet recorded. A paused ticket breaches
    nothing; a target met late counts (it breached at its due time)."""
    if ticket.status == Status.CANCELLED or ticket.paused_since is not None:
        return []
    found = []
    responded = ticket.first_response_at
    if ticket.response_due_at and not ticket.response_breached:
        if (responded is None and now > ticket.response_due_at and ticket.is_open) or (
            responded is not None and responded > ticket.response_due_at
        ):
            found.append((Target.RESPONSE, ticket.response_due_at))
    resolved = ticket.resolved_at
    if ticket.resolution_due_at and not ticket.resolution_breached:
        if (resolved is None and now > ticket.resolution_due_at and ticket.is_open) or (
            resolved is not None and resolved > ticket.resolution_due_at
        ):
            found.append((Target.RESOLUTION, ticket.resolution_due_at))
    return found


def record_breaches(ticket: Ticket, now: dt.datetime | None = None) -> list[Breach]:
    """Records the ticket's new breaches (once each: a unique constraint backs the flag) and sets its flags; the
    caller saves the ticket. A breach stays when the due time later moves."""
    now = now or timezone.now()
    made = []
    for target, due in overdue_targets(ticket, now):
        try:
            with transaction.atomic():
                made.append(Breach.objects.create(ticket=ticket, target=target, due=due, breached_at=now))
        except IntegrityError:
            pass  # recorded meanwhile by another process: the flag below still follows the row
        setattr(ticket, f"{target}_breached", True)
    return made


# -- what pages and the API show -------------------------------------------------------------------------------------
def target_state(ticket: Ticket, target: str) -> str:
    if getattr(ticket, f"{target}_breached"):
        return TargetState.BREACHED
    done = ticket.first_response_at if target == Target.RESPONSE else ticket.resolved_at
    return TargetState.MET if done is not None else TargetState.RUNNING


def minutes_left(ticket: Ticket, target: str, now: dt.datetime | None = None) -> float | None:
    """Business minutes until the target is due (negative when over), None without a running target."""
    due = ticket.response_due_at if target == Target.RESPONSE else ticket.resolution_due_at
    if due is None or target_state(ticket, target) == TargetState.MET or not ticket.is_open:
        return None
    now = now or timezone.now()
    if ticket.paused_since is not None:
        now = ticket.paused_since  # the clock stands still where it stopped
    calendar = calendar_of(ticket)
    if now <= due:
        return business_seconds(calendar, now, due) / 60
    return -business_seconds(calendar, due, now) / 60


def state(ticket: Ticket, now: dt.datetime | None = None) -> str:
    """One word for the ticket's clock: breached, paused, due_soon, on_time, met, or no_target."""
    if ticket.status == Status.CANCELLED or (ticket.response_due_at is None and ticket.resolution_due_at is None):
        return DueState.NO_TARGET
    if ticket.response_breached or ticket.resolution_breached:
        return DueState.BREACHED
    if not ticket.is_open:
        return DueState.MET
    if ticket.paused_since is not None:
        return DueState.PAUSED
    now = now or timezone.now()
    if ticket.next_due_at is None:
        return DueState.ON_TIME
    if now > ticket.next_due_at:
        return DueState.BREACHED  # passed, about to be recorded by the next escalation run or write
    if ticket.due_soon_at is not None and now >= ticket.due_soon_at:
        return DueState.DUE_SOON
    return DueState.ON_TIME


def state_filter(value: str, now: dt.datetime):
    """The Q matching tickets whose `state()` is `value` at `now` (for `?sla_state=` and the queue's filter)."""
    from django.db.models import Q

    flagged = Q(response_breached=True) | Q(resolution_breached=True)
    has_target = Q(response_due_at__isnull=False) | Q(resolution_due_at__isnull=False)
    open_ = Q(status__in=OPEN_STATUSES)
    running = open_ & has_target & ~flagged & Q(paused_since__isnull=True)
    return {
        DueState.BREACHED: has_target & ~Q(status=Status.CANCELLED) & (flagged | (running & Q(next_due_at__lt=now))),
        DueState.PAUSED: open_ & has_target & ~flagged & Q(paused_since__isnull=False),
        DueState.MET: has_target & ~open_ & ~flagged & ~Q(status=Status.CANCELLED),
        DueState.NO_TARGET: ~has_target | Q(status=Status.CANCELLED),
        DueState.DUE_SOON: running & Q(next_due_at__gte=now, due_soon_at__lte=now),
        DueState.ON_TIME: running & (Q(next_due_at__isnull=True) | Q(due_soon_at__gt=now)),
    }[value]


def summary(ticket: Ticket, now: dt.datetime | None = None) -> dict[str, Any]:
    """The `sla` object of the API and the ticket page's service level card."""
    level = ticket.service_level
    return {
        "calendar": level.calendar.name if level is not None and level.calendar_id else "24x7",
        "response_due": ticket.response_due_at,
        "resolution_due": ticket.resolution_due_at,
        "responded_at": ticket.first_response_at,
        "resolved_at": ticket.resolved_at,
        "response": target_state(ticket, Target.RESPONSE),
        "resolution": target_state(ticket, Target.RESOLUTION),
        "paused": ticket.paused_since is not None,
        "paused_seconds": ticket.paused_seconds,
        "state": state(ticket, now),
    }


def record_due_breaches(now: dt.datetime | None = None, *, limit: int = 5000) -> int:
    """Records every breach that has happened by now on open, running tickets (`run_escalations`). Each ticket is
    re-read under a lock, so two servers never record one breach twice."""
    from itsm.audit import mark

    now = now or timezone.now()
    from django.db.models import Q

    candidates = (
        Ticket.objects.filter(paused_since__isnull=True)
        .exclude(status__in=(Status.CANCELLED, Status.CLOSED, Status.RESOLVED))
        .filter(
            Q(response_breached=False, first_response_at__isnull=True, response_due_at__lt=now)
            | Q(resolution_breached=False, resolution_due_at__lt=now)
        )
        .values_list("pk", flat=True)[:limit]
    )
    count = 0
    for pk in list(candidates):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update(of=("self",)).select_related("service_level__calendar").get(pk=pk)
            made = record_breaches(ticket, now)
            if made:
                mark(ticket, user=None, reason="breach recorded: " + ", ".join(b.target for b in made))
                ticket.save(update_fields=["response_breached", "resolution_breached", "updated_at"])
                count += len(made)
    return count
