"""Writes on people and teams; each one validated, explained and recorded in history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from itsm.services import record_create, record_delete, record_update
from people.models import Person, Team
from vip.selectors import vip_status_get_default

GRANT_VIP_STATUS = "people.grant_vip_status"
GRANT_REFUSED = (
    "Granting or changing a VIP status needs the permission 'Can grant a VIP status to a person' (CMDB Setup); "
    "other details of the person can still be changed."
)


def check_vip_grant(*, user: Any, current_status_id: int | None, new_status: Any) -> None:
    """A VIP status raises a caller's tickets, so setting one is its own permission. The system (user None) may."""
    if user is None or new_status is None or new_status.pk == current_status_id:
        return
    if not user.has_perm(GRANT_VIP_STATUS):
        raise PermissionDenied(GRANT_REFUSED)


LOGIN_REFUSED = "Only an administrator links a person to a sign-in account (the login field)."


def check_login_change(*, user: Any, current_login_id: int | None, new_login: Any) -> None:
    """A person's login decides which account acts as them: linking one is for administrators (superusers) only."""
    new_id = getattr(new_login, "pk", new_login)
    if user is None or new_id == current_login_id or user.is_superuser:
        return
    raise PermissionDenied(LOGIN_REFUSED)


@transaction.atomic
def person_create(*, user: Any, change_reason: str | None, **fields: Any) -> Person:
    default = vip_status_get_default()
    if fields.get("vip_status") is None:
        fields["vip_status"] = default
    check_vip_grant(user=user, current_status_id=default.pk, new_status=fields["vip_status"])
    check_login_change(user=user, current_login_id=None, new_login=fields.get("login"))
    return record_create(Person, user=user, change_reason=change_reason, **fields)


@transaction.atomic
def person_update(person: Person, *, user: Any, change_reason: str | None, **fields: Any) -> Person:
    if "vip_status" in fields and fields["vip_status"] is None:
        fields["vip_status"] = vip_status_get_default()
    if "vip_status" in fields:
        check_vip_grant(user=user, current_status_id=person.vip_status_id, new_status=fields["vip_status"])
    if "login" in fields:
        check_login_change(user=user, current_login_id=person.login_id, new_login=fields["login"])
    return record_update(person, user=user, change_reason=change_reason, **fields)


def person_delete(person: Person, *, user: Any, change_reason: str | None) -> None:
    record_delete(person, user=user, change_reason=change_reason)


def team_create(*, user: Any, change_reason: str | None, **fields: Any) -> Team:
    return record_create(Team, user=user, change_reason=change_reason, **fields)


def team_update(team: Team, *, user: Any, change_reason: str | None, **fields: Any) -> Team:
    return record_update(team, user=user, change_reason=change_reason, **fields)


def team_delete(team: Team, *, user: Any, change_reason: str | None) -> None:
    record_delete(team, user=user, change_reason=change_reason)
