"""In-process measurements: each case runs through the full middleware stack (django.test.Client) or the service.

A case is warmed up, then timed `runs` times without capturing queries; one more run captures the queries, so the
count does not slow the timed runs. Writes (logging a call, API create, VIP move) are real and committed, like in
production: each run adds a ticket titled "Benchmark call" (or moves the VIP status back and forth).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from people.models import Person
from services.models import CustomerGroup, ServiceInstance
from services.selectors import effective_members
from tickets.choices import OPEN_STATUSES, Status
from tickets.models import Ticket
from tickets.selectors import VERSION_BUCKET_SECONDS, queue_version
from vip.models import VipStatus
from workflow import bench as workflow_bench

BENCH_USER = "bench"
REASON = "Benchmark"


@dataclass
class Case:
    name: str
    fn: Callable[[], Any]
    target_ms: float | None = None
    max_queries: int | None = None
    runs: int | None = None  # None: the command's --runs
    note: str = ""
    check: Callable[[list[str]], str] | None = None  # given the captured SQL, returns a problem or ""


@dataclass
class Result:
    name: str
    runs: int = 0
    median_ms: float | None = None
    p90_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    target_ms: float | None = None
    max_queries: int | None = None
    status: str = ""  # OK, MISS, or "-" when the issue sets no target
    note: str = ""
    error: str = ""
    extra: dict = field(default_factory=dict)


def bench_user():
    user_model = get_user_model()
    user = user_model.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = user_model.objects.create_superuser(BENCH_USER, email="bench@localhost", password=None)
    return user


class Subjects:
    """The rows the cases look at, picked from the scale data."""

    def __init__(self, *, full: bool = True) -> None:
        """`full=False`: only the user, token and ticket (the scale rows), without the counts over every person."""
        self.user = bench_user()
        # When the bench started (ISO 8601): a poll for changes since then finds nothing changed.
        self.started = timezone.now().isoformat()
        self.token = Token.objects.get_or_create(user=self.user)[0].key
        # The live queue's versions for the next hour (it moves every few minutes even when no ticket changes): a
        # poll sending them finds the queue unchanged however long the bench runs, as long as nothing is written.
        now = timezone.now()
        self.queue_versions = ", ".join(
            queue_version(now + dt.timedelta(seconds=VERSION_BUCKET_SECONDS * step)) for step in range(13)
        )
        open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES, service_instance__isnull=False)
        self.ticket = (
            open_tickets.filter(status=Status.IN_PROGRESS).order_by("-opened_at").first()
            or open_tickets.order_by("-opened_at").first()
            or Ticket.objects.order_by("-id").first()
        )
        if self.ticket is None:
            raise RuntimeError("No tickets: run `manage.py seed_scale` first.")
        self.vip_status = None
        if full:
            self._pages()

    def _pages(self) -> None:
        shown = VipStatus.objects.filter(show_on_tickets=True)
        # Calls are logged for the first VIP (the rules look at VIPs most); the person page shows another one, so
        # the benchmark's own tickets do not grow that page from run to run.
        self.caller = Person.objects.filter(vip_status__in=shown).order_by("id").first() or self.ticket.caller
        self.person = (
            Person.objects.filter(vip_status__in=shown)
            .exclude(pk=self.caller.pk)
            .annotate(n=Count("tickets"))
            .order_by("-n", "id")
            .first()
            or self.ticket.caller
        )
        self.instance = (
            ServiceInstance.objects.annotate(n=Count("tickets")).order_by("-n", "id").first()
            or self.ticket.service_instance
        )
        groups = CustomerGroup.objects.filter(kind=CustomerGroup.Kind.GROUPS).order_by("id")[:5]
        sized = [(len(effective_members(g)), g) for g in groups]
        if not sized:
            sized = [(len(effective_members(g)), g) for g in CustomerGroup.objects.order_by("id")[:5]]
        self.group_members, self.group = max(sized, key=lambda pair: (pair[0], -pair[1].pk))
        self.vip_status = VipStatus.objects.annotate(n=Count("people")).order_by("-n", "position").first()
        self.vip_holders = self.vip_status.n
        self.vip_position = self.vip_status.position
        self.vip_count = VipStatus.objects.count()
        self.caller_instance = (
            ServiceInstance.objects.filter(tickets__caller=self.caller).first() or self.ticket.service_instance
        )

    def restore(self) -> None:
        """Puts the moved VIP status back where it was (the move case toggles it between first and last)."""
        from vip.services import vip_status_move

        if self.vip_status is None:
            return
        status = VipStatus.objects.get(pk=self.vip_status.pk)
        if status.position != self.vip_position:
            vip_status_move(status, position=self.vip_position, user=self.user, change_reason=f"{REASON}: restored")


def _ok(response, *codes: int) -> None:
    if response.status_code not in (codes or (200,)):
        raise AssertionError(f"HTTP {response.status_code} for {response.request.get('PATH_INFO')}")


def get_cases(s: Subjects, rows) -> list[Case]:
    """Cases for declarative GET rows (bench.rows): names and paths filled from the subjects."""
    web = Client()
    web.force_login(s.user)
    api = Client(HTTP_AUTHORIZATION=f"Token {s.token}")
    context = vars(s)
    cases = []
    for row in rows:
        client = api if row.api else web
        path = row.path.format_map(context)
        params = {key: str(value).format_map(context) for key, value in row.params.items()}
        headers = {key: value.format_map(context) for key, value in row.headers.items()}

        def fn(client=client, path=path, params=params, headers=headers, status=row.status):
            _ok(client.get(path, params, headers=headers), status)

        cases.append(Case(row.name.format_map(context), fn, target_ms=row.target_ms, max_queries=row.max_queries))
    return cases


def build_cases(s: Subjects) -> list[Case]:
    web = Client()
    web.force_login(s.user)
    api = Client(HTTP_AUTHORIZATION=f"Token {s.token}")
    return [*_page_cases(s, _getter(web), _getter(api)), *_write_cases(s, api, _getter(api)), _vip_move_case(s)]


def _getter(client: Client) -> Callable[..., Callable[[], None]]:
    """A case's function: GET the URL with the parameters and insist on a 200."""

    def get(url: str, **params):
        def fn():
            _ok(client.get(url, params))

        return fn

    return get


