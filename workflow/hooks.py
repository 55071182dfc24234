"""The function the ticket services call after every ticket write (registered with `tickets.hooks` in apps.py)."""

from __future__ import annotations

from typing import Any

from workflow.engine import vocabulary as vocab

EVENTS = {"created": vocab.CREATE, "updated": vocab.UPDATE}


def on_ticket_event(ticket: Any, *, event: str, changes: dict[str, tuple[Any, Any]], user: Any) -> None:
    """Runs the active rules for a logged ("created") or changed ("updated") ticket, in the ticket's transaction."""
    from workflow.runs import run_rules

    mapped = EVENTS.get(event)
    if mapped is None:
        return
    run_rules(ticket, event=mapped, user=user)
