"""Rows for tests, built through the services so they carry history like real data."""

from people.services import person_create, team_create
from vip.services import vip_status_create


def vip_status(name="Executive", **fields):
    return vip_status_create(user=None, change_reason="test data", name=name, **fields)


def person(index=0, **fields):
    data = {"first_name": f"Pat{index}", "last_name": f"Doe{index}", "email": f"pat{index}@example.org"}
    data.update(fields)
    return person_create(user=None, change_reason="test data", **data)


def team(index=0, **fields):
    return team_create(user=None, change_reason="test data", **{"name": f"Team {index}", **fields})
