"""Ticket roles and demo tickets."""

from itsm.roles import ADD, ALL, ANALYST, CHANGE, CMDB_SETUP, INTEGRATION, SERVICE_LEVEL_MANAGER, VIEW, extend_role

extend_role(ANALYST, "tickets.ticket", (VIEW, ADD, CHANGE))
extend_role(ANALYST, "tickets.ticketnote", (VIEW, ADD))
extend_role(ANALYST, "tickets.prioritymatrixcell", (VIEW,))
extend_role(CMDB_SETUP, "tickets.ticket", (VIEW,))
extend_role(CMDB_SETUP, "tickets.prioritymatrixcell", (VIEW, CHANGE))
extend_role(SERVICE_LEVEL_MANAGER, "tickets.ticket", (VIEW,))
extend_role(SERVICE_LEVEL_MANAGER, "tickets.ticketnote", (VIEW,))
extend_role(SERVICE_LEVEL_MANAGER, "tickets.prioritymatrixcell", (VIEW,))
extend_role(INTEGRATION, "tickets.ticket", (VIEW, ADD, CHANGE))
extend_role(INTEGRATION, "tickets.ticketnote", (VIEW, ADD))
extend_role(INTEGRATION, "tickets.prioritymatrixcell", (VIEW,))

__all__ = ["ALL", "seed"]


def seed(*, user, out) -> None:
    out.write("Tickets: not seeded yet")
