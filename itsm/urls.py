from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from itsm import health, views
from itsm.security import ThrottledPasswordResetView
from itsm.token_views import TokenRevokeView, TokenView

handler400 = "itsm.errors.bad_request"
handler403 = "itsm.errors.permission_denied"
handler404 = "itsm.errors.page_not_found"
handler500 = "itsm.errors.server_error"

api_patterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start script as a file, so the page needs no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("vip.api.urls")),
    path("", include("people.api.urls")),
    path("", include("services.api.urls")),
    path("", include("tickets.api.urls")),
    path("", include("workflow.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("search.api.urls")),
]

urlpatterns = [
    # The home page is the analyst's queue.
    path("", RedirectView.as_view(pattern_name="tickets:queue"), name="home"),
    path("admin/audit-log/", admin.site.admin_view(views.AuditLogView.as_view()), name="audit-log"),
    path("admin/", admin.site.urls),
    path("health/", health.health, name="health"),
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include(api_patterns)),
    path("people/", include("people.urls")),
    path("services/", include("services.urls")),
    path("tickets/", include("tickets.urls")),
    path("reports/", include("reports.urls")),
    path("search/", include("search.urls")),
]
