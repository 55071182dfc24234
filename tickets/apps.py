from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from itsm.demo import register_demo_data
        from itsm.roles import register_grants
        from tickets import roles, seed

        register_grants(self.label, roles.GRANTS)
        register_demo_data(self.label, seed.seed)

        from people.panels import register_person_panel
        from services.panels import register_instance_panel
        from tickets.panels import person_tickets_panel, service_instance_tickets_panel

        # The person and service instance pages list their tickets without people or services importing tickets.
        register_person_panel("tickets/ticket_panel.html", person_tickets_panel)
        register_instance_panel("tickets/ticket_panel.html", service_instance_tickets_panel)
