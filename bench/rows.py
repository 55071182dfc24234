"""The rows `manage.py bench --scale` measures on a million tickets: one line each.

A row is a GET through the whole middleware stack, signed in as the bench user (or with its API token), with its
targets. `{ticket.number}` and the other attributes of `bench.measure.Subjects` may appear in the name and path.
To measure a new page, add one line here, e.g. a live queue poll that finds nothing changed:

    Get("Live queue poll, nothing changed", "/tickets/poll/", {"since": "{started}"}, target_ms=5),
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Words that occur in the scale data's titles ("Cannot print to the building A printer").
ONE_WORD = "printer"
THREE_WORDS = "cannot printer building"


@dataclass(frozen=True)
class Get:
    name: str
    path: str
    params: dict[str, str | int] = field(default_factory=dict)
    target_ms: float | None = None
    max_queries: int | None = None
    api: bool = False  # the API token instead of a signed-in session


ONE, THREE = {"q": ONE_WORD}, {"q": THREE_WORDS}
API_ONE, API_THREE = {"limit": 25, "search": ONE_WORD}, {"limit": 25, "search": THREE_WORDS}

# fmt: off
SCALE_ROWS = (
    Get("Queue page, 25 rows, default", "/tickets/", {"per_page": 25}, target_ms=40, max_queries=12),
    Get("Queue page, 25 rows, VIP only", "/tickets/", {"per_page": 25, "vip": "1"}, target_ms=40, max_queries=12),
    Get("Ticket page ({ticket.number})", "/tickets/{ticket.number}/", target_ms=40),
    Get(f"Search, one word ({ONE_WORD}): queue ?q=", "/tickets/", {"per_page": 25, **ONE}, target_ms=30),
    Get(f"Search, three words ({THREE_WORDS}): queue ?q=", "/tickets/", {"per_page": 25, **THREE}, target_ms=50),
    Get(f"Search, one word ({ONE_WORD}): API ?search=", "/api/tickets/", API_ONE, 30, api=True),
    Get(f"Search, three words ({THREE_WORDS}): API ?search=", "/api/tickets/", API_THREE, 50, api=True),
)
# fmt: on
