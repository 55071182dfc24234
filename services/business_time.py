"""Business-time arithmetic: pure Python, no database. A `BusinessCalendar` knows the working hours per weekday (several
intervals a day, an interval may end at midnight), closed days (holidays) and its time zone; it adds business minutes
to a moment and counts the business seconds between two moments.

Working hours are wall-clock times in the calendar's zone, so a day the clocks change has one hour more or less of
business time when its hours span the change (a 24x7 calendar's Sunday of the spring change lasts 23 hours). All
arithmetic runs on POSIX timestamps over per-day intervals computed once and cached, which keeps a due-time
computation to a few microseconds (see `make bench`).

`None` as a calendar means 24x7 on real elapsed time (no calendar at all)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# A calendar closed this many days in a row (holidays) is treated as never open again (rather than looping for ever).
MAX_DAYS_SEARCHED = 3 * 366

Interval = tuple[int, int]  # minutes after local midnight, start < end <= 1440


class ClosedCalendar(ValueError):
    """The calendar has no working time at all: nothing can ever be due."""


class BusinessCalendar:
    def __init__(
        self,
        *,
        time_zone: str,
        hours: Mapping[int, Sequence[Interval]],
        holidays: Iterable[dt.date] = (),
        is_public_holiday: Callable[[dt.date], bool] | None = None,
    ) -> None:
        self.zone = ZoneInfo(time_zone)
        self.hours = {day: tuple(sorted(hours.get(day, ()))) for day in range(7)}
        self.holidays = frozenset(holidays)
        self.is_public_holiday = is_public_holiday
        self._days: dict[int, tuple[tuple[float, float], ...]] = {}
        if not any(self.hours.values()):
            raise ClosedCalendar("The calendar has no working hours on any day.")

    # -- the working intervals of one local day, as timestamps --------------------------------------------------------
    def is_closed_day(self, day: dt.date) -> bool:
        if day in self.holidays:
            return True
        return bool(self.is_public_holiday and self.is_public_holiday(day))

    def intervals(self, ordinal: int) -> tuple[tuple[float, float], ...]:
        found = self._days.get(ordinal)
        if found is None:
            day = dt.date.fromordinal(ordinal)
            if self.is_closed_day(day):
                found = ()
            else:
                found = tuple((self._at(day, start), self._at(day, end)) for start, end in self.hours[day.weekday()])
            self._days[ordinal] = found
        return found

    def _at(self, day: dt.date, minute: int) -> float:
        if minute >= MINUTES_PER_DAY:
            day, minute = day + dt.timedelta(days=1), minute - MINUTES_PER_DAY
        local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.zone)
        # A wall time skipped by a spring change (02:30) is read with the offset before the change, i.e. the moment
        # the clocks jumped past it; round trips through UTC make that explicit and consistent.
        return local.astimezone(dt.UTC).timestamp()

    def _ordinal(self, timestamp: float) -> int:
        return dt.datetime.fromtimestamp(timestamp, self.zone).date().toordinal()

    # -- arithmetic ----------------------------------------------------------------------------------------------------
    def add(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """The moment `minutes` business minutes after `start` (`start` itself, moved to the next opening, for 0)."""
        remaining = minutes * 60.0
        t = start.timestamp()
        ordinal = self._ordinal(t)
        closed_days = 0
        while closed_days < MAX_DAYS_SEARCHED:
            spans = self.intervals(ordinal)
            closed_days = closed_days + 1 if not spans else 0
            for begin, end in spans:
                if end <= t:
                    continue
                t = max(begin, t)
                available = end - t
                if remaining <= available and (remaining > 0 or t < end):
                    return dt.datetime.fromtimestamp(t + remaining, dt.UTC)
                remaining -= available
                t = end
            ordinal += 1
        raise ClosedCalendar(f"No working time within {MAX_DAYS_SEARCHED} days after {start.isoformat()}.")

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Business seconds in [start, end); 0 when end is not after start."""
        a, b = start.timestamp(), end.timestamp()
        if b <= a:
            return 0
        total = 0.0
        last = self._ordinal(b)
        for ordinal in range(self._ordinal(a), last + 1):
            for begin, finish in self.intervals(ordinal):
                low, high = max(begin, a), min(finish, b)
                if high > low:
                    total += high - low
        return round(total)

    def is_open(self, moment: dt.datetime) -> bool:
        t = moment.timestamp()
        return any(begin <= t < end for begin, end in self.intervals(self._ordinal(t)))


# -- a calendar or 24x7 ---------------------------------------------------------------------------------------------
def add_minutes(calendar: BusinessCalendar | None, start: dt.datetime, minutes: float) -> dt.datetime:
    if calendar is None:
        return start + dt.timedelta(minutes=minutes)
    return calendar.add(start, minutes)


def business_seconds(calendar: BusinessCalendar | None, start: dt.datetime, end: dt.datetime) -> int:
    if calendar is None:
        return max(0, round((end - start).total_seconds()))
    return calendar.seconds_between(start, end)


def parse_hhmm(text: str, *, end: bool = False) -> int:
    """'08:30' -> 510; '24:00' is allowed as an end (midnight at the end of the day). ValueError when malformed."""
    hours, _, minutes = (text or "").partition(":")
    if not (hours.isascii() and hours.isdigit() and minutes.isascii() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"'{text}' is not a time of day: write HH:MM.")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > MINUTES_PER_DAY or (value == MINUTES_PER_DAY and not end):
        raise ValueError(f"'{text}' is not a time of day: write HH:MM between 00:00 and 24:00.")
    return value


def format_hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def check_intervals(intervals: Iterable[tuple[int, int, int]]) -> list[str]:
    """Problems with (weekday, start, end) rows: reversed or empty intervals, overlaps on one day."""
    problems = []
    by_day: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in intervals:
        if not 0 <= weekday <= 6:
            problems.append(f"Weekday {weekday} does not exist: use 0 (Monday) to 6 (Sunday).")
        elif end <= start:
            problems.append(f"{format_hhmm(start)}-{format_hhmm(end)}: the end must come after the start.")
        else:
            by_day.setdefault(weekday, []).append((start, end))
    for weekday, spans in sorted(by_day.items()):
        spans.sort()
        for (s1, e1), (s2, e2) in itertools.pairwise(spans):
            if s2 < e1:
                problems.append(
                    f"{WEEKDAYS[weekday]}: {format_hhmm(s1)}-{format_hhmm(e1)} overlaps "
                    f"{format_hhmm(s2)}-{format_hhmm(e2)}."
                )
    return problems


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
