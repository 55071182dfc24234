"""What each role may do with tickets, their notes, the priority matrix and saved queue views."""

from itsm.roles import ADD, ALL, ANALYST, CHANGE, CMDB_SETUP, INTEGRATION, SERVICE_LEVEL_MANAGER, VIEW

# Saved views are personal (each user sees only their own and those shared with their teams), so every role that
# reads the queue may keep some. Sharing with a team is the analysts' own: they work the team queues.
SHARE_SAVED_VIEW = "share_savedview"

GRANTS = {
    ANALYST: {
        "tickets.ticket": (VIEW, ADD, CHANGE),
        "tickets.ticketnote": (VIEW, ADD),
        "tickets.prioritymatrixcell": (VIEW,),
        "tickets.savedview": (*ALL, SHARE_SAVED_VIEW),
    },
    CMDB_SETUP: {
        "tickets.ticket": (VIEW,),
        "tickets.prioritymatrixcell": (VIEW, CHANGE),
        "tickets.savedview": ALL,
    },
    SERVICE_LEVEL_MANAGER: {
        "tickets.ticket": (VIEW,),
        "tickets.ticketnote": (VIEW,),
        "tickets.prioritymatrixcell": (VIEW,),
        "tickets.savedview": ALL,
    },
    INTEGRATION: {
        "tickets.ticket": (VIEW, ADD, CHANGE),
        "tickets.ticketnote": (VIEW, ADD),
        "tickets.prioritymatrixcell": (VIEW,),
        "tickets.savedview": ALL,
    },
}
