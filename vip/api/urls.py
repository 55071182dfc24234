from rest_framework.routers import SimpleRouter

from vip.api.views import VipStatusViewSet

router = SimpleRouter()
router.register("vip-statuses", VipStatusViewSet)
urlpatterns = router.urls
