from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "profiles"

    def ready(self):
        from accounts.signals import invitation_accepted

        from .receivers import apply_import_on_acceptance

        invitation_accepted.connect(
            apply_import_on_acceptance, dispatch_uid="profiles.apply_import_on_acceptance"
        )