def _page_cases(s: Subjects, page: Callable, api_get: Callable) -> list[Case]:
    cases = []
    for filters, label in (({}, "default"), ({"vip": "1"}, "VIP only"), ({"q": "printer"}, "search 'printer'")):
        for rows in (10, 25, 100):
            cases.append(
                Case(
                    f"Queue page, {rows} rows, {label}",
                    page("/tickets/", scope="all", per_page=rows, **filters),  # every open ticket, not "Mine"
                    target_ms=40 if rows == 25 and label == "default" else None,
                    max_queries=12,
                )
            )
    year = {"date_from": (timezone.localdate() - dt.timedelta(days=365)).isoformat()}
    cases += [
        Case(
            "Report: service level achievement, a year, by customer group (API)",
            api_get("/api/reports/service-levels/", group_by="customer_group", **year),
            target_ms=150,
        ),
        Case("Report: VIP load, a year (API)", api_get("/api/reports/vip-load/", **year), target_ms=150),
        Case(f"Ticket page ({s.ticket.number})", page(f"/tickets/{s.ticket.number}/"), target_ms=25),
        Case(f"Person page (VIP, {s.person.tickets.count()} tickets)", page(f"/people/{s.person.pk}/")),
        Case(
            f"Service instance page ({s.instance.tickets.count()} tickets)",
            page(f"/services/instances/{s.instance.pk}/"),
        ),
        Case(f"Customer group page ({s.group_members:,} effective members)", page(f"/services/groups/{s.group.pk}/")),
    ]
    return cases


def _write_cases(s: Subjects, api: Client, api_get: Callable) -> list[Case]:
    from tickets.services import ticket_create
    from workflow.models import Rule

    def log_call():
        ticket_create(
            user=s.user,
            change_reason=REASON,
            caller=s.caller,
            title="Benchmark call: cannot print to the building A printer",
            description="Logged by manage.py bench.",
            impact="medium",
            urgency="high",
            service_instance=s.caller_instance,
        )

    active_rules = Rule.objects.filter(active=True).count()
    cases = [
        Case(f"Log a call ({active_rules} active rules)", log_call, target_ms=50, max_queries=25),
        Case("API ticket list, 25 rows", api_get("/api/tickets/", limit=25), target_ms=40),
        Case("API ticket list, 100 rows", api_get("/api/tickets/", limit=100)),
        Case("API ticket detail", api_get(f"/api/tickets/{s.ticket.number}/")),
    ]

    def api_create():
        body = {
            "caller": s.caller.pk,
            "title": "Benchmark call through the API",
            "ticket_type": "request",
            "source": "api",
            "service_instance": s.caller_instance.pk if s.caller_instance else None,
            "change_reason": REASON,
        }
        _ok(api.post("/api/tickets/", body, content_type="application/json"), 201)

    return [*cases, Case("API create", api_create, target_ms=50)]


