"""Two admins at once: concurrent moves keep positions 1..N, concurrent default changes keep exactly one default.

The PostgreSQL tests (`postgres_only`, run by the PostgreSQL pass of `make test`) prove the row locks: the service
locks every status in primary-key order, then renumbers in two phases. The SQLite variants prove that WAL with
IMMEDIATE transactions and a busy timeout serialises the same writers without "database is locked" errors.

Every thread closes its connections and is joined: a leaked connection makes PostgreSQL's DROP DATABASE at teardown
fail, and a thread left inside a transaction makes the teardown flush hang.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from tests.base import history_of
from vip import services
from vip.models import VipStatus
from vip.selectors import vip_status_get_default

MOVES_PER_THREAD = 50
THREAD_TIMEOUT = 120

pytestmark = pytest.mark.django_db(transaction=True)

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite variant; on PostgreSQL the postgres_only tests cover the same ground with real row locks",
)


def run_in_threads(*targets: Callable[[], None]) -> None:
    """Starts the targets together, joins them, and re-raises the first error any of them hit."""
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def body(target):
        try:
            barrier.wait(timeout=30)
            target()
        except BaseException as error:  # re-raised in the main thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(t,), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"threads still running after {THREAD_TIMEOUT} s (deadlock?): {stuck}"
    if errors:
        raise errors[0]


def make_statuses(count: int) -> list[int]:
    """The default (recreated lazily: transactional tests flush the migration's row) plus count - 1 more."""
    default = vip_status_get_default()
    others = [
        services.vip_status_create(user=None, change_reason="test data", name=f"Level {i}").pk for i in range(1, count)
    ]
    return [default.pk, *others]


def positions() -> list[int]:
    return list(VipStatus.objects.order_by("position").values_list("position", flat=True))


def random_mover(pks: list[int], seed: int) -> Callable[[], None]:
    def moves():
        rng = random.Random(seed)
        for _ in range(MOVES_PER_THREAD):
            status = VipStatus.objects.get(pk=rng.choice(pks))
            services.vip_status_move(status, position=rng.randint(1, len(pks)), user=None, change_reason="race")

    return moves


def default_setter(pks: list[int], seed: int, rounds: int = 25) -> Callable[[], None]:
    def make_default():
        rng = random.Random(seed)
        for _ in range(rounds):
            status = VipStatus.objects.get(pk=rng.choice(pks))
            services.vip_status_update(status, user=None, change_reason="race", is_default=True)

    return make_default


def creator_deleter(rounds: int, prefix: str) -> Callable[[], None]:
    def churn():
        for i in range(rounds):
            status = services.vip_status_create(user=None, change_reason="race", name=f"{prefix} {i}")
            services.vip_status_delete(status, user=None, change_reason="race")

    return churn


# -- the scenarios, run on either database ---------------------------------------------------------------------------
def check_concurrent_moves_keep_positions_contiguous():
    pks = make_statuses(8)
    run_in_threads(random_mover(pks, seed=1), random_mover(pks, seed=2))
    assert positions() == list(range(1, len(pks) + 1))
    assert VipStatus.objects.filter(is_default=True).count() == 1
    # Moves left history rows with the reason (a move to the status's own position changes nothing; about 1 in 8).
    assert VipStatus.history.filter(history_change_reason__endswith=": race").count() > MOVES_PER_THREAD


def check_concurrent_defaults_leave_exactly_one():
    pks = make_statuses(7)
    run_in_threads(default_setter(pks[1::2], seed=3), default_setter(pks[2::2], seed=4))
    defaults = list(VipStatus.objects.filter(is_default=True))
    assert len(defaults) == 1
    # The winner's last history row says it became the default; nobody was left half-switched.
    assert history_of(defaults[0]).last().is_default
    assert positions() == list(range(1, len(pks) + 1))


def check_moves_defaults_and_churn_together():
    pks = make_statuses(6)
    run_in_threads(
        random_mover(pks, seed=5),
        default_setter(pks, seed=6, rounds=20),
        creator_deleter(rounds=10, prefix="Temp"),
    )
    assert positions() == list(range(1, len(pks) + 1))
    assert VipStatus.objects.filter(is_default=True).count() == 1
    assert not VipStatus.objects.filter(name__startswith="Temp").exists()


# -- PostgreSQL: real row locks ----------------------------------------------------------------------------------------
@pytest.mark.postgres_only
def test_postgresql_two_threads_moving_at_random_leave_positions_1_to_n():
    check_concurrent_moves_keep_positions_contiguous()


@pytest.mark.postgres_only
def test_postgresql_two_threads_setting_defaults_leave_exactly_one_default():
    check_concurrent_defaults_leave_exactly_one()


@pytest.mark.postgres_only
def test_postgresql_moves_defaults_creates_and_deletes_at_once_keep_the_invariants():
    check_moves_defaults_and_churn_together()


# -- SQLite: WAL + IMMEDIATE transactions serialise the writers -------------------------------------------------------
@sqlite_only
def test_sqlite_two_threads_moving_at_random_leave_positions_1_to_n():
    check_concurrent_moves_keep_positions_contiguous()


@sqlite_only
def test_sqlite_two_threads_setting_defaults_leave_exactly_one_default():
    check_concurrent_defaults_leave_exactly_one()


@sqlite_only
def test_sqlite_moves_defaults_creates_and_deletes_at_once_keep_the_invariants():
    check_moves_defaults_and_churn_together()
