from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.AchievementView.as_view(), name="achievement"),
    path("vip-load/", views.VipLoadView.as_view(), name="vip_load"),
]
