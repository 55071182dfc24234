"""Small pieces of ticket display: priority chip, status, due state, relative due times."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

from tickets.choices import PRIORITY_LABELS, DueState, Status

register = template.Library()

DUE_CLASSES = {
    DueState.ON_TIME: "ok",
    DueState.DUE_SOON: "warn",
    # Breached is a solid chip: the loudest thing in its row.
    DueState.BREACHED: "danger solid",
    DueState.NO_TARGET: "",
    DueState.PAUSED: "paused",
    DueState.MET: "ok",
}
STATUS_CLASSES = {
    Status.NEW: "st-new",
    Status.ASSIGNED: "st-assigned",
    Status.IN_PROGRESS: "st-progress",
    Status.PENDING: "st-pending",
    Status.RESOLVED: "st-resolved",
    Status.CLOSED: "st-closed",
    Status.CANCELLED: "st-closed",
}


@register.simple_tag
def priority_chip(priority):
    if not priority:
        return ""
    return format_html(
        '<span class="prio p{}" title="Priority {} - {}">P{}</span>',
        priority,
        priority,
        PRIORITY_LABELS.get(priority, ""),
        priority,
    )


@register.simple_tag
def status_chip(ticket):
    return format_html(
        '<span class="status {}">{}</span>', STATUS_CLASSES.get(ticket.status, ""), ticket.get_status_display()
    )


@register.simple_tag
def due_chip(state, label=None):
    if state == DueState.NO_TARGET or not state:
        return format_html('<span class="muted" title="No service level target">{}</span>', "—")
    return format_html('<span class="badge {}">{}</span>', DUE_CLASSES.get(state, ""), label or DueState(state).label)


@register.simple_tag
def due_cell(ticket):
    """The due column of a list: the worse state, then the time of the target being raced now ("in 2 h", "3 h
    late"). When the state comes from the other target (a response missed while the resolution is still ahead), the
    time names its target ("resolve in 5 h"), so the cell never reads "Breached in 5 h"."""
    state = ticket.due_state
    if state == DueState.NO_TARGET or not state:
        return due_chip(state)
    title = f"Response: {DueState(ticket.response_state).label}; resolution: {DueState(ticket.resolution_state).label}"
    chip = format_html(
        '<span class="badge {}" title="{}">{}</span>', DUE_CLASSES.get(state, ""), title, DueState(state).label
    )
    due = ticket.next_due_at
    if state == DueState.PAUSED:
        return format_html('{} <span class="muted small">clock stopped</span>', chip)
    if due is None:
        return chip
    responding = ticket.first_response_at is None and due == ticket.response_due_at
    text = relative(due)
    racing = ticket.response_state if responding else ticket.resolution_state
    if racing != state:
        text = f"{'respond' if responding else 'resolve'} {text}"
    # The text counts down in the browser (static/tickets/countdown.js) from the due moment in `data-due`.
    return format_html(
        '{} <span class="muted small countdown" data-due="{}" data-prefix="{}" title="{} due {}">{}</span>',
        chip,
        due.isoformat(),
        f"{'respond' if responding else 'resolve'} " if racing != state else "",
        "Response" if responding else "Resolution",
        timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
        text,
    )


@register.filter
def stamp(value: dt.datetime | None) -> str:
    """Seconds since the epoch to the microsecond: the live queue's "changed since" marker of a row. Cheaper than
    `|date:'U.u'` (which formats through the local time zone), and the same on the page and in every poll."""
    return f"{value.timestamp():.6f}" if value else ""


@register.filter
def relative(value: dt.datetime | None) -> str:
    """'in 3 h', '45 min late', '2 d late'."""
    if not value:
        return ""
    seconds = int((value - timezone.now()).total_seconds())
    amount = abs(seconds)
    if amount < 3600:
        text = f"{max(1, amount // 60)} min"
    elif amount < 86400 * 2:
        text = f"{amount // 3600} h"
    else:
        text = f"{amount // 86400} d"
    return f"in {text}" if seconds >= 0 else f"{text} late"


@register.filter
def minutes(value) -> str:
    value = int(value or 0)
    if not value:
        return ""
    return f"{value} min" if value < 60 else f"{value // 60} h {value % 60:02d} min"
