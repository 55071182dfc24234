from rest_framework.routers import SimpleRouter

from tickets.api.views import TicketViewSet

router = SimpleRouter()
router.register("tickets", TicketViewSet)
urlpatterns = router.urls
