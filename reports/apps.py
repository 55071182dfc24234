from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from reports.reviews import instance_review_panel
        from services.panels import register_instance_panel

        # The service instance page links to its review page without services knowing of reports.
        register_instance_panel("reports/review_panel.html", instance_review_panel)
