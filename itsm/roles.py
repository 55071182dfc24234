"""The roles of DESIGN.md as Django groups, with their permissions. Apps extend ROLE_PERMISSIONS in their seed."""

from django.contrib.auth.models import Group, Permission

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL = (VIEW, ADD, CHANGE, DELETE)

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
        "vip.vipstatus": ALL,
        "people.person": (VIEW, CHANGE),
        "people.team": ALL,
    },
    SERVICE_LEVEL_MANAGER: {
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
            codenames = [f"{action}_{model_name}" for action in actions]
            wanted += list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        group.permissions.set(wanted)
        groups[role] = group
    return groups
