from django.apps import AppConfig


class ItsmConfig(AppConfig):
    name = "itsm"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from itsm.tokens import revoke_tokens_on_password_change

        post_save.connect(revoke_tokens_on_password_change, sender=get_user_model(), dispatch_uid="itsm-revoke-tokens")
