"""How many rows a list holds, said honestly when counting them all would cost too much: exact, a lower bound
("10,000+"), or PostgreSQL's planner estimate ("about 47,000")."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Total:
    """A count: exact, or (not exact) a lower bound counted up to a cap and one more, or the planner's estimate."""

    value: int
    exact: bool
    estimated: bool = False

    @property
    def label(self) -> str:
        if self.exact:
            return f"{self.value:,}"
        if not self.estimated:
            return f"{self.value - 1:,}+"  # counted up to the cap and one more
        if self.value >= 1_000_000:
            return f"about {self.value / 1_000_000:.1f} million".replace(".0 ", " ")
        return f"about {round(self.value, -3) or self.value:,}"

    @classmethod
    def sum(cls, totals: Iterable[Total]) -> Total:
        """The totals added: exact when every one is, an estimate when any is."""
        totals = list(totals)
        value = sum(t.value for t in totals)
        if all(t.exact for t in totals):
            return cls(value, exact=True)
        if any(t.estimated for t in totals):
            return cls(value, exact=False, estimated=True)
        # Lower bounds: each counts one past its cap, the label takes one off the whole.
        return cls(value - sum(1 for t in totals if not t.exact) + 1, exact=False)


def explain_rows(cursor, sql: str, params) -> int:
    """PostgreSQL's estimate of the rows `sql` returns: statistics, not a scan (refreshed by autovacuum's ANALYZE)."""
    cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])
