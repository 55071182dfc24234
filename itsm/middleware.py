"""Response headers every page needs, whatever view answered."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """`Cache-Control: no-store` on the API and on every page a signed-in person sees: they carry personal data (who
    the VIPs are, callers' details) that must not stay in a shared or browser cache. Static files are served before
    this runs (whitenoise) and keep their long cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response
