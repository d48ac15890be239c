"""Background work for accounts. Each task imports the services it calls inside its body, so
the services can import this module to queue tasks without an import circle."""

from celery import shared_task

from .models import Invitation


@shared_task
def send_invitation_email(invitation_id: int) -> None:
    from . import services  # in the body: services queue this task (no import circle)

    invitation = (
        Invitation.objects.select_related("cohort__program", "organization", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open:
        return
    services.invitation_email_send(invitation=invitation)


@shared_task
def send_welcome_email(user_id: int) -> None:
    from . import welcome  # in the body: welcome queues this task (no import circle)
    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not welcome.welcome_needed(user):
        return
    welcome.welcome_email_send(user=user)
