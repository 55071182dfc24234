"""Helpers for business-hours calendars (the models are in services/models/calendars.py): the known time zones, and
`business_calendar()`, which compiles a calendar for services/business_time.py once per change and keeps it per
process."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from services.business_time import BusinessCalendar

if TYPE_CHECKING:
    from services.models.calendars import Calendar


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zones():
        raise ValidationError(f"'{value}' is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC).")


# -- compiled calendars --------------------------------------------------------------------------------------------
_compiled: dict[int, tuple[object, BusinessCalendar]] = {}


def business_calendar(calendar: Calendar | None) -> BusinessCalendar | None:
    """The arithmetic for a calendar, compiled once per change of it (its `updated_at`) and kept for the process."""
    if calendar is None:
        return None
    stamp = calendar.updated_at
    cached = _compiled.get(calendar.pk)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    hours: dict[int, list[tuple[int, int]]] = {}
    for row in calendar.hours.all():
        hours.setdefault(row.weekday, []).append((row.start, row.end))
    public = None
    if calendar.country:
        import holidays

        known = holidays.country_holidays(calendar.country, subdiv=calendar.subdivision or None)
        public = known.__contains__
    compiled = BusinessCalendar(
        time_zone=calendar.time_zone,
        hours=hours,
        holidays=[h.date for h in calendar.holidays.all()],
        is_public_holiday=public,
    )
    _compiled[calendar.pk] = (stamp, compiled)
    return compiled
