"""What each role may do with tickets, their notes and the priority matrix."""

from itsm.roles import ADD, ANALYST, CHANGE, CMDB_SETUP, INTEGRATION, SERVICE_LEVEL_MANAGER, VIEW

GRANTS = {
    ANALYST: {
        "tickets.ticket": (VIEW, ADD, CHANGE),
        "tickets.ticketnote": (VIEW, ADD),
        "tickets.prioritymatrixcell": (VIEW,),
    },
    CMDB_SETUP: {"tickets.ticket": (VIEW,), "tickets.prioritymatrixcell": (VIEW, CHANGE)},
    SERVICE_LEVEL_MANAGER: {
        "tickets.ticket": (VIEW,),
        "tickets.ticketnote": (VIEW,),
        "tickets.prioritymatrixcell": (VIEW,),
    },
    INTEGRATION: {
        "tickets.ticket": (VIEW, ADD, CHANGE),
        "tickets.ticketnote": (VIEW, ADD),
        "tickets.prioritymatrixcell": (VIEW,),
    },
}
