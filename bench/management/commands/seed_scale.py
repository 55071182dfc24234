"""`manage.py seed_scale --tickets 100000 --people 20000`: a large, realistic, deterministic data set."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from bench.progress import Progress
from bench.scale import ScaleDataExists, seed_scale


class Command(BaseCommand):
    help = (
        "Adds scale data (people, customer groups, instances, tickets with notes and history, active rules) in bulk. "
        "Deterministic for a seed and anchor day. Refuses to run twice on one database: seed a fresh one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=100_000)
        parser.add_argument("--people", type=int, default=20_000)
        parser.add_argument("--rules", type=int, default=200, help="Active workflow rules to add (default 200).")
        parser.add_argument("--seed", type=int, default=7, help="Random seed (default 7).")
        parser.add_argument(
            "--anchor",
            type=dt.date.fromisoformat,
            default=None,
            help="The day the data is 'now' for (YYYY-MM-DD, default today, UTC); open tickets are recent to it.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress lines, only the phases.")
        parser.add_argument(
            "--progress-every",
            type=float,
            default=10.0,
            help="Seconds between progress lines when the output is not a terminal (default 10).",
        )

    def handle(self, *args, **options):
        if options["tickets"] < 1 or options["people"] < 10:
            raise CommandError("Give at least 1 ticket and 10 people.")
        anchor = None
        if options["anchor"]:
            anchor = dt.datetime.combine(options["anchor"], dt.time(0, 0), tzinfo=dt.UTC)

        # The command's own stream (a terminal: one line updated in place; a file or pipe: a line every few seconds).
        def write(text: str) -> None:
            self.stdout.write(text, ending="")
            self.stdout.flush()

        progress = Progress(
            write, tty=self.stdout.isatty(), interval=options["progress_every"], bars=not options["no_progress"]
        )
        started = time.perf_counter()
        try:
            summary = seed_scale(
                tickets=options["tickets"],
                people=options["people"],
                rules=options["rules"],
                seed=options["seed"],
                anchor=anchor,
                progress=progress,
            )
        except ScaleDataExists as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{name} {count:,}" for name, count in summary.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Scale data in {time.perf_counter() - started:.0f} s: {counts}"))
