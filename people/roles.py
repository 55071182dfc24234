"""What each role may do with people and teams."""

from itsm.roles import (
    ADD,
    ALL,
    ANALYST,
    CHANGE,
    CMDB_SETUP,
    GRANT_VIP_STATUS,
    INTEGRATION,
    SERVICE_LEVEL_MANAGER,
    VIEW,
)

GRANTS = {
    ANALYST: {"people.person": (VIEW, ADD, CHANGE), "people.team": (VIEW,)},
    # Granting a VIP status raises a caller's tickets: CMDB Setup only.
    CMDB_SETUP: {"people.person": (VIEW, CHANGE, GRANT_VIP_STATUS), "people.team": ALL},
    SERVICE_LEVEL_MANAGER: {"people.person": (VIEW,), "people.team": (VIEW,)},
    INTEGRATION: {"people.person": (VIEW, ADD, CHANGE), "people.team": (VIEW,)},
}
