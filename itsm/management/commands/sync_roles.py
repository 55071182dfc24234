"""Creates the role groups and sets exactly the permissions the apps declare (also done after every migrate)."""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from itsm.roles import sync_roles


class Command(BaseCommand):
    help = "Create the role groups (Analyst, CMDB Setup, ...) and set exactly the permissions the apps declare."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, **options):
        with transaction.atomic(using=options["database"]):
            groups = sync_roles(using=options["database"])
        for name, group in groups.items():
            self.stdout.write(f"{name}: {group.permissions.count()} permissions")
