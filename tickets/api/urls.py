from django.urls import path
from rest_framework.routers import SimpleRouter

from tickets.api.bulk import TicketBulkView
from tickets.api.saved_views import SavedViewViewSet
from tickets.api.views import TicketViewSet

router = SimpleRouter()
router.register("tickets", TicketViewSet)
router.register("saved-views", SavedViewViewSet)
# Before the router's routes: "bulk" would otherwise read as a ticket number.
urlpatterns = [path("tickets/bulk/", TicketBulkView.as_view(), name="ticket-bulk"), *router.urls]
