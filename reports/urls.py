from django.urls import path

from reports import reviews, views

app_name = "reports"
urlpatterns = [
    path("", views.AchievementView.as_view(), name="achievement"),
    path("vip-load/", views.VipLoadView.as_view(), name="vip_load"),
    path("reviews/instances/<int:pk>/", reviews.InstanceReviewView.as_view(), name="instance_review"),
    path("reviews/groups/<int:pk>/", reviews.GroupReviewView.as_view(), name="group_review"),
]
