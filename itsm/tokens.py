"""API tokens: issued at /api/auth/token/, optionally expiring (ITSM_TOKEN_TTL_DAYS), revoked on request, by an admin
action, or when the user's password changes."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_expired(token: Token) -> bool:
    days = settings.ITSM_TOKEN_TTL_DAYS
    return bool(days) and token.created < timezone.now() - timedelta(days=days)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than ITSM_TOKEN_TTL_DAYS (when set)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed("Token has expired: request a new one at /api/auth/token/.")
        return user, token


def token_for(user) -> Token:
    """The user's current token; an expired one is replaced by a fresh one."""
    token, _ = Token.objects.get_or_create(user=user)
    if token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


def revoke_tokens(user) -> int:
    """Deletes the user's API tokens; any client using one must sign in again."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


def rotate_token(user) -> Token:
    revoke_tokens(user)
    return Token.objects.create(user=user)


def revoke_tokens_on_password_change(sender, instance, created, **kwargs) -> None:
    """A new password ends every session held by a token (set_password() leaves the raw password on `_password`)."""
    if not created and getattr(instance, "_password", None) is not None:
        revoke_tokens(instance)
