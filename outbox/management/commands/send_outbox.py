"""`manage.py send_outbox`: sends the outbox's due messages, retrying failures with backoff. Safe to run every minute
on every app server (rows are claimed under a lock); prints only what it did."""

from django.core.management.base import BaseCommand

from outbox.services import send_due


class Command(BaseCommand):
    help = "Sends pending outbox messages (notifications, reminders), retrying failed ones with backoff."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="most messages to send in this run")

    def handle(self, *args, limit: int, **options):
        sent, failed = send_due(limit=limit)
        if sent or failed:
            self.stdout.write(f"Outbox: {sent} sent, {failed} failed (will retry).")
