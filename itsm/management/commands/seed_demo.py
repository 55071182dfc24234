"""Loads demo data: roles, users, VIP statuses, teams, people, and each app's own demo rows. Safe to run again."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from itsm.demo import demo_loaders
from itsm.roles import ANALYST, CMDB_SETUP, SERVICE_LEVEL_MANAGER, sync_roles


class Command(BaseCommand):
    help = "Load demo data (idempotent). Password from ITSM_DEMO_PASSWORD, else generated and printed."

    def handle(self, *args, **options):
        password = os.environ.get("ITSM_DEMO_PASSWORD", "")
        with transaction.atomic():
            groups = sync_roles()
            users, created_password = self._users(groups, password)
            admin = users["admin"]
            # Each app registered its loader from its AppConfig.ready(), in INSTALLED_APPS order.
            for load in demo_loaders():
                load(user=admin, out=self.stdout)
        if created_password:
            self.stdout.write(
                self.style.WARNING(f"Demo users admin, analyst, cmdb and slm created with password: {created_password}")
            )
        elif password:
            self.stdout.write("Demo users admin and analyst use the password from ITSM_DEMO_PASSWORD.")
        else:
            self.stdout.write("Demo users admin and analyst already exist (password unchanged).")

    def _users(self, groups, password):
        User = get_user_model()
        generated = ""
        users = {}
        specs = {
            "admin": {"is_staff": True, "is_superuser": True, "groups": [CMDB_SETUP, SERVICE_LEVEL_MANAGER]},
            "analyst": {"is_staff": False, "is_superuser": False, "groups": [ANALYST]},
            "cmdb": {"is_staff": True, "is_superuser": False, "groups": [CMDB_SETUP, ANALYST]},
            "slm": {"is_staff": True, "is_superuser": False, "groups": [SERVICE_LEVEL_MANAGER, ANALYST]},
        }
        for username, spec in specs.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"is_staff": spec["is_staff"], "is_superuser": spec["is_superuser"]},
            )
            if created or password:
                if not password and not generated:
                    generated = secrets.token_urlsafe(9)
                user.set_password(password or generated)
                user.save()
            user.groups.set([groups[g] for g in spec["groups"]])
            users[username] = user
        return users, generated
