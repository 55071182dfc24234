"""The caller's VIP status on each ticket, kept by the database (see tickets/models/caller_vip.py), and the queue's
two covering indexes rebuilt around it.

At a million tickets (100,000 open) on PostgreSQL the default queue's first page sorted priority 1's 5,000 open
tickets by looking each caller up (39 ms for that query alone), and the VIP queue joined every person to find the
VIP callers (three queries of 27-44 ms). With the status on the ticket both read the covering indexes alone.
"""

from django.db import migrations

from itsm.fulltext import vendor_sql
from tickets.models import caller_vip

_SQLITE_INDEXES, _SQLITE_INDEXES_REVERSE = caller_vip.index_sql("sqlite")
_PG_INDEXES, _PG_INDEXES_REVERSE = caller_vip.index_sql("postgresql")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_fulltext"),
        ("tickets", "0009_risk_covering_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="ticket", name="ticket_queue_cover_idx"),
        migrations.RemoveIndex(model_name="ticket", name="ticket_risk_cover_idx"),
        vendor_sql(
            {"sqlite": caller_vip.SQLITE_FORWARD, "postgresql": caller_vip.PG_FORWARD},
            {"sqlite": caller_vip.SQLITE_REVERSE, "postgresql": caller_vip.PG_REVERSE},
        ),
        vendor_sql(
            {"sqlite": _SQLITE_INDEXES, "postgresql": _PG_INDEXES},
            {"sqlite": _SQLITE_INDEXES_REVERSE, "postgresql": _PG_INDEXES_REVERSE},
        ),
    ]
