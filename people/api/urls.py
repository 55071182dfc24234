from rest_framework.routers import SimpleRouter

from people.api.views import PersonViewSet, TeamViewSet

router = SimpleRouter()
router.register("people", PersonViewSet)
router.register("teams", TeamViewSet)
urlpatterns = router.urls
