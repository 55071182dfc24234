"""The one seam between tickets and the workflow engine.

After every ticket write (inside its transaction) the ticket services call `run_workflow(...)`. It looks up
`workflow.hooks.on_ticket_event` lazily, the first time it is needed, so tickets never import workflow at module
level and the engine stays replaceable. While no such function exists the call does nothing.

The workflow function is called as `on_ticket_event(ticket, *, event, changes, user)` where `event` is "created" or
"updated" and `changes` maps field names to `(old, new)` values. It may change the ticket through the ticket services;
those nested writes do not call the hook again (re-entry guard), so a rule cannot trigger itself in a loop.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

HOOK_MODULE = "workflow.hooks"
HOOK_NAME = "on_ticket_event"

_UNRESOLVED = object()
_hook: Any = _UNRESOLVED
_state = threading.local()


def _resolve() -> Callable[..., None] | None:
    global _hook
    if _hook is _UNRESOLVED:
        try:
            module = importlib.import_module(HOOK_MODULE)
        except ModuleNotFoundError as error:
            if error.name not in (HOOK_MODULE, HOOK_MODULE.split(".")[0]):
                raise  # a real import error inside workflow.hooks must not pass silently
            module = None
        _hook = getattr(module, HOOK_NAME, None) if module is not None else None
    return _hook


def run_workflow(ticket: Any, *, event: str, changes: dict[str, tuple[Any, Any]], user: Any) -> None:
    """Hands a logged or changed ticket to the workflow engine (no-op until workflow provides the hook)."""
    hook = _resolve()
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
