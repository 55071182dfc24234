"""The rows `manage.py bench --scale` measures on a million tickets: one line each.

A row is a GET through the whole middleware stack, signed in as the bench user (or with its API token), with its
targets. `{ticket.number}` and the other attributes of `bench.measure.Subjects` may appear in the name and path.
To measure a new page, add one line here, e.g. the person page of the ticket's caller:

    Get("Person page", "/people/{ticket.caller_id}/", target_ms=40),
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Words that occur in the scale data's titles ("Cannot print to the printer in building A").
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
    headers: dict[str, str] = field(default_factory=dict)  # request headers, filled like the path
    status: int = 200  # the answer that counts as success


ONE, THREE = {"q": ONE_WORD}, {"q": THREE_WORDS}
# The queue's All tab (every open ticket): a bare /tickets/ would open the bench user's own (empty) tab.
QUEUE = {"scope": "all", "per_page": 25}
# The live queue's poll: htmx asks for the rows alone with the version it drew them at.
POLL = {"HX-Request": "true", "HX-Target": "queue-rows", "If-None-Match": "{queue_versions}"}

# fmt: off
SCALE_ROWS = (
    Get("Queue page, 25 rows, default", "/tickets/", QUEUE, target_ms=40, max_queries=12),
    Get("Queue page, 25 rows, VIP only", "/tickets/", {**QUEUE, "vip": "1"}, target_ms=40, max_queries=12),
    Get("Ticket page ({ticket.number})", "/tickets/{ticket.number}/", target_ms=40),
    Get(f"Search page, one word ({ONE_WORD})", "/search/", ONE, target_ms=30),
    Get(f"Search page, three words ({THREE_WORDS})", "/search/", THREE, target_ms=50),
    Get(f"Search API, one word ({ONE_WORD})", "/api/search/", ONE, target_ms=30, api=True),
    Get(f"Search API, three words ({THREE_WORDS})", "/api/search/", THREE, target_ms=50, api=True),
    Get(f"Queue search, one word ({ONE_WORD})", "/tickets/", {**QUEUE, **ONE}),
    Get(f"Queue search, three words ({THREE_WORDS})", "/tickets/", {**QUEUE, **THREE}),
    Get("Live queue poll, nothing changed", "/tickets/", QUEUE, target_ms=5, headers=POLL, status=304),
)
# fmt: on
