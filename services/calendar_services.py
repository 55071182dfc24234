"""Writes on calendars: the calendar and its hours and holidays in one explained, audited transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from itsm.audit import clean_reason
from itsm.services import record_create, record_delete, record_update
from services.business_time import check_intervals
from services.models import Calendar, CalendarHoliday, CalendarHours

Hours = Iterable[tuple[int, int, int]]  # (weekday 0-6, start minute, end minute)
Holidays = Iterable[tuple[dt.date, str]]


def _check(hours: list[tuple[int, int, int]] | None, holidays: list[tuple[dt.date, str]] | None) -> None:
    errors: dict[str, list[str]] = {}
    if hours is not None:
        problems = check_intervals(hours)
        if problems:
            errors["hours"] = problems
        elif not hours:
            errors["hours"] = ["A calendar needs working hours on at least one day (no calendar means 24x7)."]
    if holidays is not None:
        seen: set[dt.date] = set()
        for day, name in holidays:
            if day in seen:
                errors.setdefault("holidays", []).append(f"{day:%Y-%m-%d} is listed twice.")
            if not (name or "").strip():
                errors.setdefault("holidays", []).append(f"{day:%Y-%m-%d} needs a name.")
            seen.add(day)
    if errors:
        raise ValidationError(errors)


def _replace_rows(calendar: Calendar, *, user: Any, reason: str, hours, holidays) -> None:
    """Rows that stay are kept; the others are deleted or created, each with its history row and the reason."""
    if hours is not None:
        wanted = {(w, s, e) for w, s, e in hours}
        for row in calendar.hours.all():
            key = (row.weekday, row.start, row.end)
            if key in wanted:
                wanted.discard(key)
            else:
                record_delete(row, user=user, change_reason=reason)
        for weekday, start, end in sorted(wanted):
            record_create(
                CalendarHours, user=user, change_reason=reason, calendar=calendar, weekday=weekday, start=start, end=end
            )
    if holidays is not None:
        wanted_days = {day: name.strip() for day, name in holidays}
        for row in calendar.holidays.all():
            if row.date not in wanted_days:
                record_delete(row, user=user, change_reason=reason)
            elif wanted_days[row.date] != row.name:
                record_update(row, user=user, change_reason=reason, name=wanted_days.pop(row.date))
            else:
                wanted_days.pop(row.date)
        for day, name in sorted(wanted_days.items()):
            record_create(CalendarHoliday, user=user, change_reason=reason, calendar=calendar, date=day, name=name)


@transaction.atomic
def calendar_create(
    *, user: Any, change_reason: str | None, hours: Hours = (), holidays: Holidays = (), **fields: Any
) -> Calendar:
    hours, holidays = list(hours), list(holidays)
    _check(hours, holidays)
    calendar = record_create(Calendar, user=user, change_reason=change_reason, **fields)
    _replace_rows(calendar, user=user, reason=clean_reason(change_reason), hours=hours, holidays=holidays)
    return calendar


@transaction.atomic
def calendar_update(
    calendar: Calendar,
    *,
    user: Any,
    change_reason: str | None,
    hours: Hours | None = None,
    holidays: Holidays | None = None,
    **fields: Any,
) -> Calendar:
    hours = list(hours) if hours is not None else None
    holidays = list(holidays) if holidays is not None else None
    _check(hours, holidays)
    _replace_rows(calendar, user=user, reason=clean_reason(change_reason), hours=hours, holidays=holidays)
    # Saved even when only rows changed: `updated_at` tells every process to compile the calendar again.
    return record_update(calendar, user=user, change_reason=change_reason, **fields)


def calendar_delete(calendar: Calendar, *, user: Any, change_reason: str | None) -> None:
    record_delete(calendar, user=user, change_reason=change_reason)


# -- service reviews ---------------------------------------------------------------------------------------------------
@transaction.atomic
def service_review_create(
    *,
    user: Any,
    change_reason: str | None,
    service_instance: Any,
    attendees: Iterable[Any] = (),
    actions: Iterable[str] = (),
    **fields: Any,
):
    """Records a review; its agreed actions become tasks on the instance and its next review date becomes the
    instance's, all with history and the same reason."""
    from services import services as instance_services
    from services.models import ServiceReview, Task

    review = record_create(
        ServiceReview,
        user=user,
        change_reason=change_reason,
        service_instance=service_instance,
        attendees=list(attendees),
        **fields,
    )
    for title in [a.strip() for a in actions if a and a.strip()]:
        record_create(
            Task,
            user=user,
            change_reason=change_reason,
            service_instance=service_instance,
            title=title[:200],
            due_date=review.next_review_date,
        )
    if review.next_review_date and service_instance.review_date != review.next_review_date:
        instance_services.service_instance_update(
            service_instance, user=user, change_reason=change_reason, review_date=review.next_review_date
        )
    return review


def service_review_update(review, *, user: Any, change_reason: str | None, **fields: Any):
    fields.pop("actions", None)
    return record_update(review, user=user, change_reason=change_reason, **fields)


def service_review_delete(review, *, user: Any, change_reason: str | None) -> None:
    record_delete(review, user=user, change_reason=change_reason)
