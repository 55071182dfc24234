"""Reads of the outbox: what is due, and whether delivery is stuck."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from outbox.models import Message

# Pending this long means the sender is not running or the mail server refuses everything.
STUCK_AFTER = dt.timedelta(hours=1)


def due_messages(now: dt.datetime):
    return Message.objects.filter(status=Message.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def stuck_problem() -> str | None:
    """For the health endpoint: None while mail flows."""
    old = Message.objects.filter(status=Message.Status.PENDING, created_at__lt=timezone.now() - STUCK_AFTER).count()
    if old:
        return f"{old} message(s) pending for over an hour: is `manage.py send_outbox` running, is the mail server up?"
    return None
