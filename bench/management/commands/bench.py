"""`manage.py bench`: in-process timings and query counts against their targets, then gunicorn under load.

Run it on a database filled by `manage.py seed_scale`; it prints a table and writes the same as JSON (var/bench.json).
`--scale 1m` measures the rows of bench.rows on a database of that many scale tickets instead, seeding it first when
it is empty (migrated here) and reusing it when it already holds exactly that many (`make bench SCALE=1000000` gives
it its own SQLite file, var/scale-1000000.sqlite3).
"""

from __future__ import annotations

import json
import os
import platform
import re
import sqlite3
import time
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from bench.measure import Subjects, build_cases, due_time_throughput, engine_throughput, get_cases, measure
from bench.progress import Progress
from bench.rows import SCALE_ROWS
from bench.scale import has_scale_data, seed_scale
from people.models import Person
from tickets.models import Ticket, TicketNote


def _machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory = f"{int(mem) / 1024 / 1024:.1f} GB"
    except (OSError, IndexError, ValueError):
        memory = ""
    load = os.getloadavg() if hasattr(os, "getloadavg") else ()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "load_average_at_start": [round(x, 2) for x in load],
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": connection.vendor,
        "sqlite": sqlite3.sqlite_version if connection.vendor == "sqlite" else None,
    }


def scale_size(text: str) -> int:
    """1000000, 1_000_000, 1m, 250k -> a number of tickets."""
    match = re.fullmatch(r"\s*([\d_,]+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not match:
        raise ValueError(f"{text!r} is not a number of tickets (e.g. 1000000, 1m, 250k)")
    number = float(match.group(1).replace("_", "").replace(",", ""))
    size = int(number * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()])
    if size < 1:
        raise ValueError("Give at least 1 ticket.")
    return size


# The benchmark's own writes (log a call, API create) add tickets with these titles; they are not scale data.
BENCH_TITLES = "Benchmark call"


def _fmt(value, pattern="{:.1f}") -> str:
    return "" if value is None else pattern.format(value)


