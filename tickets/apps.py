from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from people.panels import register_person_panel
        from tickets import seed  # noqa: F401  (declares the roles' permissions on ticket models)
        from tickets.panels import person_tickets_panel

        # The person page lists the person's tickets without people importing tickets.
        register_person_panel("tickets/person_panel.html", person_tickets_panel)
