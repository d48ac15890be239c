from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checkins"

    def ready(self):
        from accounts.signals import home_next_steps
        from contracts.signals import contract_signed

        from .receivers import home_next_steps_receiver, schedule_meetings_on_signing

        contract_signed.connect(
            schedule_meetings_on_signing, dispatch_uid="checkins.schedule_meetings_on_signing"
        )
        home_next_steps.connect(
            home_next_steps_receiver, dispatch_uid="checkins.home_next_steps_receiver"
        )
