"""Operations: a backup restores into a fresh database with the same tickets, numbers and history; the health
endpoint answers load balancers without a sign-in."""

import sqlite3
import subprocess
from contextlib import closing

import pytest
from django.core.management import call_command
from django.db import connection

from itsm import health
from itsm.management.commands.backup import pg_dump_binary
from tests.tickets import factories
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tickets(default_status):
    made = [factories.ticket(i, title=f"Printer {i}") for i in range(3)]
    return sorted((t.number, t.title) for t in made)


def history_count() -> int:
    return Ticket.history.count()


def restored_rows_sqlite(path):
    with closing(sqlite3.connect(path)) as db:
        numbers = sorted(db.execute("SELECT number, title FROM tickets_ticket").fetchall())
        history = db.execute("SELECT count(*) FROM tickets_historicalticket").fetchone()[0]
    return numbers, history


def restored_rows_postgresql(dump, tmp_path):
    """pg_restore into a new database on the same server, then read it with a plain connection."""
    import psycopg

    settings = connection.settings_dict
    bin_dir = pg_dump_binary().rsplit("/", 1)[0]
    conninfo = dict(host=settings["HOST"], port=settings["PORT"], user=settings["USER"], password=settings["PASSWORD"])
    name = "itsm_restore_check"
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        command = [f"{bin_dir}/pg_restore", "--no-owner", f"--dbname={name}", str(dump)]
        command += [f"--host={settings['HOST']}", f"--port={settings['PORT']}", f"--username={settings['USER']}"]
        subprocess.run(command, check=True, capture_output=True)
        with psycopg.connect(dbname=name, **conninfo) as db:
            numbers = sorted(db.execute("SELECT number, title FROM tickets_ticket").fetchall())
            history = db.execute("SELECT count(*) FROM tickets_historicalticket").fetchone()[0]
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
    return numbers, history


def test_a_backup_restores_with_the_same_tickets_numbers_and_history(tickets, tmp_path):
    target = tmp_path / ("backup.sqlite3" if connection.vendor == "sqlite" else "backup.dump")
    call_command("backup", str(target))
    assert target.stat().st_size > 0
    if connection.vendor == "sqlite":
        numbers, history = restored_rows_sqlite(target)
    else:
        numbers, history = restored_rows_postgresql(target, tmp_path)
    assert [tuple(row) for row in numbers] == tickets
    assert history == history_count() >= 3


def test_a_backup_never_overwrites_a_file(tmp_path):
    from django.core.management.base import CommandError

    target = tmp_path / "taken"
    target.write_text("an older backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(target))
    assert target.read_text() == "an older backup"


def test_health_answers_ok_without_a_sign_in(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "outbox": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_health_names_a_failing_check_with_503(client, monkeypatch):
    monkeypatch.setitem(health._checks, "outbox", lambda: "12 messages waiting for over an hour")
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["outbox"] == "12 messages waiting for over an hour"
    assert body["checks"]["database"] == "ok"


def test_health_turns_a_crashing_check_into_a_failure_not_a_500(client, monkeypatch):
    def broken():
        raise RuntimeError("socket closed")

    monkeypatch.setitem(health._checks, "database", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "RuntimeError: socket closed"
