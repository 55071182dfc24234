"""What the rules would do to a call before it is logged (the Log a call page's preview): simulate on the unsaved
ticket, same snapshot and engine as the live run, nothing written."""

from __future__ import annotations

from typing import Any

from workflow import dry_runs, presenter
from workflow.engine import vocabulary as vocab


def call_preview(*, ticket: Any, user: Any) -> dict[str, Any]:
    return presenter.call_outcome(dry_runs.simulate_unsaved(ticket, event=vocab.CREATE, viewer=user))
