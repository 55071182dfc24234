"""Sign-in accounts in the admin: the user list gains token actions (revoke, rotate) beside Django's own."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from itsm.tokens import revoke_tokens, rotate_token

User = get_user_model()


@admin.action(description="Revoke the API tokens of the selected users", permissions=["change"])
def revoke_api_tokens(modeladmin, request, queryset):
    count = sum(revoke_tokens(user) for user in queryset)
    modeladmin.message_user(request, f"{count} API token(s) revoked; those clients must sign in again.")


@admin.action(description="Rotate the API tokens of the selected users", permissions=["change"])
def rotate_api_tokens(modeladmin, request, queryset):
    users = list(queryset)
    for user in users:
        rotate_token(user)
    modeladmin.message_user(
        request,
        f"New API tokens issued for {len(users)} user(s); the old ones no longer work. "
        "Each user gets the new one from /api/auth/token/.",
        messages.SUCCESS,
    )


class AccountAdmin(UserAdmin):
    actions = [revoke_api_tokens, rotate_api_tokens]


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
