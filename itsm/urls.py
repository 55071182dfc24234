from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import JSONParser

from itsm import views

handler404 = "itsm.api.json_404"
handler500 = "itsm.api.json_500"


class TokenView(ObtainAuthToken):
    """POST username and password, get the token to send as `Authorization: Token <key>`."""

    parser_classes = [JSONParser]
    # The way to log in: it takes no credentials but the body's (and so documents no security requirement).
    authentication_classes = []


api_patterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("vip.api.urls")),
    path("", include("people.api.urls")),
    path("", include("services.api.urls")),
    path("", include("tickets.api.urls")),
    path("", include("workflow.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/audit-log/", admin.site.admin_view(views.AuditLogView.as_view()), name="audit-log"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include(api_patterns)),
    path("people/", include("people.urls")),
    path("services/", include("services.urls")),
    path("tickets/", include("tickets.urls")),
    path("workflow/", include("workflow.urls")),
]
