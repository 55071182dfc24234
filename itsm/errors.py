"""Error pages: JSON under /api/ (integrations parse every answer), Django's pages elsewhere."""

from __future__ import annotations

from django.http import JsonResponse
from django.views import defaults


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    """400 raised before a view runs: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad host header."""
    if _api(request):
        return JsonResponse(
            {"detail": "Bad request: the request was refused before it was read (is the body too large?)."}, status=400
        )
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    """A JSON 404 for API paths (the router's default is an HTML page)."""
    if _api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