class Command(BaseCommand):
    help = "Times the pages, API and services against their targets (table + var/bench.json), then load."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30, help="Timed runs per case after warm-up (default 30).")
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument(
            "--scale",
            type=scale_size,
            default=None,
            help="Measure the scale rows on this many tickets (1m, 250k, 1000000): seeds an empty database first "
            "(people: a tenth of the tickets), reuses one that holds exactly that many.",
        )
        parser.add_argument(
            "--load-seconds",
            type=float,
            default=None,
            help="Load test duration; 0 skips it (default 20, 0 with --scale).",
        )
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--engine-snapshots", type=int, default=10_000)
        parser.add_argument("--engine-runs", type=int, default=5)
        parser.add_argument(
            "--json",
            default=None,
            help="Default var/bench.json (var/bench-scale-<database>.json with --scale).",
        )
        parser.add_argument("--only", default="", help="Run only the cases whose name contains this text.")
        parser.add_argument("--markdown", action="store_true", help="Also print the README's Markdown table.")

    def handle(self, *args, **options):
        scale = options["scale"]
        if options["load_seconds"] is None:
            options["load_seconds"] = 0 if scale else 20
        if options["json"] is None:
            name = f"bench-scale-{connection.vendor}.json" if scale else "bench.json"
            options["json"] = str(Path(settings.BASE_DIR) / "var" / name)
        if scale:
            self._scale_data(scale)
        if not Ticket.objects.exists():
            raise CommandError("No tickets in this database: run `manage.py seed_scale` first.")
        report = {
            "machine": _machine(),
            "data": {
                "tickets": Ticket.objects.count(),
                "people": Person.objects.count(),
                "notes": TicketNote.objects.count(),
            },
            "runs": options["runs"],
            "scale": scale,
            "rows": [],
        }
        self.stdout.write(
            f"{report['data']['tickets']:,} tickets, {report['data']['people']:,} people on {connection.vendor}; "
            f"{options['runs']} runs per case after {options['warmup']} warm-up runs"
        )
        self.stdout.write(f"{'':58} {'median':>8} {'p90':>8} {'p95':>8} {'q':>4}  (ms, queries)")
        results, subjects = self._measure_all(options, scale)
        report["rows"] = [r.__dict__ for r in results]
        if options["load_seconds"] > 0:
            report["load"] = self._load(options, subjects)
        path = Path(options["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, default=str) + "\n")
        if options["markdown"]:
            from bench.report import markdown

            self.stdout.write(markdown(report))
        misses = [r.name for r in results if r.status in ("MISS", "ERROR")]
        self.stdout.write(f"Written {path}. " + (f"Missed or failed: {len(misses)}" if misses else "All targets met."))

    def _measure_all(self, options: dict, scale: int) -> tuple[list, Subjects]:
        results = []
        with override_settings(DEBUG=False):
            subjects = Subjects(full=not scale)
            cases = get_cases(subjects, SCALE_ROWS) if scale else build_cases(subjects)
            for case in cases:
                if options["only"] and options["only"].lower() not in case.name.lower():
                    continue
                result = measure(case, runs=options["runs"], warmup=options["warmup"])
                results.append(result)
                self._row(result)
            subjects.restore()
            if not scale and (not options["only"] or "engine" in options["only"].lower()):
                result = engine_throughput(snapshots=options["engine_snapshots"], runs=options["engine_runs"])
                results.append(result)
                self._row(result)
            if not scale and (not options["only"] or "due" in options["only"].lower()):
                result = due_time_throughput(runs=options["engine_runs"])
                results.append(result)
                self._row(result)
        return results, subjects

    def _load(self, options: dict, subjects: Subjects) -> dict:
        from bench.load import run_load

        self.stdout.write(f"Load: gunicorn, 2 workers, concurrency {options['concurrency']}, ...")
        load = run_load(
            user=subjects.user,
            token=subjects.token,
            seconds=options["load_seconds"],
            concurrency=options["concurrency"],
        )
        for t in load["targets"]:
            self.stdout.write(
                f"  {t['name']:<40} median {_fmt(t['median_ms'])} ms  p99 {_fmt(t['p99_ms'])} ms  "
                f"{_fmt(t['rps'])} req/s  errors {t['errors']}"
            )
        self.stdout.write(
            f"  workers' memory (MB, peak): {load['max_worker_rss_mb']}  total {load['total_rps']} req/s  "
            f"-> {load['status']}"
        )
        return load

    def _scale_data(self, size: int) -> None:
        """Migrates, then seeds `size` tickets into an empty database or checks that the scale data has that size."""
        call_command("migrate", verbosity=0, interactive=False)
        if has_scale_data():
            found = Ticket.objects.exclude(title__startswith=BENCH_TITLES).count()
            if found != size:
                raise CommandError(
                    f"This database holds {found:,} scale tickets, not {size:,}: point ITSM_SQLITE_PATH (or "
                    "DATABASE_URL) at another database (`make bench SCALE=n` uses var/scale-<n>.sqlite3)."
                )
            self.stdout.write(f"Reusing the {found:,} scale tickets of this database.")
            return
        if Ticket.objects.exists():
            raise CommandError(
                "This database holds tickets that are not scale data: measure the scale on a database of its own "
                "(ITSM_SQLITE_PATH or DATABASE_URL)."
            )

        def write(text: str) -> None:
            self.stdout.write(text, ending="")
            self.stdout.flush()

        started = time.perf_counter()
        people = max(200, size // 10)
        self.stdout.write(f"Seeding {size:,} tickets and {people:,} people (seed_scale)...")
        seed_scale(tickets=size, people=people, progress=Progress(write, tty=self.stdout.isatty()))
        self.stdout.write(f"Seeded in {time.perf_counter() - started:.0f} s.")

    def _row(self, r) -> None:
        target = []
        if r.target_ms is not None:
            target.append(f"<= {r.target_ms:g} ms")
        if r.max_queries is not None:
            target.append(f"<= {r.max_queries} q")
        style = {"OK": self.style.SUCCESS, "MISS": self.style.WARNING, "ERROR": self.style.ERROR}.get(
            r.status, lambda s: s
        )
        line = (
            f"{r.name[:58]:<58} {_fmt(r.median_ms):>8} {_fmt(r.p90_ms):>8} {_fmt(r.p95_ms):>8} "
            f"{_fmt(r.queries, '{}'):>4}  "
            f"{', '.join(target):<20} {r.status:<5} {r.error or r.note}"
        )
        self.stdout.write(style(line))
