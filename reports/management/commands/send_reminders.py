"""`manage.py send_reminders`: e-mails each account owner the reviews, contacts and tasks of their service instances
that are overdue or due within 14 days, through the outbox (sent by `send_outbox`). Meant for a daily cron; running
it again the same day queues nothing more (an owner gets one list a day), so it is safe to run from cron on every
app server."""

from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from outbox.models import Message
from outbox.services import enqueue
from reports.reminders import reminders

SOURCE = "reminders"


class Command(BaseCommand):
    help = "Queues each account owner's overdue and upcoming reviews, contacts and tasks as one e-mail."

    def handle(self, *args, **options):
        by_owner: dict[str, list[dict]] = defaultdict(list)
        for item in reminders():
            if item["owner_email"]:
                by_owner[item["owner_email"]].append(item)
        today = timezone.localdate()
        already = {
            recipient
            for recipients in Message.objects.filter(source=SOURCE, created_at__date=today).values_list(
                "recipients", flat=True
            )
            for recipient in recipients
        }
        messages = []
        for email, items in sorted(by_owner.items()):
            if email in already:
                continue
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
            enqueue(messages, source=SOURCE)
        if messages:
            self.stdout.write(f"Reminders queued for {len(messages)} account owner(s).")
