"""PostgreSQL: the words of the ticket search index, kept by the database, so a word typed as a prefix can be
expanded to the whole words it starts in ("print" -> print, printer, printers) before the index is searched.

For a prefix, PostgreSQL's GIN index collects every posting of every word starting with it into a bitmap before it
intersects the terms; for whole words it walks the posting lists side by side. At a million tickets a three-word
search ("cannot printer building") took 55-80 ms as prefixes and 28 ms as the same words whole. The lexicon is
appended to by statement triggers (one per statement, over its rows at once: a bulk load pays per chunk, not per
row) and never shrinks: a word no ticket holds any more expands to nothing that matches. SQLite's FTS5 index has
prefix indexes of its own and needs none of this."""

from django.db import migrations

from itsm.fulltext import vendor_sql

_ADD = (
    "INSERT INTO tickets_ticket_lexeme (word) SELECT DISTINCT unnest(tsvector_to_array(n.search_vector)) "
    "FROM new_rows n {where} ON CONFLICT DO NOTHING"
)
PG_FORWARD = [
    'CREATE TABLE tickets_ticket_lexeme (word text COLLATE "C" PRIMARY KEY)',
    "CREATE FUNCTION tickets_ticket_lexeme_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _ADD.format(where="WHERE n.search_vector IS NOT NULL")
    + "; RETURN NULL; END $$",
    "CREATE FUNCTION tickets_ticket_lexeme_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _ADD.format(
        where="JOIN old_rows o ON o.id = n.id WHERE n.search_vector IS DISTINCT FROM o.search_vector "
        "AND n.search_vector IS NOT NULL"
    )
    + "; RETURN NULL; END $$",
    "CREATE TRIGGER tickets_ticket_lexeme_ai AFTER INSERT ON tickets_ticket REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tickets_ticket_lexeme_insert()",
    "CREATE TRIGGER tickets_ticket_lexeme_au AFTER UPDATE ON tickets_ticket "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tickets_ticket_lexeme_update()",
    "INSERT INTO tickets_ticket_lexeme (word) SELECT DISTINCT unnest(tsvector_to_array(search_vector)) "
    "FROM tickets_ticket WHERE search_vector IS NOT NULL",
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS tickets_ticket_lexeme_au ON tickets_ticket",
    "DROP TRIGGER IF EXISTS tickets_ticket_lexeme_ai ON tickets_ticket",
    "DROP FUNCTION IF EXISTS tickets_ticket_lexeme_update()",
    "DROP FUNCTION IF EXISTS tickets_ticket_lexeme_insert()",
    "DROP TABLE IF EXISTS tickets_ticket_lexeme",
]


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_caller_vip_status"),
    ]

    operations = [
        vendor_sql({"postgresql": PG_FORWARD}, {"postgresql": PG_REVERSE}),
    ]