def _vip_move_case(s: Subjects) -> Case:
    from vip.services import vip_status_move

    positions = [1, s.vip_count]

    def vip_move():
        status = VipStatus.objects.get(pk=s.vip_status.pk)
        target = positions[0] if status.position != positions[0] else positions[1]
        vip_status_move(status, position=target, user=s.user, change_reason=REASON)

    def people_untouched(sql: list[str]) -> str:
        writes = [q for q in sql if q.lstrip().upper().startswith("UPDATE") and '"people_person"' in q]
        return f"{len(writes)} UPDATE on people_person" if writes else ""

    return Case(
        f"Move a VIP status held by {s.vip_holders:,} people",
        vip_move,
        target_ms=100,
        check=people_untouched,
        note="0 UPDATEs on people",
    )


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def measure(case: Case, *, runs: int, warmup: int) -> Result:
    runs = case.runs or runs
    result = Result(case.name, target_ms=case.target_ms, max_queries=case.max_queries, note=case.note)
    try:
        for _ in range(warmup):
            case.fn()
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            case.fn()
            samples.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            case.fn()
        sql = [q["sql"] for q in captured.captured_queries]
        result.runs = len(samples)
        result.median_ms = round(statistics.median(samples), 2)
        result.p90_ms = round(_percentile(samples, 0.9), 2)
        result.p95_ms = round(_percentile(samples, 0.95), 2)
        result.queries = len(sql)
        control = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")
        result.extra["queries_without_transaction_control"] = sum(
            1 for q in sql if not q.lstrip().upper().startswith(control)
        )
        problem = case.check(sql) if case.check else ""
    except Exception as error:  # a failing case is reported in its row, the others still run
        result.error = f"{type(error).__name__}: {error}"[:300]
        result.status = "ERROR"
        return result
    misses = []
    if case.target_ms is not None and result.median_ms > case.target_ms:
        misses.append(f"median {result.median_ms:.1f} > {case.target_ms:g} ms")
    if case.max_queries is not None and result.queries > case.max_queries:
        plain = result.extra["queries_without_transaction_control"]
        misses.append(f"{result.queries} > {case.max_queries} queries ({plain} without savepoints/commit)")
    if problem:
        misses.append(problem)
    if case.target_ms is None and case.max_queries is None and not case.check:
        result.status = "-"
    else:
        result.status = "MISS" if misses else "OK"
    if misses:
        result.note = "; ".join(misses)
    return result


def engine_throughput(*, snapshots: int, runs: int) -> Result:
    """The rules engine alone: `snapshots` ticket snapshots through every active rule, no database."""
    from workflow.models import Rule

    result = Result(f"Engine: {snapshots:,} snapshots x active rules")
    try:
        n_rules = max(Rule.objects.filter(active=True).count(), 200)
        workflow_bench.engine_throughput(n_snapshots=min(snapshots, 500), n_rules=n_rules)  # warm-up
        samples = [workflow_bench.engine_throughput(n_snapshots=snapshots, n_rules=n_rules) * 1000 for _ in range(runs)]
        result.name = f"Engine: {snapshots:,} snapshots x {n_rules} rules"
        result.runs = len(samples)
        result.median_ms = round(statistics.median(samples), 2)
        result.p90_ms = round(_percentile(samples, 0.9), 2)
        per = result.median_ms * 1000 / snapshots
        result.note = (
            f"{per:.0f} us per snapshot, {snapshots / result.median_ms * 1000:,.0f}/s (workflow.bench, no database)"
        )
        result.queries = 0
        result.status = "-"
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"[:300]
        result.status = "ERROR"
    return result


def due_time_throughput(*, computations: int = 100_000, runs: int = 3) -> Result:
    """Service level due times: `computations` additions of business minutes on an office-hours calendar (Berlin,
    German public holidays), no database. The target: 100,000 in under a second."""
    import holidays

    from services.business_time import BusinessCalendar

    result = Result(f"Due times: {computations:,} on office hours")
    try:
        public = holidays.country_holidays("DE")
        calendar = BusinessCalendar(
            time_zone="Europe/Berlin",
            hours={d: [(8 * 60, 17 * 60)] for d in range(5)},
            is_public_holiday=public.__contains__,
        )
        base = dt.datetime(2026, 1, 5, 7, 0, tzinfo=dt.UTC)
        starts = [base + dt.timedelta(minutes=(i * 37) % 525_600) for i in range(computations)]
        targets = (60, 240, 480, 960, 2880)
        samples = []
        for _ in range(runs):
            began = time.perf_counter()
            for i, start in enumerate(starts):
                calendar.add(start, targets[i % 5])
            samples.append((time.perf_counter() - began) * 1000)
        result.runs = len(samples)
        result.median_ms = round(statistics.median(samples), 2)
        result.p90_ms = round(_percentile(samples, 0.9), 2)
        result.queries = 0
        result.status = "ok" if result.median_ms < 1000 else "MISS"
        result.note = f"{result.median_ms * 1000 / computations:.1f} us each (target: 100,000 in < 1 s)"
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"[:300]
        result.status = "ERROR"
    return result
