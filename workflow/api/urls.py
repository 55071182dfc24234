from django.urls import path
from rest_framework.routers import SimpleRouter

from workflow.api.views import ReplayJobView, RuleReplayView, RuleSimulateView, RuleViewSet

router = SimpleRouter()
router.register("rules", RuleViewSet)
urlpatterns = [
    path("rules/simulate/", RuleSimulateView.as_view(), name="rule-simulate"),
    path("rules/replay/", RuleReplayView.as_view(), name="rule-replay"),
    path("rules/replay/jobs/<int:pk>/", ReplayJobView.as_view(), name="replay-job"),
    *router.urls,
]
