"""The caller's VIP status, kept on each ticket by the database (`tickets_ticket.caller_vip_status_id`).

The queue sorts by the caller's VIP status and filters on it ("VIP callers only"). Read through the caller, no index on
tickets could serve either: at a million tickets every page looked up each open ticket's caller (40-160 ms). Kept on
the ticket, the status sits in the queue's covering indexes next to the status and priority. Triggers keep it: a
ticket takes its caller's status when it is written with a new caller, and a person's new status reaches all their
tickets in the same statement, so no write path (forms, API, admin, bulk loads) can leave it stale. It is not a
model field (Django would write the value it last read back over the database's); the expressions below read it.
What the status means (shown on tickets, its position) stays on the status itself, so reordering statuses or
changing what they show rewrites no ticket.
"""

from __future__ import annotations

from django.db import models

from itsm.conditions import TableCondition

COLUMN = "caller_vip_status_id"
# More than any position: statuses shown on tickets first, then the others, each by position.
_HIDDEN_STEP = 1_000_000


class ShownCallerVip(TableCondition):
    """True when the caller's VIP status is one shown on tickets (the "VIP callers only" filter): those `ids` when
    the caller read them already (the queue reads them with its version), else the statuses table.

    Read from the table, PostgreSQL plans the IN as a loop over the few statuses shown, each read from
    `ticket_risk_cover_idx`, as long as it knows the statuses table is small: the migration analyzes it and asks
    autovacuum to analyze it after every change (without statistics it would guess 145 statuses and scan every open
    ticket instead)."""

    def __init__(self, ids: tuple[int, ...] | None = None):
        super().__init__(COLUMN, None if ids is None else tuple(int(pk) for pk in ids))
        self.ids = self.key[1]

    def as_sql(self, compiler, connection):
        column = f"{self.table(compiler)}.{COLUMN}"
        if self.ids is None:
            return f"{column} IN (SELECT id FROM vip_vipstatus WHERE show_on_tickets)", []
        if not self.ids:
            return "1 = 0", []
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", list(self.ids)


class CallerVipOrder(models.Expression):
    """The queue's VIP sort key: statuses shown on tickets first, then by position (lower is first).

    PostgreSQL orders the statuses once (an array) and finds each ticket's place in it; SQLite looks the status up by
    its key per ticket. Same order on both."""

    output_field = models.IntegerField()

    def as_sql(self, compiler, connection):
        column = f"{TableCondition.table(compiler)}.{COLUMN}"
        if connection.vendor == "postgresql":
            statuses = "SELECT id FROM vip_vipstatus ORDER BY show_on_tickets DESC, position, id"
            return f"array_position(ARRAY({statuses}), {column})", []
        key = f"CASE WHEN s.show_on_tickets THEN 0 ELSE {_HIDDEN_STEP} END + s.position"
        return f"(SELECT {key} FROM vip_vipstatus s WHERE s.id = {column})", []


# -- DDL (migration tickets 0010) -----------------------------------------------------------------------------------
_LOOKUP = "(SELECT vip_status_id FROM people_person WHERE id = {caller})"

SQLITE_FORWARD = [
    f"ALTER TABLE tickets_ticket ADD COLUMN {COLUMN} integer NULL",
    # SQLite triggers cannot set NEW: the new row is updated right after it is written.
    f"CREATE TRIGGER tickets_ticket_caller_vip_ai AFTER INSERT ON tickets_ticket BEGIN "
    f"UPDATE tickets_ticket SET {COLUMN} = {_LOOKUP.format(caller='new.caller_id')} WHERE id = new.id; END",
    f"CREATE TRIGGER tickets_ticket_caller_vip_au AFTER UPDATE OF caller_id, {COLUMN} ON tickets_ticket "
    f"WHEN new.{COLUMN} IS NOT {_LOOKUP.format(caller='new.caller_id')} BEGIN "
    f"UPDATE tickets_ticket SET {COLUMN} = {_LOOKUP.format(caller='new.caller_id')} WHERE id = new.id; END",
    f"CREATE TRIGGER people_person_ticket_vip_au AFTER UPDATE OF vip_status_id ON people_person "
    f"WHEN old.vip_status_id IS NOT new.vip_status_id BEGIN "
    f"UPDATE tickets_ticket SET {COLUMN} = new.vip_status_id WHERE caller_id = new.id; END",
    f"UPDATE tickets_ticket SET {COLUMN} = {_LOOKUP.format(caller='tickets_ticket.caller_id')}",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS people_person_ticket_vip_au",
    "DROP TRIGGER IF EXISTS tickets_ticket_caller_vip_au",
    "DROP TRIGGER IF EXISTS tickets_ticket_caller_vip_ai",
    f"ALTER TABLE tickets_ticket DROP COLUMN {COLUMN}",
]

