"""Full-text index on tickets, kept by the database. One document per ticket: number and title (A), description (B)
and its notes joined in order (C).

SQLite: an FTS5 table whose external content is a view over the ticket and its notes; triggers on tickets and on
notes take a ticket's document out before a change (FTS5 reads it from the view while it still holds the old values)
and put it back after. PostgreSQL: a `search_vector` column filled by a trigger (a generated column cannot read the
notes), refreshed by a trigger on notes, with a GIN index. Bulk inserts need nothing extra on either."""

from django.db import migrations

from itsm.fulltext import pg_vector, sqlite_index, vendor_sql
from tickets.search import TICKET_INDEX

_NOTES = "SELECT group_concat(x.text, ' ') FROM (SELECT text FROM tickets_ticketnote n WHERE n.ticket_id = t.id ORDER BY n.id) x"
SQLITE_SOURCE = (
    f"SELECT t.id AS id, t.number AS number, t.title AS title, t.description AS description, "
    f"coalesce(({_NOTES}), '') AS notes FROM tickets_ticket t"
)
WATCHED = ("number", "title", "description")
_FTS = "tickets_ticket_fts"
_VIEW = "tickets_ticket_search_source"
_ADD = "INSERT INTO {fts}(rowid, number, title, description, notes) SELECT id, number, title, description, notes FROM {view} WHERE id = {{ticket}};".format(
    fts=_FTS, view=_VIEW
)
_DROP = f"DELETE FROM {_FTS} WHERE rowid = {{ticket}};"
_EXISTS = "EXISTS (SELECT 1 FROM tickets_ticket WHERE id = {ticket})"
_NOTE_CHANGED = "old.text IS NOT new.text OR old.ticket_id IS NOT new.ticket_id"
# A note re-indexes its ticket: out before the change (FTS5 reads the old document from the view), in after it.
SQLITE_NOTE_TRIGGERS = [
    f"CREATE TRIGGER tickets_ticketnote_fts_bi BEFORE INSERT ON tickets_ticketnote "
    f"WHEN {_EXISTS.format(ticket='new.ticket_id')} BEGIN {_DROP.format(ticket='new.ticket_id')} END",
    f"CREATE TRIGGER tickets_ticketnote_fts_ai AFTER INSERT ON tickets_ticketnote "
    f"BEGIN {_ADD.format(ticket='new.ticket_id')} END",
    f"CREATE TRIGGER tickets_ticketnote_fts_bu BEFORE UPDATE ON tickets_ticketnote WHEN {_NOTE_CHANGED} BEGIN "
    f"{_DROP.format(ticket='old.ticket_id')} "
    f"DELETE FROM {_FTS} WHERE rowid = new.ticket_id AND new.ticket_id IS NOT old.ticket_id "
    f"AND {_EXISTS.format(ticket='new.ticket_id')}; END",
    f"CREATE TRIGGER tickets_ticketnote_fts_au AFTER UPDATE ON tickets_ticketnote WHEN {_NOTE_CHANGED} BEGIN "
    f"{_ADD.format(ticket='old.ticket_id')} "
    f"{_ADD.format(ticket='new.ticket_id').rstrip(';')} AND new.ticket_id IS NOT old.ticket_id; END",
    # Deleting a ticket deletes its notes first: by then the ticket's document is gone, and stays gone.
    f"CREATE TRIGGER tickets_ticketnote_fts_bd BEFORE DELETE ON tickets_ticketnote "
    f"WHEN {_EXISTS.format(ticket='old.ticket_id')} BEGIN {_DROP.format(ticket='old.ticket_id')} END",
    f"CREATE TRIGGER tickets_ticketnote_fts_ad AFTER DELETE ON tickets_ticketnote "
    f"BEGIN {_ADD.format(ticket='old.ticket_id')} END",
]
SQLITE_NOTE_TRIGGERS_REVERSE = [
    f"DROP TRIGGER IF EXISTS tickets_ticketnote_fts_{suffix}" for suffix in ("bi", "ai", "bu", "au", "bd", "ad")
]

