from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "Service relationships"

    def ready(self) -> None:
        from people.panels import register_person_panel
        from services import seed  # noqa: F401  (declares the roles' permissions on services models)
        from services.views import person_services_panel

        # The person page shows the person's groups, roles and instances without people importing services.
        register_person_panel("services/person_panel.html", person_services_panel)
