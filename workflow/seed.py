"""Demo rules and the roles' permissions on the workflow."""

from __future__ import annotations

from itsm.roles import ALL, ANALYST, CMDB_SETUP, INTEGRATION, SERVICE_LEVEL_MANAGER, VIEW, extend_role

for _model in ("workflow.rule", "workflow.criterion", "workflow.action"):
    extend_role(CMDB_SETUP, _model, ALL)
    extend_role(ANALYST, _model, (VIEW,))
    extend_role(SERVICE_LEVEL_MANAGER, _model, (VIEW,))
extend_role(CMDB_SETUP, "workflow.rulefiring", (VIEW,))
extend_role(ANALYST, "workflow.rulefiring", (VIEW,))
extend_role(SERVICE_LEVEL_MANAGER, "workflow.rulefiring", (VIEW,))
extend_role(INTEGRATION, "workflow.rulefiring", (VIEW,))
extend_role(INTEGRATION, "workflow.rule", (VIEW,))


def seed(*, user, out) -> None:
    """Demo rules (filled in below)."""
