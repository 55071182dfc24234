"""Indexes for the queue and the API list, measured at 100,000 tickets / 10,000 open on SQLite.

QUEUE_ORDER is (priority, VIP rank, VIP position, opened, id); the VIP keys come from the caller, so the selectors
count per priority and sort one priority at a time, ids first (tickets.selectors.QueueQuerySet). EXPLAIN QUERY PLAN:

ticket_queue_cover_idx (status, priority, opened_at, caller_id) replaces ticket_queue_idx (status, priority,
opened_at): the open queue's ids for one priority are read from the index alone, the ticket rows (with their text)
are never read for the sort. Before: "SEARCH tickets_ticket USING INDEX ticket_queue_idx (status=? AND priority=?)";
after: "SEARCH tickets_ticket USING COVERING INDEX ticket_queue_cover_idx (status=? AND priority=?)", then
"USE TEMP B-TREE FOR RIGHT PART OF ORDER BY" (only the VIP keys and age are sorted). The per-priority count:
"SEARCH tickets_ticket USING COVERING INDEX ticket_queue_cover_idx (status=?)". Status and type filters use its prefix.

ticket_priority_idx (priority, opened_at, caller_id): the API list has no status filter. Before: "SCAN tickets_ticket
USING INDEX ticket_queue_idx" (all 100,000 rows for every page); after: "SEARCH tickets_ticket USING COVERING INDEX
ticket_priority_idx (priority=?)" for the page's priority, and the per-priority count is
"SCAN tickets_ticket USING COVERING INDEX ticket_priority_idx" (no table rows).
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("services", "0001_initial"),
        ("tickets", "0002_itil_priority_matrix"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_queue_idx",
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["status", "priority", "opened_at", "caller"], name="ticket_queue_cover_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["priority", "opened_at", "caller"], name="ticket_priority_idx"),
        ),
    ]
