"""What each role may do with workflow rules and their firings: the CMDB setup role writes rules, others read."""

from itsm.roles import ALL, ANALYST, CMDB_SETUP, INTEGRATION, SERVICE_LEVEL_MANAGER, VIEW

RULE_MODELS = ("workflow.rule", "workflow.criterion", "workflow.action")

GRANTS = {
    CMDB_SETUP: {**dict.fromkeys(RULE_MODELS, ALL), "workflow.rulefiring": (VIEW,)},
    ANALYST: {**dict.fromkeys(RULE_MODELS, (VIEW,)), "workflow.rulefiring": (VIEW,)},
    SERVICE_LEVEL_MANAGER: {**dict.fromkeys(RULE_MODELS, (VIEW,)), "workflow.rulefiring": (VIEW,)},
    INTEGRATION: {"workflow.rulefiring": (VIEW,), "workflow.rule": (VIEW,)},
}
