"""Fifty tickets logged in the same second get fifty distinct, consecutive numbers.

On PostgreSQL the counter row is read with SELECT ... FOR UPDATE, so concurrent loggers queue on the row lock. On
SQLite, WAL with IMMEDIATE transactions and a busy timeout of seconds serialises the writers; the test proves that no
"database is locked" error escapes. Every thread closes its connections and is joined (see PITFALLS.md).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests import factories as base
from tickets import services
from tickets.choices import TicketType
from tickets.models import Ticket, TicketCounter

THREAD_TIMEOUT = 120

pytestmark = pytest.mark.django_db(transaction=True)


def log_in_threads(count: int, caller_id: int) -> list[str]:
    barrier = threading.Barrier(count)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def body(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            ticket = services.ticket_create(
                user=None,
                change_reason="concurrency test",
                caller=_person(caller_id),
                title=f"Concurrent call {index}",
                ticket_type=TicketType.INCIDENT,
            )
            with lock:
                numbers.append(ticket.number)
        except BaseException as error:  # re-raised in the main thread
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"threads still running after {THREAD_TIMEOUT} s: {stuck}"
    if errors:
        raise errors[0]
    return numbers


def _person(pk: int):
    from people.models import Person

    return Person.objects.get(pk=pk)


def assert_consecutive(numbers: list[str], count: int) -> None:
    assert len(numbers) == count
    assert len(set(numbers)) == count, "duplicate ticket numbers"
    sequences = sorted(int(n[3:]) for n in numbers)
    assert sequences == list(range(sequences[0], sequences[0] + count)), sequences
    assert Ticket.objects.count() == count
    assert TicketCounter.objects.get(prefix="INC").last_number == sequences[-1]


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (run with DATABASE_URL)")
def test_fifty_concurrent_calls_get_fifty_consecutive_numbers_on_postgresql():
    caller = base.person(0)
    services.priority_matrix()  # the matrix rows exist before the race, as in production
    assert_consecutive(log_in_threads(50, caller.pk), 50)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite variant; PostgreSQL runs the 50-thread test")
def test_twenty_concurrent_calls_on_sqlite_never_hit_database_is_locked():
    caller = base.person(0)
    services.priority_matrix()
    assert_consecutive(log_in_threads(20, caller.pk), 20)