PG_FORWARD = [
    f"ALTER TABLE tickets_ticket ADD COLUMN {COLUMN} bigint NULL",
    "CREATE FUNCTION tickets_ticket_caller_vip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"NEW.{COLUMN} := {_LOOKUP.format(caller='NEW.caller_id')}; RETURN NEW; END $$",
    "CREATE TRIGGER tickets_ticket_caller_vip_bi BEFORE INSERT ON tickets_ticket "
    "FOR EACH ROW EXECUTE FUNCTION tickets_ticket_caller_vip()",
    f"CREATE TRIGGER tickets_ticket_caller_vip_bu BEFORE UPDATE OF caller_id, {COLUMN} ON tickets_ticket "
    f"FOR EACH ROW WHEN (OLD.caller_id IS DISTINCT FROM NEW.caller_id OR OLD.{COLUMN} IS DISTINCT FROM NEW.{COLUMN}) "
    "EXECUTE FUNCTION tickets_ticket_caller_vip()",
    "CREATE FUNCTION people_person_ticket_vip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"UPDATE tickets_ticket SET {COLUMN} = NEW.vip_status_id WHERE caller_id = NEW.id; RETURN NULL; END $$",
    "CREATE TRIGGER people_person_ticket_vip_au AFTER UPDATE OF vip_status_id ON people_person FOR EACH ROW "
    "WHEN (OLD.vip_status_id IS DISTINCT FROM NEW.vip_status_id) EXECUTE FUNCTION people_person_ticket_vip()",
    f"UPDATE tickets_ticket t SET {COLUMN} = p.vip_status_id FROM people_person p WHERE p.id = t.caller_id",
    # A handful of rows that change a few times a year: statistics after every change cost nothing.
    "ALTER TABLE vip_vipstatus SET (autovacuum_analyze_threshold = 1, autovacuum_analyze_scale_factor = 0)",
    "ANALYZE vip_vipstatus",
]
PG_REVERSE = [
    "ALTER TABLE vip_vipstatus RESET (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor)",
    "DROP TRIGGER IF EXISTS people_person_ticket_vip_au ON people_person",
    "DROP FUNCTION IF EXISTS people_person_ticket_vip()",
    "DROP TRIGGER IF EXISTS tickets_ticket_caller_vip_bu ON tickets_ticket",
    "DROP TRIGGER IF EXISTS tickets_ticket_caller_vip_bi ON tickets_ticket",
    "DROP FUNCTION IF EXISTS tickets_ticket_caller_vip()",
    f"ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS {COLUMN}",
]

# The queue's covering indexes (PostgreSQL needs the id in them to answer from the index alone; SQLite's rowid is
# in every index). The default queue: open statuses, one priority at a time, sorted by VIP status and age. The VIP
# queue and the At risk tab: open statuses and the VIP statuses shown, then what `selectors.at_risk()` reads. The
# caller in the first serves a search of the queue, which matches tickets by their caller too.
_QUEUE_COLUMNS = f"status, priority, {COLUMN}, opened_at, caller_id"
_RISK_COLUMNS = (
    f"status, {COLUMN}, priority, opened_at, due_soon_at, next_due_at, paused_since, response_breached, "
    "resolution_breached, response_due_at, resolution_due_at"
)


def index_sql(vendor: str) -> tuple[list[str], list[str]]:
    pk = ", id" if vendor == "postgresql" else ""
    forward = [
        f"CREATE INDEX ticket_queue_cover_idx ON tickets_ticket ({_QUEUE_COLUMNS}{pk})",
        f"CREATE INDEX ticket_risk_cover_idx ON tickets_ticket ({_RISK_COLUMNS}{pk})",
    ]
    reverse = ["DROP INDEX IF EXISTS ticket_risk_cover_idx", "DROP INDEX IF EXISTS ticket_queue_cover_idx"]
    return forward, reverse
