"""Evaluates the scheduled (escalation) rules over the open tickets; meant to run every minute from cron or a timer."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tickets.clock import record_due_breaches
from workflow import runs
from workflow.engine import vocabulary as vocab
from workflow.models import RuleFiring


class Command(BaseCommand):
    help = (
        "Record service level breaches that happened, then run the scheduled workflow rules (escalations). "
        "Idempotent: a scheduled rule fires once per ticket, a breach is recorded once. Safe to "
        "run every minute on several servers at once: each ticket is re-checked under a row lock, and a unique "
        "constraint on scheduled firings stops a second server from firing the same rule twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", default="", help="Username recorded as the editor (default: none).")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user '{options['user']}'.")
        started = timezone.now()
        # Breaches first, at the moment they are found: escalation rules may then act on them ("breached").
        breaches = record_due_breaches(started)
        if breaches:
            self.stdout.write(f"Recorded {breaches} service level breach(es).")
        report = runs.run_escalations(user=user)
        if not report.fired:
            if options["verbosity"] >= 2 or report.skipped:
                self.stdout.write(
                    f"Scanned {report.scanned} open tickets; nothing fired"
                    + (f" ({report.skipped} handled by another server)." if report.skipped else ".")
                )
            return
        firings = (
            RuleFiring.objects.filter(event=vocab.SCHEDULED, ticket__number__in=report.tickets, fired_at__gte=started)
            .select_related("ticket")
            .order_by("ticket__number", "rule_position")
        )
        for firing in firings:
            done = "; ".join(a["display"] for a in firing.actions if a.get("outcome") == "applied") or "nothing to do"
            self.stdout.write(f"{firing.ticket.number}: {firing.rule_label} -> {done}")
        self.stdout.write(
            f"Scanned {report.scanned} open tickets; fired {report.fired} rule(s) on {len(report.tickets)} ticket(s)"
            + (f"; {report.skipped} handled by another server." if report.skipped else ".")
        )
