"""Service level reports, counted in one grouped pass over the tickets opened in a period.

How each figure is counted (the pages say the same next to the numbers):
- tickets: tickets opened in the period (the dates are whole days in the server's time zone), cancelled included;
- response met / breached: a recorded response breach counts as breached (also when answered late); a response
  given without a breach is met; a ticket not answered yet and not breached is neither;
- resolution met / breached: the same for the resolution target;
- running: open tickets with a resolution target neither met nor breached yet;
- attainment: met / (met + breached), in percent with one decimal; none when nothing was measured;
- time to respond / resolve: business time from logged to the first response / to resolved, without time paused
  (median and 90th percentile);
- paused: business time spent Pending, summed.
Every ticket of the period counts once in exactly one row; the rows add up to the total."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from tickets.choices import OPEN_STATUSES, PRIORITY_LABELS, TicketType
from tickets.models import Ticket, TicketNote

GROUPS = {
    "customer_group": ("service_instance__customer_group_id", "service_instance__customer_group__name"),
    "service_instance": ("service_instance_id", "service_instance__title"),
    "service_level": ("service_level_id", "service_level__name"),
    "priority": ("priority", None),
    "team": ("team_id", "team__name"),
    "ticket_type": ("ticket_type", None),
    "vip_status": ("vip_status_at_open_id", "vip_status_at_open__name"),
}
DEFAULT_DAYS = 30

RESPONSE_MET = Q(first_response_at__isnull=False, response_breached=False)
RESOLUTION_MET = Q(resolved_at__isnull=False, resolution_breached=False)
RUNNING = Q(status__in=OPEN_STATUSES, resolution_due_at__isnull=False, resolution_breached=False)
# Aggregate names of their own (n_...): an alias equal to a column name (response_breached) confuses SQLite.
COUNTS = {
    "n_tickets": Count("pk"),
    "n_response_met": Count("pk", filter=RESPONSE_MET),
    "n_response_breached": Count("pk", filter=Q(response_breached=True)),
    "n_resolution_met": Count("pk", filter=RESOLUTION_MET),
    "n_resolution_breached": Count("pk", filter=Q(resolution_breached=True)),
    "n_running": Count("pk", filter=RUNNING),
    "n_paused": Coalesce(Sum("paused_seconds"), 0),
}
COLUMNS = ("tickets", "response_met", "response_breached", "resolution_met", "resolution_breached", "running")


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date_from, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min))

    @classmethod
    def default(cls) -> Period:
        today = timezone.localdate()
        return cls(today - dt.timedelta(days=DEFAULT_DAYS - 1), today)


def attainment(met: int, breached: int) -> float | None:
    measured = met + breached
    return round(100 * met / measured, 1) if measured else None


def tickets_in(
    period: Period,
    *,
    customer_group: int | None = None,
    service_instance: int | None = None,
    service_level: int | None = None,
    vip: bool | None = None,
) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(opened_at__gte=period.start, opened_at__lt=period.end)
    if customer_group:
        tickets = tickets.filter(service_instance__customer_group_id=customer_group)
    if service_instance:
        tickets = tickets.filter(service_instance_id=service_instance)
    if service_level:
        tickets = tickets.filter(service_level_id=service_level)
    if vip is not None:
        vip_q = Q(vip_status_at_open__show_on_tickets=True, vip_status_at_open__is_default=False)
        tickets = tickets.filter(vip_q) if vip else tickets.exclude(vip_q)
    return tickets


def _minutes(values: list[int]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p90": None}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * 9 // 10) - 1))]  # nearest-rank 90th percentile
    return {"median": round(statistics.median(ordered) / 60, 1), "p90": round(p90 / 60, 1)}


def _label(group_by: str, key: Any, name: Any) -> str:
    if key is None:
        return {"team": "No team", "service_level": "No service level", "vip_status": "Unknown"}.get(group_by, "None")
    if group_by == "priority":
        return f"P{key} {PRIORITY_LABELS.get(key, '')}".strip()
    if group_by == "ticket_type":
        return TicketType(key).label
    return str(name)


def _row(group_by: str, key: Any, name: Any, counts: dict, times: dict) -> dict[str, Any]:
    respond = _minutes(times.get("response", []))
    resolve = _minutes(times.get("resolution", []))
    return {
        "key": {"id": key, "name": _label(group_by, key, name)},
        **{k: counts[f"n_{k}"] for k in COLUMNS},
        "response_attainment": attainment(counts["n_response_met"], counts["n_response_breached"]),
        "resolution_attainment": attainment(counts["n_resolution_met"], counts["n_resolution_breached"]),
        "respond_median_minutes": respond["median"],
        "respond_p90_minutes": respond["p90"],
        "resolve_median_minutes": resolve["median"],
        "resolve_p90_minutes": resolve["p90"],
        "paused_minutes": round(counts["n_paused"] / 60, 1),
    }


def achievement(period: Period, *, group_by: str, **filters: Any) -> dict[str, Any]:
    """Rows per group and the total, in three queries whatever the number of tickets or groups."""
    field, name_field = GROUPS[group_by]
    tickets = tickets_in(period, **filters)
    columns = [field] + ([name_field] if name_field else [])
    grouped = list(tickets.values(*columns).annotate(**COUNTS).order_by(field))
    total_counts = tickets.aggregate(**COUNTS)
    times: dict[Any, dict[str, list[int]]] = {}
    everyone: dict[str, list[int]] = {"response": [], "resolution": []}
    for key, respond, resolve in tickets.values_list(field, "response_seconds", "resolution_seconds"):
        bucket = times.setdefault(key, {"response": [], "resolution": []})
        if respond is not None:
            bucket["response"].append(respond)
            everyone["response"].append(respond)
        if resolve is not None:
            bucket["resolution"].append(resolve)
            everyone["resolution"].append(resolve)
    rows = [
        _row(group_by, g[field], g.get(name_field) if name_field else None, g, times.get(g[field], {})) for g in grouped
    ]
    rows.sort(key=lambda r: (-r["tickets"], r["key"]["name"]))
    total = _row("total", "total", "All tickets", total_counts, everyone)
    total["key"] = {"id": None, "name": "All tickets"}
    return {
        "date_from": period.date_from,
        "date_to": period.date_to,
        "group_by": group_by,
        "rows": rows,
        "total": total,
        "weeks": weekly_trend(tickets),
    }


def _week(moment: dt.datetime) -> str:
    year, week, _ = timezone.localtime(moment).isocalendar()
    return f"{year}-W{week:02d}"


def weekly_trend(tickets: QuerySet[Ticket], *, split_vip: bool = False) -> list[dict[str, Any]]:
    """Attainment per ISO week of logging (one pass over the period's outcomes)."""
    weeks: dict[str, dict[str, list[int]]] = {}
    rows = tickets.values_list(
        "opened_at",
        "response_breached",
        "first_response_at",
        "resolution_breached",
        "resolved_at",
        "vip_status_at_open__show_on_tickets",
        "vip_status_at_open__is_default",
    )
    for opened, resp_b, responded, res_b, resolved, shown, default in rows:
        side = "vip" if split_vip and shown and not default else "other" if split_vip else "all"
        w = weeks.setdefault(_week(opened), {})
        counts = w.setdefault(side, [0, 0, 0, 0])  # response met, response breached, resolution met, breached
        counts[0] += int(responded is not None and not resp_b)
        counts[1] += int(resp_b)
        counts[2] += int(resolved is not None and not res_b)
        counts[3] += int(res_b)
    trend = []
    for week in sorted(weeks):
        sides = weeks[week]
        if split_vip:
            vip, other = sides.get("vip", [0, 0, 0, 0]), sides.get("other", [0, 0, 0, 0])
            trend.append(
                {
                    "week": week,
                    "vip_attainment": attainment(vip[2], vip[3]),
                    "other_attainment": attainment(other[2], other[3]),
                }
            )
        else:
            c = sides.get("all", [0, 0, 0, 0])
            trend.append(
                {
                    "week": week,
                    "response_attainment": attainment(c[0], c[1]),
                    "resolution_attainment": attainment(c[2], c[3]),
                }
            )
    return trend


def vip_load(period: Period, *, customer_group: int | None = None) -> dict[str, Any]:
    """Per VIP status at logging: tickets and their share, P1/P2, time worked (notes' time spent) and its share,
    resolution attainment; and VIP versus everyone else's attainment per week."""
    tickets = tickets_in(period, customer_group=customer_group)
    grouped = list(
        tickets.values(
            "vip_status_at_open_id",
            "vip_status_at_open__name",
            "vip_status_at_open__colour",
            "vip_status_at_open__position",
            "vip_status_at_open__show_on_tickets",
            "vip_status_at_open__is_default",
        )
        .annotate(
            n_tickets=Count("pk"),
            n_p1_p2=Count("pk", filter=Q(priority__lte=2)),
            n_resolution_met=Count("pk", filter=RESOLUTION_MET),
            n_resolution_breached=Count("pk", filter=Q(resolution_breached=True)),
        )
        .order_by(F("vip_status_at_open__position").asc(nulls_last=True))
    )
    worked = dict(
        TicketNote.objects.filter(ticket__in=tickets.values("pk"))
        .values("ticket__vip_status_at_open_id")
        .annotate(minutes=Coalesce(Sum("time_spent_minutes"), 0))
        .values_list("ticket__vip_status_at_open_id", "minutes")
    )
    all_tickets = sum(g["n_tickets"] for g in grouped)
    all_minutes = sum(worked.values())
    rows = []
    for g in grouped:
        status_id = g["vip_status_at_open_id"]
        minutes = worked.get(status_id, 0)
        rows.append(
            {
                "vip_status": {
                    "id": status_id,
                    "name": g["vip_status_at_open__name"] or "Unknown",
                    "colour": g["vip_status_at_open__colour"] or "#8c959f",
                    "show_on_tickets": bool(g["vip_status_at_open__show_on_tickets"]),
                    "is_default": bool(g["vip_status_at_open__is_default"]),
                },
                "tickets": g["n_tickets"],
                "share": round(100 * g["n_tickets"] / all_tickets, 1) if all_tickets else None,
                "p1_p2": g["n_p1_p2"],
                "time_worked_minutes": minutes,
                "time_worked_share": round(100 * minutes / all_minutes, 1) if all_minutes else None,
                "resolution_attainment": attainment(g["n_resolution_met"], g["n_resolution_breached"]),
            }
        )
    return {
        "date_from": period.date_from,
        "date_to": period.date_to,
        "customer_group": customer_group,
        "rows": rows,
        "weeks": weekly_trend(tickets, split_vip=True),
    }
