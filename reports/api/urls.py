from django.urls import path

from reports.api.views import ServiceLevelReportView, VipLoadReportView

urlpatterns = [
    path("reports/service-levels/", ServiceLevelReportView.as_view(), name="report-service-levels"),
    path("reports/vip-load/", VipLoadReportView.as_view(), name="report-vip-load"),
]
