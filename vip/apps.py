from django.apps import AppConfig


class VipConfig(AppConfig):
    name = "vip"
    verbose_name = "VIP statuses"

    def ready(self) -> None:
        from itsm.audit import register_display_mask
        from vip.models import VipStatus
        from vip.visibility import history_name

        # History diffs name a confidential status only to those allowed to see it.
        register_display_mask(VipStatus, history_name)
