from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        from itsm.health import register_check
        from outbox.selectors import stuck_problem

        # A load balancer or monitor sees mail that has stopped going out.
        register_check("outbox", stuck_problem)
