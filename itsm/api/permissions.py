"""API permissions: Django model permissions (view required for reads), one permission, or one per method."""

from __future__ import annotations

from rest_framework import permissions


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions, with view required for reads (DRF's default lets any user read)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class HasPermission(permissions.BasePermission):
    """One Django permission for every method, for views that are not a model's viewset (simulate, reports, ...).
    Use `HasPermission.of("app.codename")` in `permission_classes`."""

    perm = ""

    @classmethod
    def of(cls, perm: str) -> type[HasPermission]:
        return type(f"Has_{perm.replace('.', '_')}", (cls,), {"perm": perm})

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(self.perm))


class MethodPermissions(permissions.BasePermission):
    """Django permissions per HTTP method, for actions whose model is not the viewset's."""

    def __init__(self, by_method: dict[str, list[str]]):
        self.by_method = by_method

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        wanted = self.by_method.get(request.method, self.by_method.get("GET", []))
        return user.has_perms(wanted)
