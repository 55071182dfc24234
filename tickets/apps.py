from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from people.panels import register_person_panel
        from services.panels import register_instance_panel
        from tickets import seed  # noqa: F401  (declares the roles' permissions on ticket models)
        from tickets.panels import person_tickets_panel, service_instance_tickets_panel

        # The person and service instance pages list their tickets without people or services importing tickets.
        register_person_panel("tickets/ticket_panel.html", person_tickets_panel)
        register_instance_panel("tickets/ticket_panel.html", service_instance_tickets_panel)
