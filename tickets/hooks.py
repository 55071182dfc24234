"""The one seam between tickets and the workflow engine.

After every ticket write (inside its transaction) the ticket services call `run_workflow(...)`. It calls the function
a higher app registered with `register_ticket_hook` from its `AppConfig.ready()`, so tickets never name the app that
runs rules. While none is registered the call does nothing.

The function is called as `fn(ticket, *, event, changes, user)` where `event` is "created" or
"updated" and `changes` maps field names to `(old, new)` values. It may change the ticket through the ticket services;
those nested writes do not call the hook again (re-entry guard), so a rule cannot trigger itself in a loop.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

_hook: Callable[..., None] | None = None
_state = threading.local()


def register_ticket_hook(fn: Callable[..., None]) -> None:
    """Called from a higher app's `AppConfig.ready()`: the one function every ticket write hands over to."""
    global _hook
    _hook = fn


def run_workflow(ticket: Any, *, event: str, changes: dict[str, tuple[Any, Any]], user: Any) -> None:
    """Hands a logged or changed ticket to the workflow engine (no-op until workflow provides the hook)."""
    hook = _hook
    if hook is None or getattr(_state, "running", False):
        return
    _state.running = True
    try:
        hook(ticket, event=event, changes=changes, user=user)
    finally:
        _state.running = False


@contextlib.contextmanager
def workflow_hook(fn: Callable[..., None] | None) -> Iterator[None]:
    """Replaces the hook for the duration of a block (tests, or a bulk import that must not run rules)."""
    global _hook
    previous = _hook
    _hook = fn
    try:
        yield
    finally:
        _hook = previous


def in_workflow() -> bool:
    """True while the workflow applies a plan: what a rule does is not a person's response to the caller."""
    return bool(getattr(_state, "running", False))
