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
