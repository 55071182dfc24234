"""`manage.py backup [PATH]`: a consistent copy of the whole database, taken while the site keeps running.

SQLite: `VACUUM INTO` (one read transaction, so the copy is a single moment even with writers queued). PostgreSQL:
`pg_dump --format=custom` (one snapshot). Restore steps are in the README ("Backup and restore")."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


def pg_dump_binary() -> str:
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise CommandError(
            "pg_dump was not found: install the PostgreSQL client (e.g. apt-get install postgresql-client)."
        )
    return candidates[-1]


def backup_sqlite(target: Path) -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(target)])


def backup_postgresql(target: Path) -> None:
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    command = [pg_dump_binary(), "--format=custom", "--no-owner", f"--file={target}", f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        command.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        command.append(f"--port={db['PORT']}")
    if db.get("USER"):
        command.append(f"--username={db['USER']}")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CommandError(f"pg_dump failed: {result.stderr.strip()}")


class Command(BaseCommand):
    help = "Writes a consistent backup of the database (VACUUM INTO on SQLite, pg_dump on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="file to write (default: var/backups/itsm-<time>.<ext>)")

    def handle(self, *args, path=None, **options):
        vendor = connection.vendor
        if vendor not in ("sqlite", "postgresql"):
            raise CommandError(f"No backup method for the {vendor} database.")
        extension = "sqlite3" if vendor == "sqlite" else "dump"
        if path:
            target = Path(path)
        else:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            target = Path(settings.BASE_DIR) / "var" / "backups" / f"itsm-{stamp}.{extension}"
        if target.exists():
            raise CommandError(f"{target} already exists: choose a new file, a backup never overwrites one.")
        target.parent.mkdir(parents=True, exist_ok=True)
        if vendor == "sqlite":
            backup_sqlite(target)
        else:
            backup_postgresql(target)
        self.stdout.write(f"Backup written to {target} ({target.stat().st_size:,} bytes).")
