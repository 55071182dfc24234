from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from itsm.demo import register_demo_data
        from itsm.roles import register_grants
        from people import roles, seed

        register_grants(self.label, roles.GRANTS)
        register_demo_data(self.label, seed.seed)

        from people.models import Person
        from vip.services import register_holder

        # Deleting a VIP status moves its holders to the default, with history.
        register_holder(Person, "vip_status")
