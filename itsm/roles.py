"""The roles of DESIGN.md as Django groups. Each app declares its grants in `<app>/roles.py` and registers them from
its AppConfig.ready(); the groups are synced after every migrate and by `manage.py sync_roles`."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

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
ROLES = (ANALYST, CMDB_SETUP, SERVICE_LEVEL_MANAGER, INTEGRATION)

# A role's grants: {"app_label.model": actions}
Grants = dict[str, dict[str, tuple[str, ...]]]

_registered: dict[str, Grants] = {
    # The audit log checks the admin's "view log entry" permission.
    "admin": {CMDB_SETUP: {"admin.logentry": (VIEW,)}, SERVICE_LEVEL_MANAGER: {"admin.logentry": (VIEW,)}},
}


def register_grants(app_label: str, grants: Grants) -> None:
    """Called from an app's AppConfig.ready(): the app's models and what each role may do with them."""
    _registered[app_label] = grants


def role_permissions() -> Grants:
    """Every registered grant, by role: {role: {"app_label.model": actions}}."""
    merged: Grants = {role: {} for role in ROLES}
    for grants in _registered.values():
        for role, models in grants.items():
            merged.setdefault(role, {}).update(models)
    return merged


def sync_roles(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, Group]:
    """Creates the groups and sets exactly the permissions declared (idempotent)."""
    groups = {}
    for role, grants in role_permissions().items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = []
        for model, actions in grants.items():
            app_label, model_name = model.split(".")
            codenames = [f"{action}_{model_name}" if action in ALL else action for action in actions]
            wanted += list(
                Permission.objects.using(using).filter(content_type__app_label=app_label, codename__in=codenames)
            )
        group.permissions.set(wanted)
        groups[role] = group
    return groups


def sync_roles_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate is sent once per app with models; the permissions of all apps exist only after the last one."""
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if with_models and sender.label == with_models[-1].label:
        sync_roles(using=using)
