from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checkins"

    def ready(self):
        from contracts.signals import contract_signed

        from .receivers import schedule_meetings_on_signing

        contract_signed.connect(
            schedule_meetings_on_signing, dispatch_uid="checkins.schedule_meetings_on_signing"
        )
