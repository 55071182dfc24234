"""The roles of DESIGN.md as Django groups, with their permissions. Apps extend ROLE_PERMISSIONS in their seed."""

from django.contrib.auth.models import Group, Permission

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL = (VIEW, ADD, CHANGE, DELETE)
# Permissions of their own (a model's Meta.permissions), granted by codename.
GRANT_VIP_STATUS = "grant_vip_status"
VIEW_CONFIDENTIAL_STATUS = "view_confidential_status"

ANALYST, CMDB_SETUP, SERVICE_LEVEL_MANAGER, INTEGRATION = (
    "Analyst",
    "CMDB Setup",
    "Service Level Manager",
    "Integration",
)

# role -> {"app_label.model": actions}
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    ANALYST: {
        "vip.vipstatus": (VIEW,),
        "people.person": (VIEW, ADD, CHANGE),
        "people.team": (VIEW,),
    },
    CMDB_SETUP: {
        "vip.vipstatus": (*ALL, VIEW_CONFIDENTIAL_STATUS),
        "people.person": (VIEW, CHANGE, GRANT_VIP_STATUS),
        "people.team": ALL,
        "admin.logentry": (VIEW,),  # the audit log
    },
    SERVICE_LEVEL_MANAGER: {
        "admin.logentry": (VIEW,),  # the audit log
        "vip.vipstatus": (VIEW,),
        "people.person": (VIEW,),
        "people.team": (VIEW,),
    },
    INTEGRATION: {
        "vip.vipstatus": (VIEW,),
        "people.person": (VIEW, ADD, CHANGE),
        "people.team": (VIEW,),
    },
}


def extend_role(role: str, model: str, actions: tuple[str, ...]) -> None:
    ROLE_PERMISSIONS.setdefault(role, {})[model] = actions


def sync_roles() -> dict[str, Group]:
    """Creates the groups and sets exactly the permissions declared (idempotent)."""
    groups = {}
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for model, actions in grants.items():
            app_label, model_name = model.split(".")
            codenames = [f"{action}_{model_name}" if action in ALL else action for action in actions]
            wanted += list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        group.permissions.set(wanted)
        groups[role] = group
    return groups
