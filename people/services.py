"""Writes on people and teams; each one validated, explained and recorded in history."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from itsm.services import record_create, record_delete, record_update
from people.models import Person, Team
from vip.services import vip_status_get_default


@transaction.atomic
def person_create(*, user: Any, change_reason: str | None, **fields: Any) -> Person:
    if fields.get("vip_status") is None:
        fields["vip_status"] = vip_status_get_default()
    return record_create(Person, user=user, change_reason=change_reason, **fields)


@transaction.atomic
def person_update(person: Person, *, user: Any, change_reason: str | None, **fields: Any) -> Person:
    if "vip_status" in fields and fields["vip_status"] is None:
        fields["vip_status"] = vip_status_get_default()
    return record_update(person, user=user, change_reason=change_reason, **fields)


def person_delete(person: Person, *, user: Any, change_reason: str | None) -> None:
    record_delete(person, user=user, change_reason=change_reason)


def team_create(*, user: Any, change_reason: str | None, **fields: Any) -> Team:
    return record_create(Team, user=user, change_reason=change_reason, **fields)


def team_update(team: Team, *, user: Any, change_reason: str | None, **fields: Any) -> Team:
    return record_update(team, user=user, change_reason=change_reason, **fields)


def team_delete(team: Team, *, user: Any, change_reason: str | None) -> None:
    record_delete(team, user=user, change_reason=change_reason)
