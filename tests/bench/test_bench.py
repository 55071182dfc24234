"""The benchmark cannot rot: seed_scale and `bench` run at a small scale, and the query budgets are pinned.

Timings are not asserted (they depend on the machine); every row must be present and none may fail. The budget for
logging a call with 200 rules (<= 25 queries) is pinned by the workflow tests (tests/workflow), not repeated here.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from bench.management.commands.bench import scale_size
from bench.measure import bench_user
from bench.rows import SCALE_ROWS
from bench.scale import ScaleDataExists, seed_scale
from tickets import selectors
from tickets.models import Ticket, TicketCounter
from vip.models import VipStatus
from vip.services import vip_status_move

EXPECTED_ROWS = [
    "Queue page, 10 rows, default",
    "Queue page, 25 rows, default",
    "Queue page, 100 rows, default",
    "Queue page, 10 rows, VIP only",
    "Queue page, 25 rows, VIP only",
    "Queue page, 100 rows, VIP only",
    "Queue page, 10 rows, search",
    "Queue page, 25 rows, search",
    "Queue page, 100 rows, search",
    "Ticket page",
    "Person page",
    "Service instance page",
    "Customer group page",
    "Log a call",
    "API ticket list, 25 rows",
    "API ticket list, 100 rows",
    "API ticket detail",
    "API create",
    "Move a VIP status held by",
    "Engine:",
    "Report: service level achievement, a year, by customer group (API)",
    "Report: VIP load, a year (API)",
    "Due times: 100,000 on office hours",
]


@pytest.fixture
def small_scale(db):
    return seed_scale(tickets=400, people=200, rules=0, seed=3)


@pytest.mark.django_db(transaction=True)
def test_make_bench_at_small_scale_reports_every_row_without_errors(tmp_path):
    seed_scale(tickets=1000, people=300, rules=200, seed=11)
    out = tmp_path / "bench.json"
    call_command(
        "bench",
        runs=2,
        warmup=1,
        load_seconds=2,
        concurrency=4,
        engine_snapshots=500,
        engine_runs=1,
        json=str(out),
        stdout=io.StringIO(),
    )
    report = json.loads(out.read_text())
    names = [row["name"] for row in report["rows"]]
    for expected in EXPECTED_ROWS:
        assert any(name.startswith(expected) for name in names), f"no row for {expected!r} in {names}"
    failed = {row["name"]: row["error"] for row in report["rows"] if row["status"] == "ERROR"}
    assert not failed
    for row in report["rows"]:
        assert row["runs"] >= 1 and row["median_ms"] is not None, row
    load = report["load"]
    assert load["errors"] == 0, load
    assert all(t["requests"] > 0 for t in load["targets"])
    assert load["max_worker_rss_mb"]


def test_seed_scale_is_consistent_and_refuses_a_second_run(small_scale):
    assert small_scale.counts["tickets"] == Ticket.objects.count() == 400
    # The counters end at the highest number of each type, so logging continues the sequence.
    for counter in TicketCounter.objects.all():
        highest = max(
            int(n[3:])
            for n in Ticket.objects.filter(number__startswith=counter.prefix).values_list("number", flat=True)
        )
        assert counter.last_number == highest
    ticket = Ticket.objects.filter(service_instance__service_level__isnull=False).first()
    response, _ = ticket.service_instance.service_level.target(ticket.priority)
    assert (ticket.response_due_at - ticket.opened_at).total_seconds() == response * 60
    assert Ticket.history.filter(history_change_reason__startswith="seed_scale").count() >= 400
    with pytest.raises(ScaleDataExists):
        seed_scale(tickets=10, people=10, rules=0)


@pytest.mark.parametrize("params", [{}, {"vip": "1"}, {"q": "printer"}], ids=["default", "vip", "search"])
def test_queue_page_queries_stay_within_budget_at_10_25_and_100_rows(small_scale, client, params):
    client.force_login(bench_user())
    counts = {}
    for rows in (10, 25, 100):
        client.get("/tickets/", {"scope": "all", "per_page": rows, **params})  # a new page size is remembered once
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/tickets/", {"scope": "all", "per_page": rows, **params})
        assert response.status_code == 200
        counts[rows] = len(ctx.captured_queries)
    # The page itself, the saved-view tabs and the bulk bar: a fixed budget whatever the page size.
    assert max(counts.values()) <= 16, counts
    assert counts[10] == counts[100], counts


@pytest.mark.parametrize(
    "filters", [{}, {"state": "all"}, {"vip_only": True, "state": "all"}, {"search": "a", "state": "all"}]
)
@pytest.mark.parametrize("small_sort", [0, 2000], ids=["per-priority", "one-sort"])
def test_queue_sorted_one_priority_at_a_time_matches_one_sort(small_scale, filters, small_sort, monkeypatch):
    monkeypatch.setattr(selectors, "SMALL_SORT", small_sort)
    queue = selectors.ticket_queue(**filters)
    total = queue.count()
    assert total > 0
    expected = list(QuerySet.__getitem__(queue, slice(None)).values_list("pk", flat=True))
    assert len(expected) == total
    assert selectors.ticket_queue(**filters)[3:3] == []
    for start, stop in [(0, 10), (0, 25), (5, 105), (total - 7, total + 5), (0, total), (total + 3, total + 9)]:
        assert [t.pk for t in queue[max(start, 0) : stop]] == expected[max(start, 0) : stop]
        fresh = selectors.ticket_queue(**filters)  # sliced without counting first (always per priority)
        assert [t.pk for t in fresh[max(start, 0) : stop]] == expected[max(start, 0) : stop]


def test_api_list_in_queue_order_matches_one_sort(small_scale, api):
    expected = list(
        QuerySet.__getitem__(selectors.ticket_list().order_by(*selectors.QUEUE_ORDER), slice(None)).values_list(
            "number", flat=True
        )
    )
    page = api.get("/api/tickets/", {"limit": 100, "offset": 150}).json()
    assert [row["number"] for row in page["results"]] == expected[150:250]
    assert page["count"] == len(expected)


def test_moving_a_vip_status_never_rewrites_people(small_scale):
    status = VipStatus.objects.get(is_default=True)
    holders = status.people.count()
    assert holders > 100
    with CaptureQueriesContext(connection) as ctx:
        target = VipStatus.objects.count() if status.position == 1 else 1
        vip_status_move(status, position=target, user=None, change_reason="test")
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert writes and not [sql for sql in writes if '"people_person"' in sql or '"people_historicalperson"' in sql]


@pytest.mark.parametrize(
    "order",
    [
        ["opened_at", "id"],
        ["resolution_due_at", "priority", "id"],
        ["-vip_rank", "-caller__vip_status__position", "-priority", "-opened_at", "-id"],
        ["caller__last_name", "caller__first_name", "id"],
    ],
)
def test_queue_in_other_orders_loads_ids_first_in_the_same_order(small_scale, order):
    queue = selectors.ticket_queue(state="all").order_by(*order)
    expected = list(QuerySet.__getitem__(queue, slice(None)).values_list("pk", flat=True))
    for start, stop in [(0, 25), (30, 130), (len(expected) - 5, len(expected) + 5)]:
        assert [t.pk for t in selectors.ticket_queue(state="all").order_by(*order)[start:stop]] == expected[start:stop]


@pytest.mark.django_db(transaction=True)
def test_bench_at_a_scale_seeds_an_empty_database_once_then_reuses_it(tmp_path):
    out = tmp_path / "scale.json"
    options = {"runs": 2, "warmup": 1, "json": str(out)}
    first = io.StringIO()
    call_command("bench", scale=600, stdout=first, **options)
    assert "Seeding 600 tickets and 200 people" in first.getvalue()
    report = json.loads(out.read_text())
    assert report["scale"] == 600 and report["data"]["tickets"] == 600
    assert "load" not in report  # the load part only when asked for
    names = [row["name"] for row in report["rows"]]
    assert len(names) == len(SCALE_ROWS)
    for expected in (
        "Queue page, 25 rows, default",
        "Queue page, 25 rows, VIP only",
        "Ticket page (",
        "Search page, one word",
        "Search page, three words",
        "Search API, one word",
        "Search API, three words",
        "Live queue poll, nothing changed",
    ):
        assert any(name.startswith(expected) for name in names), names
    for row in report["rows"]:
        assert row["status"] in (("OK", "MISS") if row["target_ms"] else ("-",)), row
        assert row["median_ms"] is not None and row["p95_ms"] >= row["median_ms"] and row["queries"] > 0, row
    again = io.StringIO()
    call_command("bench", scale=600, stdout=again, **options)
    assert "Reusing the 600 scale tickets" in again.getvalue()
    assert Ticket.objects.count() == 600
    with pytest.raises(CommandError, match="holds 600 scale tickets, not 1,000"):
        call_command("bench", scale=1000, stdout=io.StringIO(), **options)


@pytest.mark.parametrize(
    ("text", "size"),
    [("1000000", 1_000_000), ("1m", 1_000_000), ("250k", 250_000), ("1_000", 1000), ("1.5M", 1_500_000)],
)
def test_scale_sizes_read_as_people_write_them(text, size):
    assert scale_size(text) == size


@pytest.mark.parametrize("text", ["", "a lot", "0", "-5", "1g"])
def test_a_scale_that_is_not_a_number_of_tickets_is_refused(text):
    with pytest.raises(ValueError):
        scale_size(text)