sqlite_forward, sqlite_reverse = sqlite_index(TICKET_INDEX, source=SQLITE_SOURCE, watched=WATCHED)
# The view must exist for the triggers to name it; the rebuild (last statement) indexes every existing ticket.
SQLITE_FORWARD = sqlite_forward[:-1] + SQLITE_NOTE_TRIGGERS + sqlite_forward[-1:]
SQLITE_REVERSE = SQLITE_NOTE_TRIGGERS_REVERSE + sqlite_reverse

_VECTOR = pg_vector((("$1 || ' ' || $2", "A"), ("$3", "B"), ("$4", "C")))
_PG_NOTES = "(SELECT string_agg(n.text, ' ' ORDER BY n.id) FROM tickets_ticketnote n WHERE n.ticket_id = {ticket})"
PG_FORWARD = [
    "ALTER TABLE tickets_ticket ADD COLUMN search_vector tsvector",
    "CREATE FUNCTION tickets_ticket_vector(text, text, text, text) RETURNS tsvector "
    f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {_VECTOR} $$",
    "CREATE FUNCTION tickets_ticket_search() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.search_vector := tickets_ticket_vector(NEW.number, NEW.title, NEW.description, "
    f"{_PG_NOTES.format(ticket='NEW.id')}); RETURN NEW; END $$",
    "CREATE TRIGGER tickets_ticket_search_bi BEFORE INSERT ON tickets_ticket "
    "FOR EACH ROW EXECUTE FUNCTION tickets_ticket_search()",
    "CREATE TRIGGER tickets_ticket_search_bu BEFORE UPDATE ON tickets_ticket FOR EACH ROW "
    "WHEN (OLD.number IS DISTINCT FROM NEW.number OR OLD.title IS DISTINCT FROM NEW.title "
    "OR OLD.description IS DISTINCT FROM NEW.description) EXECUTE FUNCTION tickets_ticket_search()",
    "CREATE FUNCTION tickets_ticket_refresh_vector(ticket bigint) RETURNS void LANGUAGE sql AS $$ "
    "UPDATE tickets_ticket t SET search_vector = tickets_ticket_vector(t.number, t.title, t.description, "
    f"{_PG_NOTES.format(ticket='t.id')}) WHERE t.id = ticket $$",
    "CREATE FUNCTION tickets_ticketnote_search() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP <> 'INSERT' THEN PERFORM tickets_ticket_refresh_vector(OLD.ticket_id); END IF; "
    "IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.ticket_id IS DISTINCT FROM OLD.ticket_id) THEN "
    "PERFORM tickets_ticket_refresh_vector(NEW.ticket_id); END IF; RETURN NULL; END $$",
    "CREATE TRIGGER tickets_ticketnote_search AFTER INSERT OR UPDATE OF text, ticket_id OR DELETE "
    "ON tickets_ticketnote FOR EACH ROW EXECUTE FUNCTION tickets_ticketnote_search()",
    "UPDATE tickets_ticket t SET search_vector = tickets_ticket_vector(t.number, t.title, t.description, "
    f"{_PG_NOTES.format(ticket='t.id')})",
    "CREATE INDEX tickets_ticket_search_idx ON tickets_ticket USING gin (search_vector)",
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS tickets_ticketnote_search ON tickets_ticketnote",
    "DROP FUNCTION IF EXISTS tickets_ticketnote_search()",
    "DROP FUNCTION IF EXISTS tickets_ticket_refresh_vector(bigint)",
    "DROP TRIGGER IF EXISTS tickets_ticket_search_bu ON tickets_ticket",
    "DROP TRIGGER IF EXISTS tickets_ticket_search_bi ON tickets_ticket",
    "DROP FUNCTION IF EXISTS tickets_ticket_search()",
    "DROP INDEX IF EXISTS tickets_ticket_search_idx",
    "ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS tickets_ticket_vector(text, text, text, text)",
]


class Migration(migrations.Migration):
    dependencies = [
        ("itsm", "0001_fulltext"),
        ("people", "0003_fulltext"),
        ("tickets", "0005_service_level_clock"),
    ]

    operations = [
        vendor_sql({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}, {"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
    ]
