"""Full-text search on both databases: one safe query from whatever a user typed, and one way to match and rank.

The index itself is kept by the database (SQLite: an external-content FTS5 table and triggers; PostgreSQL: a
`tsvector` column with a GIN index), created by each owning app's migrations with the DDL helpers at the bottom. Both
fold case and accents and split words at anything that is not a letter or digit, so `cafe` finds "Café" and
`pat` finds "pat@example.org". Every word must match (in any order, in any of the searched fields), as a prefix
once it has two characters (`print` finds "printer"). Ranking follows the same rule on both: each field carries a
weight letter, A (title, number, name) above B (description) above C (notes); SQLite ranks with bm25, PostgreSQL
with ts_rank, both with those weights, the best first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

from itsm.conditions import TableCondition
from itsm.counts import Total, explain_rows

# Enough for any real search, small enough that no query can grow without bound.
MAX_TERMS = 8
MAX_TERM_CHARS = 32
MAX_INPUT_CHARS = 500
# A one-letter prefix matches a large share of every index: one-character words match whole words only.
MIN_PREFIX_CHARS = 2

# Ranking reads each match's statistics (SQLite) or whole document (PostgreSQL): a word in 50,000 of a million
# tickets took 80 ms and 200 ms to rank. The newest RANK_WINDOW matches are ranked, best first; older ones follow
# newest first. Below that many matches the order is simply the best first.
RANK_WINDOW = 1000

# A prefix that starts more whole words than this is searched as a prefix (see FullTextIndex._expansions).
MAX_EXPANSIONS = 64

# The weight of each letter, the same on both databases (PostgreSQL's ts_rank array is {D, C, B, A}).
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}
PG_WEIGHTS = "{" + ", ".join(str(WEIGHTS[letter]) for letter in "DCBA") + "}"


@dataclass(frozen=True)
class SearchQuery:
    """The words of a search: lower-cased, letters and digits only, at most MAX_TERMS of at most MAX_TERM_CHARS."""

    terms: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __str__(self) -> str:
        return " ".join(self.terms)


def _word_char(char: str) -> bool:
    # Letters, digits, marks and private-use characters are words to SQLite's unicode61 tokenizer; everything else
    # (spaces, punctuation, FTS operators and quotes) separates words.
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Co"


def parse(text: object) -> SearchQuery:
    """The search in `text` (any object, any length): never raises, never yields an operator or a quote."""
    raw = unicodedata.normalize("NFC", str(text or "")[:MAX_INPUT_CHARS])
    terms: list[str] = []
    word: list[str] = []
    for char in raw + " ":
        if _word_char(char):
            word.append(char)
            continue
        if word:
            term = "".join(word).lower()[:MAX_TERM_CHARS]
            word = []
            # A word of marks alone folds to nothing: it would match nothing, or everything.
            if any(unicodedata.category(c)[0] in "LN" for c in term) and term not in terms:
                terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return SearchQuery(tuple(terms))


def _tsquery_literal(word: str) -> str:
    """A lexeme as tsquery text: quoted, quotes doubled and backslashes escaped, taken as it is (no parsing)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _is_prefix(term: str) -> bool:
    return len(term) >= MIN_PREFIX_CHARS


def fts5_match(query: SearchQuery, columns: Sequence[str] | None = None) -> str:
    """An FTS5 MATCH expression: every term as a quoted string (a prefix from two characters), optionally only in
    `columns`. Terms hold letters and digits only, so quoting cannot be broken out of."""
    scope = "{" + " ".join(columns) + "} : " if columns else ""
    return " AND ".join(f'{scope}"{term}"{"*" if _is_prefix(term) else ""}' for term in query.terms)


@dataclass(frozen=True)
class Field:
    """One indexed field: its column in the FTS5 table and its weight letter (PostgreSQL labels lexemes with it)."""

    name: str
    weight: str


