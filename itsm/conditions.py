"""A condition written in SQL on a query's own table, for filter() and Q's | & ~."""

from __future__ import annotations

from django.db.models import Value
from django.db.models.lookups import Lookup


class TableCondition(Lookup):
    """Subclasses write `as_sql` with `self.table(compiler)`, the alias the query gave its own table (a subquery's
    "U0" as well as the table's name). A Lookup rather than a plain boolean expression: SQLite has no boolean type,
    so Django compares any other expression to 1 in a WHERE clause, and `x IN (...) = 1` hides the IN from SQLite's
    index planner (the VIP queue's count read every open ticket). `key` says what the condition tests: two
    conditions are the same when their class and key are."""

    prepare_rhs = False

    def __init__(self, *key):
        self.key = key
        super().__init__(Value(True), True)

    @property
    def identity(self):
        return self.__class__, self.key

    @staticmethod
    def table(compiler) -> str:
        return compiler.quote_name(compiler.query.get_initial_alias())
