from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ItsmConfig(AppConfig):
    name = "itsm"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from itsm.roles import sync_roles_after_migrate
        from itsm.tokens import revoke_tokens_on_password_change

        # A production install (migrate, no demo data) has its role groups and their permissions.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="itsm.roles.sync")
        post_save.connect(revoke_tokens_on_password_change, sender=get_user_model(), dispatch_uid="itsm-revoke-tokens")