@dataclass(frozen=True)
class FullTextIndex:
    """The full-text index of one model: `<table>_fts` on SQLite, `<table>.search_vector` on PostgreSQL."""

    table: str
    fields: tuple[Field, ...]
    pk: str = "id"
    # PostgreSQL: a table of the index's words (`word`), kept by the database, to expand prefixes with (see
    # `_expansions`); None searches prefixes as prefixes.
    lexicon: str | None = None

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"

    def _bm25_weights(self) -> str:
        return ", ".join(str(WEIGHTS[f.weight]) for f in self.fields)

    def _scoped(self, only: Sequence[str] | None) -> list[Field]:
        return [f for f in self.fields if only is None or f.name in only]

    def _pg_tsquery(
        self, query: SearchQuery, only: Sequence[str] | None, expansions: dict[str, list[str]] | None = None
    ) -> tuple[str, list[str]]:
        """to_tsquery per term, folded by the database like the documents were, joined with &&. A prefix term found
        in `expansions` becomes the whole words it starts (`'printer' | 'printers'`): the same matches, and GIN
        intersects whole words far faster than it collects prefixes."""
        letters = "".join(sorted({f.weight for f in self._scoped(only)})) if only is not None else ""
        parts, params = [], []
        for term in query.terms:
            words = (expansions or {}).get(term)
            if words:
                weights = f":{letters}" if letters else ""
                parts.append("%s::tsquery")
                params.append("(" + " | ".join(_tsquery_literal(word) + weights for word in words) + ")")
                continue
            suffix = ":" + ("*" if _is_prefix(term) else "") + letters
            parts.append("to_tsquery('simple', quote_literal(itsm_fold(%s)) || %s)")
            params += [term, "" if suffix == ":" else suffix]
        return "(" + " && ".join(parts) + ")", params

    def _expansions(self, cursor, query: SearchQuery) -> dict[str, list[str]]:
        """The whole words of the index each prefix term starts, from the lexicon (one query for all terms); a term
        that starts more than MAX_EXPANSIONS words, or none (it may fold to more than one word), stays a prefix."""
        prefixes = [term for term in query.terms if _is_prefix(term)]
        if self.lexicon is None or not prefixes:
            return {}
        cursor.execute(
            f"SELECT p, w.word FROM unnest(%s::text[]) p CROSS JOIN LATERAL (SELECT word FROM {self.lexicon} "
            f"WHERE word >= itsm_fold(p) AND word < itsm_fold(p) || chr(1114111) ORDER BY word "
            f"LIMIT {MAX_EXPANSIONS + 1}) w",
            [prefixes],
        )
        found: dict[str, list[str]] = {}
        for prefix, word in cursor.fetchall():
            found.setdefault(prefix, []).append(word)
        return {prefix: words for prefix, words in found.items() if len(words) <= MAX_EXPANSIONS}

    def _match_sql(
        self, query: SearchQuery, only: Sequence[str] | None, vendor: str, expansions: dict | None = None
    ) -> tuple[str, list]:
        """(FROM-and-WHERE clause, params) selecting the matching rows, as `id` and `rank` (lower is better). On
        PostgreSQL the rows are matched with the expanded terms and ranked with the terms as typed."""
        if vendor == "postgresql":
            ranking, rank_params = self._pg_tsquery(query, only)
            matching, match_params = self._pg_tsquery(query, only, expansions)
            sql = (
                f"SELECT t.{self.pk} AS id, -ts_rank('{PG_WEIGHTS}', t.search_vector, q.q) AS rank "
                f"FROM {self.table} t CROSS JOIN (SELECT {ranking} AS q) q WHERE t.search_vector @@ {matching}"
            )
            return sql, [*rank_params, *match_params]
        columns = [f.name for f in self._scoped(only)] if only is not None else None
        sql = (
            f"SELECT rowid AS id, bm25({self.fts_table}, {self._bm25_weights()}) AS rank "
            f"FROM {self.fts_table} WHERE {self.fts_table} MATCH %s"
        )
        return sql, [fts5_match(query, columns)]

    def filter(self, queryset: QuerySet, query: SearchQuery, *, only: Sequence[str] | None = None) -> QuerySet:
        """The rows of `queryset` that match every term (in the fields `only`, or all)."""
        if not query:
            return queryset
        return queryset.filter(Matches(self, query, only=only))

    def _newest_sql(
        self, query: SearchQuery, only: Sequence[str] | None, vendor: str, expansions: dict | None = None
    ) -> tuple[str, list]:
        """Like _match_sql, but only the RANK_WINDOW newest matches (highest ids), ranked. Both databases find them
        without ranking the others: FTS5 walks its doclists from the highest rowid down; PostgreSQL ranks the
        documents of those rows only (ts_rank reads the whole document, TOASTed for a ticket with notes)."""
        if vendor == "postgresql":
            ranking, rank_params = self._pg_tsquery(query, only)
            matching, match_params = self._pg_tsquery(query, only, expansions)
            newest = (
                f"SELECT t.{self.pk} AS id, t.search_vector FROM {self.table} t WHERE t.search_vector @@ {matching} "
                f"ORDER BY t.{self.pk} DESC LIMIT {RANK_WINDOW}"
            )
            sql = (
                f"SELECT c.id, -ts_rank('{PG_WEIGHTS}', c.search_vector, q.q) AS rank "
                f"FROM ({newest}) c CROSS JOIN (SELECT {ranking} AS q) q"
            )
            return sql, [*match_params, *rank_params]
        columns = [f.name for f in self._scoped(only)] if only is not None else None
        sql = (
            f"SELECT rowid AS id, bm25({self.fts_table}, {self._bm25_weights()}) AS rank "
            f"FROM {self.fts_table} WHERE {self.fts_table} MATCH %s ORDER BY rowid DESC LIMIT {RANK_WINDOW}"
        )
        return sql, [fts5_match(query, columns)]

    def ranked(
        self,
        query: SearchQuery,
        *,
        limit: int,
        offset: int = 0,
        only: Sequence[str] | None = None,
        using: str = "default",
    ) -> tuple[list[int], Total]:
        """The ids of `limit` matches from `offset`, and how many match. The order: the RANK_WINDOW newest matches
        best first (ties: newest first), then any older matches newest first. The count is exact up to
        RANK_WINDOW, read from the window itself; past it see `_beyond_window`."""
        if not query or limit <= 0:
            return [], Total(0, exact=True)
        connection = connections[using]
        expansions = {}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                expansions = self._expansions(cursor, query)
        sql, params = self._match_sql(query, only, connection.vendor, expansions)
        newest, newest_params = self._newest_sql(query, only, connection.vendor, expansions)
        if offset + limit <= RANK_WINDOW:
            page = (
                f"WITH n AS ({newest}) SELECT id, (SELECT count(*) FROM n) FROM n "
                f"ORDER BY rank, id DESC LIMIT %s OFFSET %s"
            )
            page_params = [*newest_params, limit, offset]
        else:
            # Deep pages: past the window, the older matches follow by age (their rank is not computed); a page
            # that reaches past the window means the window is full.
            skip = f"LIMIT -1 OFFSET {RANK_WINDOW}" if connection.vendor == "sqlite" else f"OFFSET {RANK_WINDOW}"
            older = f"SELECT id, 0 AS rank, 1 AS tier FROM ({sql}) o ORDER BY id DESC {skip}"
            ordered = f"SELECT id, rank, 0 AS tier FROM ({newest}) n UNION ALL SELECT * FROM ({older}) o2"
            page = f"SELECT id, {RANK_WINDOW} FROM ({ordered}) r ORDER BY tier, rank, id DESC LIMIT %s OFFSET %s"
            page_params = [*newest_params, *params, limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(page, page_params)
            rows = cursor.fetchall()
            if rows:
                in_window = rows[0][1]
            elif not offset:  # nothing matches: no count to read
                in_window = 0
            else:  # past the last page no row carries the count
                cursor.execute(f"SELECT count(*) FROM ({newest}) n", newest_params)
                in_window = cursor.fetchone()[0]
            if in_window < RANK_WINDOW:
                total = Total(in_window, exact=True)
            else:
                total = self._beyond_window(cursor, sql, params, connection.vendor)
        return [row[0] for row in rows], total

    @staticmethod
    def _beyond_window(cursor, sql: str, params: list, vendor: str) -> Total:
        """The count of more than RANK_WINDOW matches. SQLite counts them from the index (a common word in a million
        tickets: a few milliseconds). PostgreSQL would read every matching row (200 ms for 47,000), so it says its
        planner's estimate, or "1,000+" when the estimate is lower than what the window already holds."""
        if vendor != "postgresql":
            cursor.execute(f"SELECT count(*) FROM ({sql}) m", params)
            return Total(cursor.fetchone()[0], exact=True)
        estimate = explain_rows(cursor, f"SELECT id FROM ({sql}) m", params)
        if estimate > RANK_WINDOW:
            return Total(estimate, exact=False, estimated=True)
        return Total(RANK_WINDOW + 1, exact=False)


class Matches(TableCondition):
    """A search as a condition on a query's own table: its rows that match (`column=None`), or its rows whose
    `column` points at a matching row of the index's table (e.g. tickets whose caller matches the people index).

    PostgreSQL tests the row's own `search_vector`, and a key against `ANY(ARRAY(...))` of the matching rows, so the
    planner can combine the GIN index with the table's other indexes (a bitmap AND with the open statuses) instead
    of hashing every match first; SQLite reads the FTS5 table's matching rowids."""

    def __init__(self, index: FullTextIndex, query: SearchQuery, *, only=None, column: str | None = None):
        super().__init__(index, query, tuple(only) if only else None, column)
        self.index, self.query, self.only, self.column = self.key

    def as_sql(self, compiler, connection):
        alias = self.table(compiler)
        key = f"{alias}.{self.column or self.index.pk}"
        if connection.vendor == "postgresql":
            tsquery, params = self.index._pg_tsquery(self.query, self.only)
            if self.column is None:
                return f"{alias}.search_vector @@ {tsquery}", params
            matching = f"SELECT t.{self.index.pk} FROM {self.index.table} t WHERE t.search_vector @@ {tsquery}"
            return f"{key} = ANY(ARRAY({matching}))", params
        fts, columns = self.index.fts_table, [f.name for f in self.index._scoped(self.only)] if self.only else None
        # The rowids alone: ranking every match (bm25) would cost more than the match itself.
        return f"{key} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)", [fts5_match(self.query, columns)]


def in_order(queryset: QuerySet, ids: list[int]) -> list:
    """The rows of `queryset` with these ids, in the order of `ids` (one query)."""
    if not ids:
        return []
    rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


# -- DDL for the owning apps' migrations ---------------------------------------------------------------------------
# unicode61 with remove_diacritics 2 folds accents the way PostgreSQL's unaccent does for Latin scripts; prefix
# indexes of 2 and 3 characters keep the short prefixes of a type-ahead fast.
FTS5_OPTIONS = "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'"

# ASCII punctuation becomes a space before PostgreSQL's parser sees the text, so an e-mail address, a URL or a
# hyphenated word splits into words as in SQLite (the parser would otherwise keep "pat@example.org" whole).
# Lower case by ICU's root collation when the server has ICU (as Debian's and most builds do), so that Greek or
# Cyrillic capitals fold whatever locale the database was created with; otherwise by the database's own locale.
PG_FOLD_FUNCTION = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $do$
DECLARE
  schema_name text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent');
  case_collation text := CASE WHEN EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu')
                    THEN 'COLLATE "und-x-icu"' ELSE '' END;
BEGIN
  EXECUTE format($f$
    CREATE OR REPLACE FUNCTION itsm_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $body$
      SELECT lower(
        regexp_replace(%1$s.unaccent('%1$s.unaccent'::regdictionary, value), '[!-/:-@[-`{-~]+', ' ', 'g') %2$s
      )
    $body$
  $f$, schema_name, case_collation);
END
$do$;
"""
PG_FOLD_FUNCTION_REVERSE = "DROP FUNCTION IF EXISTS itsm_fold(text);"


def pg_vector(parts: Sequence[tuple[str, str]]) -> str:
    """A tsvector expression from (SQL text expression, weight letter) pairs."""
    return " || ".join(
        f"setweight(to_tsvector('simple'::regconfig, itsm_fold(coalesce({expression}, ''))), '{weight}')"
        for expression, weight in parts
    )


def sqlite_index(index: FullTextIndex, *, source: str, watched: Sequence[str]) -> tuple[list[str], list[str]]:
    """(forward, reverse) SQL for an FTS5 index whose content is the view `<table>_search_source` (`source` is its
    SELECT, with `id` and one column per field), kept by triggers on the model's table. Before a change the old
    document leaves the index (FTS5 reads it from the view while it still holds the old values); after the change
    the new one is added. Only a change of a `watched` column touches the index."""
    table, fts, view = index.table, index.fts_table, f"{index.table}_search_source"
    columns = ", ".join(f.name for f in index.fields)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in watched)
    add = f"INSERT INTO {fts}(rowid, {columns}) SELECT id, {columns} FROM {view} WHERE id = new.id;"
    forward = [
        f"CREATE VIEW {view} AS {source}",
        f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content = '{view}', content_rowid = 'id', {FTS5_OPTIONS})",
        f"CREATE TRIGGER {table}_fts_ai AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {table}_fts_bu BEFORE UPDATE ON {table} WHEN {changed} "
        f"BEGIN DELETE FROM {fts} WHERE rowid = old.id; END",
        f"CREATE TRIGGER {table}_fts_au AFTER UPDATE ON {table} WHEN {changed} BEGIN {add} END",
        f"CREATE TRIGGER {table}_fts_bd BEFORE DELETE ON {table} BEGIN DELETE FROM {fts} WHERE rowid = old.id; END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]
    reverse = [
        *(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}" for suffix in ("ai", "bu", "au", "bd")),
        f"DROP TABLE IF EXISTS {fts}",
        f"DROP VIEW IF EXISTS {view}",
    ]
    return forward, reverse


def pg_generated_index(index: FullTextIndex, *, parts: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """(forward, reverse) SQL for a stored generated `search_vector` column and its GIN index (all fields are on the
    row itself, so PostgreSQL keeps it current on every insert and update, bulk ones included)."""
    table = index.table
    forward = [
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({pg_vector(parts)}) STORED",
        f"CREATE INDEX {table}_search_idx ON {table} USING gin (search_vector)",
    ]
    reverse = [f"DROP INDEX IF EXISTS {table}_search_idx", f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector"]
    return forward, reverse


def vendor_sql(forward: dict[str, list[str]], reverse: dict[str, list[str]]):
    """A RunPython operation running the SQL for the database's vendor (nothing on others), reversible."""
    from django.db import migrations

    def run(statements: dict[str, list[str]]):
        def apply(apps, schema_editor):
            for statement in statements.get(schema_editor.connection.vendor, []):
                schema_editor.execute(statement, params=None)

        return apply

    return migrations.RunPython(run(forward), run(reverse), elidable=False)
