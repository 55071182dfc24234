"""The outbox: `enqueue` inside the transaction of the change, `send_due` from `manage.py send_outbox`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from outbox.models import Message
from outbox.selectors import due_messages

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Retry after 1, 2, 4, ... minutes, at most 4 hours apart: a mail server down for a day loses nothing.
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=4)


def enqueue(messages: Iterable[tuple[str, str, str | None, list[str]]], *, source: str = "") -> list[Message]:
    """Stores (subject, body, from, recipients) messages in the current transaction: if the change rolls back, so do
    they; if it commits, they will be sent. One insert whatever the number."""
    rows = [
        Message(
            subject=subject[:998],
            body=body,
            from_email=from_email or settings.DEFAULT_FROM_EMAIL,
            recipients=list(recipients),
            source=source[:100],
        )
        for subject, body, from_email, recipients in messages
        if recipients
    ]
    return Message.objects.bulk_create(rows) if rows else []


def backoff(attempts: int) -> dt.timedelta:
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _claim(now: dt.datetime, limit: int) -> list[Message]:
    """Takes due messages under a row lock, so two senders (cron on two servers) never send one message twice:
    SKIP LOCKED on PostgreSQL; on SQLite the IMMEDIATE transaction already serialises writers."""
    with transaction.atomic():
        rows = due_messages(now).order_by("created_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        claimed = list(rows[:limit])
        # Claimed rows move their next attempt on first, so a crash mid-send retries them later, not at once.
        Message.objects.filter(pk__in=[m.pk for m in claimed]).update(next_attempt_at=now + FIRST_RETRY)
    return claimed


def _deliver(message: Message, now: dt.datetime) -> bool:
    try:
        mail.EmailMessage(
            subject=message.subject, body=message.body, from_email=message.from_email, to=message.recipients
        ).send()
    except Exception as error:  # any failure of the mail server is retried, never raised
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = Message.Status.FAILED
            message.next_attempt_at = None
            log.error("Outbox message %s given up after %s attempts: %s", message.pk, message.attempts, error)
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        return False
    message.attempts += 1
    message.status = Message.Status.SENT
    message.sent_at = timezone.now()
    message.next_attempt_at = None
    message.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at"])
    return True


def send_due(*, now: dt.datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """Sends what is due; returns (sent, failed attempts)."""
    now = now or timezone.now()
    sent = failed = 0
    for message in _claim(now, limit):
        if _deliver(message, now):
            sent += 1
        else:
            failed += 1
    return sent, failed


def retry_now(messages: Iterable[Message]) -> int:
    """An operator's "send again": failed or waiting messages become due at once."""
    ids = [m.pk for m in messages if m.status != Message.Status.SENT]
    return Message.objects.filter(pk__in=ids).update(status=Message.Status.PENDING, next_attempt_at=None)
