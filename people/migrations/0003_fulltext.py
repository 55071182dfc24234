"""Full-text index on people, kept by the database: SQLite FTS5 over a view with triggers, PostgreSQL a stored
generated tsvector column with a GIN index. Bulk inserts need nothing extra."""

from django.db import migrations

from itsm.fulltext import pg_generated_index, sqlite_index, vendor_sql
from people.search import PERSON_INDEX, PG_PARTS, SQLITE_SOURCE, WATCHED

sqlite_forward, sqlite_reverse = sqlite_index(PERSON_INDEX, source=SQLITE_SOURCE, watched=WATCHED)
pg_forward, pg_reverse = pg_generated_index(PERSON_INDEX, parts=PG_PARTS)


class Migration(migrations.Migration):
    dependencies = [
        ("itsm", "0001_fulltext"),
        ("people", "0002_confidential_and_grant_permissions"),
    ]

    operations = [
        vendor_sql({"sqlite": sqlite_forward, "postgresql": pg_forward}, {"sqlite": sqlite_reverse, "postgresql": pg_reverse}),
    ]
