"""`manage.py bench`: in-process timings and query counts against the targets of issue 7, then gunicorn under load.

Run it on a database filled by `manage.py seed_scale`; it prints a table and writes the same as JSON (var/bench.json).
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from bench.measure import Subjects, build_cases, due_time_throughput, engine_throughput, measure
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


def _fmt(value, pattern="{:.1f}") -> str:
    return "" if value is None else pattern.format(value)


class Command(BaseCommand):
    help = "Times the pages, API and services against the targets of issue 7 (table + var/bench.json), then load."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30, help="Timed runs per case after warm-up (default 30).")
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--load-seconds", type=float, default=20, help="Load test duration; 0 skips it.")
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--engine-snapshots", type=int, default=10_000)
        parser.add_argument("--engine-runs", type=int, default=5)
        parser.add_argument("--json", default=str(Path(settings.BASE_DIR) / "var" / "bench.json"))
        parser.add_argument("--only", default="", help="Run only the cases whose name contains this text.")
        parser.add_argument("--markdown", action="store_true", help="Also print the README's Markdown table.")

    def handle(self, *args, **options):
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
            "rows": [],
        }
        self.stdout.write(
            f"{report['data']['tickets']:,} tickets, {report['data']['people']:,} people on {connection.vendor}; "
            f"{options['runs']} runs per case after {options['warmup']} warm-up runs"
        )
        results = []
        with override_settings(DEBUG=False):
            subjects = Subjects()
            for case in build_cases(subjects):
                if options["only"] and options["only"].lower() not in case.name.lower():
                    continue
                result = measure(case, runs=options["runs"], warmup=options["warmup"])
                results.append(result)
                self._row(result)
            subjects.restore()
            if not options["only"] or "engine" in options["only"].lower():
                result = engine_throughput(snapshots=options["engine_snapshots"], runs=options["engine_runs"])
                results.append(result)
                self._row(result)
            if not options["only"] or "due" in options["only"].lower():
                result = due_time_throughput(runs=options["engine_runs"])
                results.append(result)
                self._row(result)
        report["rows"] = [r.__dict__ for r in results]
        if options["load_seconds"] > 0:
            from bench.load import run_load

            self.stdout.write(f"Load: gunicorn, 2 workers, concurrency {options['concurrency']}, ...")
            load = run_load(
                user=subjects.user,
                token=subjects.token,
                seconds=options["load_seconds"],
                concurrency=options["concurrency"],
            )
            report["load"] = load
            for t in load["targets"]:
                self.stdout.write(
                    f"  {t['name']:<40} median {_fmt(t['median_ms'])} ms  p99 {_fmt(t['p99_ms'])} ms  "
                    f"{_fmt(t['rps'])} req/s  errors {t['errors']}"
                )
            self.stdout.write(
                f"  workers' memory (MB, peak): {load['max_worker_rss_mb']}  total {load['total_rps']} req/s  "
                f"-> {load['status']}"
            )
        path = Path(options["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, default=str) + "\n")
        if options["markdown"]:
            from bench.report import markdown

            self.stdout.write(markdown(report))
        misses = [r.name for r in results if r.status in ("MISS", "ERROR")]
        self.stdout.write(f"Written {path}. " + (f"Missed or failed: {len(misses)}" if misses else "All targets met."))

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
            f"{r.name[:58]:<58} {_fmt(r.median_ms):>8} {_fmt(r.p90_ms):>8} {_fmt(r.queries, '{}'):>4}  "
            f"{', '.join(target):<20} {r.status:<5} {r.error or r.note}"
        )
        self.stdout.write(style(line))
