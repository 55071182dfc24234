"""Full-text indexes on service instances, customer groups and configuration items, kept by the database: SQLite
FTS5 over views with triggers, PostgreSQL stored generated tsvector columns with GIN indexes."""

from django.db import migrations

from itsm.fulltext import pg_generated_index, sqlite_index, vendor_sql
from services.search import DEFINITIONS

forward: dict[str, list[str]] = {"sqlite": [], "postgresql": []}
reverse: dict[str, list[str]] = {"sqlite": [], "postgresql": []}
for index, source, parts, watched in DEFINITIONS:
    sqlite_forward, sqlite_reverse = sqlite_index(index, source=source, watched=watched)
    pg_forward, pg_reverse = pg_generated_index(index, parts=parts)
    forward["sqlite"] += sqlite_forward
    forward["postgresql"] += pg_forward
    reverse["sqlite"] = sqlite_reverse + reverse["sqlite"]
    reverse["postgresql"] = pg_reverse + reverse["postgresql"]


class Migration(migrations.Migration):
    dependencies = [
        ("itsm", "0001_fulltext"),
        ("services", "0003_service_reviews"),
    ]

    operations = [vendor_sql(forward, reverse)]
