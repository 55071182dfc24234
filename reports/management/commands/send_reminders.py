"""`manage.py send_reminders`: e-mails each account owner the reviews, contacts and tasks of their service instances
that are overdue or due within 14 days, through the outbox (sent by `send_outbox`). Meant for a daily cron; running
it twice in a day sends the list twice, so schedule it once a day."""

from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from outbox.services import enqueue
from reports.reminders import reminders


class Command(BaseCommand):
    help = "Queues each account owner's overdue and upcoming reviews, contacts and tasks as one e-mail."

    def handle(self, *args, **options):
        by_owner: dict[str, list[dict]] = defaultdict(list)
        for item in reminders():
            if item["owner_email"]:
                by_owner[item["owner_email"]].append(item)
        messages = []
        for email, items in sorted(by_owner.items()):
            lines = [
                f"- {i['due']:%Y-%m-%d}{' (overdue)' if i['overdue'] else ''}: {i['kind']} - {i['what']}"
                f" ({i['instance'].title})"
                for i in items
            ]
            body = "Your service relationships need attention:\n\n" + "\n".join(lines) + "\n"
            messages.append(
                (f"Service desk reminders: {len(items)} item(s)", body, settings.DEFAULT_FROM_EMAIL, [email])
            )
        with transaction.atomic():
            enqueue(messages, source="reminders")
        if messages:
            self.stdout.write(f"Reminders queued for {len(messages)} account owner(s).")
