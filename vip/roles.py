"""What each role may do with VIP statuses."""

from itsm.roles import ALL, ANALYST, CMDB_SETUP, INTEGRATION, SERVICE_LEVEL_MANAGER, VIEW, VIEW_CONFIDENTIAL_STATUS

GRANTS = {
    ANALYST: {"vip.vipstatus": (VIEW,)},
    # Only CMDB Setup sees confidential statuses (not shown on tickets) on people.
    CMDB_SETUP: {"vip.vipstatus": (*ALL, VIEW_CONFIDENTIAL_STATUS)},
    SERVICE_LEVEL_MANAGER: {"vip.vipstatus": (VIEW,)},
    INTEGRATION: {"vip.vipstatus": (VIEW,)},
}
