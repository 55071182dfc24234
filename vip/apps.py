from django.apps import AppConfig


class VipConfig(AppConfig):
    name = "vip"
    verbose_name = "VIP statuses"

    def ready(self) -> None:
        from itsm.audit import register_display_mask
        from itsm.demo import register_demo_data
        from itsm.roles import register_grants
        from vip import roles, seed
        from vip.models import VipStatus
        from vip.visibility import history_name

        register_grants(self.label, roles.GRANTS)
        register_demo_data(self.label, seed.seed)
        # History diffs name a confidential status only to those allowed to see it.
        register_display_mask(VipStatus, history_name)
