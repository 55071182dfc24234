"""Sign-in protection: the answer to a locked-out sign-in and a throttled password reset. Counting failed sign-ins
itself is django-axes (see settings)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

LOCKED_OUT = (
    "Too many failed sign-ins for this user name from this address. Try again in {minutes} minutes, "
    "or ask an administrator to unlock the account."
)


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """429 for a (user name, address) pair over the limit: JSON on the API, the sign-in page with the message else."""
    message = LOCKED_OUT.format(minutes=cooloff_minutes())
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    # Rendered here: django-axes answers from its middleware, after the step that renders template responses.
    return TemplateResponse(request, "registration/locked_out.html", {"message": message}, status=429).render()


def _throttled(key: str, limit: int, window: timedelta) -> bool:
    """Counts one attempt under `key`; True when the window already holds `limit` attempts."""
    seconds = int(window.total_seconds())
    if cache.add(key, 1, seconds):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds)
        return False
    return count > limit


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per address and per e-mail address so it cannot flood a mailbox."""

    def post(self, request, *args, **kwargs):
        limit = settings.ITSM_PASSWORD_RESET_LIMIT
        window = settings.AXES_COOLOFF_TIME
        address = request.META.get("REMOTE_ADDR", "")
        email = (request.POST.get("email") or "").strip().lower()[:254]
        by_address = _throttled(f"pwreset:ip:{address}", limit, window)
        by_email = _throttled(f"pwreset:email:{email}", limit, window)
        if by_address or by_email:
            message = f"Too many password reset requests. Try again in {cooloff_minutes()} minutes."
            return TemplateResponse(request, "registration/locked_out.html", {"message": message}, status=429)
        return super().post(request, *args, **kwargs)
