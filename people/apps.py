from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from people.models import Person
        from vip.services import register_holder

        # Deleting a VIP status moves its holders to the default, with history.
        register_holder(Person, "vip_status")
