from rest_framework.routers import SimpleRouter

from services.api import views
from services.api.calendars import CalendarViewSet, ServiceReviewViewSet

router = SimpleRouter()
router.register("technical-services", views.TechnicalServiceViewSet)
router.register("service-levels", views.ServiceLevelViewSet)
router.register("calendars", CalendarViewSet)
router.register("service-reviews", ServiceReviewViewSet)
router.register("customer-groups", views.CustomerGroupViewSet)
router.register("memberships", views.MembershipViewSet)
router.register("service-instances", views.ServiceInstanceViewSet)
router.register("configuration-items", views.ConfigurationItemViewSet)
router.register("timeframes", views.TimeframeViewSet)
router.register("tasks", views.TaskViewSet)
urlpatterns = router.urls
