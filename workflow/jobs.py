"""Replays over many tickets run as background jobs: the request that asks answers at once (202 with the job's
address), one job runs at a time, and its progress and result are read from the job row. A replay over a year of a
busy desk takes tens of seconds; run inside requests, four at once took the whole site down.

The job runs in a thread of the app server that accepted it, started after the commit; a job whose server stopped
(no progress for STALE_AFTER) is marked failed when next looked at, so a new one can start."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from workflow.models import ReplayJob

log = logging.getLogger(__name__)

# Up to this many tickets a replay answers in the request (well under a second); more become a job.
INLINE_LIMIT = 2_000
STALE_AFTER = dt.timedelta(minutes=10)
PROGRESS_EVERY = 500


class ReplayBusy(Exception):
    def __init__(self, job: ReplayJob):
        super().__init__(f"A replay is already running (job {job.pk}); wait for it to finish.")
        self.job = job


def active_job() -> ReplayJob | None:
    """The queued or running job, after failing any whose server stopped reporting progress."""
    cutoff = timezone.now() - STALE_AFTER
    ReplayJob.objects.filter(status__in=ReplayJob.ACTIVE, updated_at__lt=cutoff).update(
        status=ReplayJob.Status.FAILED, error="The server running this replay stopped before it finished."
    )
    return ReplayJob.objects.filter(status__in=ReplayJob.ACTIVE).first()


@transaction.atomic
def start(*, params: dict[str, Any], total: int, user: Any) -> ReplayJob:
    """Queues a dry-run replay (refused while another runs) and starts it after the commit."""
    busy = active_job()
    if busy is not None:
        raise ReplayBusy(busy)
    job = ReplayJob.objects.create(params=params, total=total, user=user if user and user.is_authenticated else None)
    transaction.on_commit(lambda: launch(job.pk))
    return job


def launch(job_id: int) -> None:
    threading.Thread(target=run, args=(job_id,), name=f"replay-job-{job_id}", daemon=True).start()


def run(job_id: int) -> None:
    """Runs one job to its end and records the result or the error (never raises)."""
    from workflow import dry_runs

    try:
        job = ReplayJob.objects.get(pk=job_id)
        job.mark(status=ReplayJob.Status.RUNNING)
        params = job.params
        counter = {"scanned": 0}

        def progress(step: int) -> None:
            counter["scanned"] += step
            if counter["scanned"] % PROGRESS_EVERY == 0:
                ReplayJob.objects.filter(pk=job_id).update(scanned=counter["scanned"], updated_at=timezone.now())

        report = dry_runs.replay(
            date_from=_date(params.get("date_from")),
            date_to=_date(params.get("date_to")),
            rule_ids=params.get("rule_ids") or None,
            sample_size=params.get("sample_size", 20),
            progress=progress,
        )
        job.scanned = report.scanned
        job.result = report.to_dict()
        job.mark(status=ReplayJob.Status.DONE, finished=True)
    except Exception as error:  # a job must end, whatever happened
        log.exception("Replay job %s failed", job_id)
        ReplayJob.objects.filter(pk=job_id).update(
            status=ReplayJob.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
        )
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
