"""Reminders for account owners: reviews, next contacts and follow-up tasks of their service instances that are
overdue or due within REMINDER_DAYS. Shown on the Reports page; `manage.py send_reminders` mails each owner theirs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from services.models import ServiceInstance, Task

REMINDER_DAYS = 14


def reminders(*, owner: Any = None, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Soonest first: {"kind", "what", "due", "overdue", "instance", "owner_email"}; all owners when `owner` is None."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=REMINDER_DAYS)
    instances = ServiceInstance.objects.exclude(status=ServiceInstance.Status.RETIRED).select_related("owner")
    if owner is not None:
        instances = instances.filter(owner=owner)
    found = []
    for instance in instances.filter(Q(review_date__lte=horizon) | Q(next_contact_date__lte=horizon)):
        for kind, due in (("Service review", instance.review_date), ("Next contact", instance.next_contact_date)):
            if due and due <= horizon:
                found.append(_item(kind, instance.title, due, today, instance))
    tasks = Task.objects.filter(status=Task.Status.OPEN, due_date__lte=horizon, service_instance__in=instances)
    for task in tasks.select_related("service_instance__owner"):
        found.append(_item("Task", task.title, task.due_date, today, task.service_instance))
    return sorted(found, key=lambda r: (r["due"], r["kind"]))


def _item(kind: str, what: str, due: dt.date, today: dt.date, instance) -> dict[str, Any]:
    return {
        "kind": kind,
        "what": what,
        "due": due,
        "overdue": due < today,
        "instance": instance,
        "owner_email": instance.owner.email if instance.owner_id and instance.owner else "",
    }
