from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "Service relationships"

    def ready(self) -> None:
        from itsm.demo import register_demo_data
        from itsm.roles import register_grants
        from services import roles, seed

        register_grants(self.label, roles.GRANTS)
        register_demo_data(self.label, seed.seed)

        from people.panels import register_person_panel
        from services.views import person_services_panel

        # The person page shows the person's groups, roles and instances without people importing services.
        register_person_panel("services/person_panel.html", person_services_panel)
