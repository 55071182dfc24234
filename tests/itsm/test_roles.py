"""Roles exist after `migrate` alone: a production install that never loads demo data can still work."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from itsm.roles import ALL, ANALYST, CMDB_SETUP, INTEGRATION, ROLES, SERVICE_LEVEL_MANAGER, role_permissions
from tests import factories
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_migrate_alone_creates_every_role_with_its_permissions():
    # No `roles` fixture and no seed: the test database was built by `migrate` only.
    groups = {g.name: g for g in Group.objects.filter(name__in=ROLES)}
    assert set(groups) == set(ROLES)
    codenames = set(groups[ANALYST].permissions.values_list("codename", flat=True))
    assert {"view_ticket", "add_ticket", "change_ticket", "add_person", "view_vipstatus", "view_rule"} <= codenames
    assert "delete_ticket" not in codenames
    assert groups[SERVICE_LEVEL_MANAGER].permissions.filter(codename="delete_serviceinstance").exists()
    assert groups[CMDB_SETUP].permissions.filter(codename="change_rule").exists()
    assert not groups[INTEGRATION].permissions.filter(codename="change_rule").exists()


def test_an_analyst_on_a_database_that_only_ran_migrate_opens_the_queue_and_logs_a_call(client):
    analyst = get_user_model().objects.create_user(username="newhire", password="x")
    analyst.groups.add(Group.objects.get(name=ANALYST))
    client.force_login(analyst)
    assert client.get(reverse("tickets:queue")).status_code == 200
    caller = factories.person(0)
    response = client.post(
        reverse("tickets:create"),
        {
            "caller": caller.pk,
            "caller_query": caller.full_name,
            "ticket_type": "incident",
            "source": "phone",
            "title": "Printer jammed",
            "impact": "low",
            "urgency": "low",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert ticket.caller == caller


def test_sync_roles_restores_exactly_the_declared_permissions():
    analyst = Group.objects.get(name=ANALYST)
    analyst.permissions.clear()
    call_command("sync_roles", stdout=StringIO())
    declared = role_permissions()[ANALYST]
    got = {f"{p.content_type.app_label}.{p.codename}" for p in analyst.permissions.select_related("content_type")}
    # A model's own permissions (Meta.permissions, e.g. share_savedview) are declared by their codename.
    wanted = {
        f"{model.split('.')[0]}.{action}_{model.split('.')[1]}" if action in ALL else f"{model.split('.')[0]}.{action}"
        for model, actions in declared.items()
        for action in actions
    }
    assert got == wanted


def test_every_app_with_models_declares_its_grants():
    models = {model.split(".")[0] for grants in role_permissions().values() for model in grants}
    # ...and the audit log's permission is Django admin's "view log entry".
    assert models == {"vip", "people", "services", "tickets", "workflow", "admin"}
