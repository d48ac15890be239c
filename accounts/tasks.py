from celery import shared_task

from . import services
from .models import Invitation


@shared_task
def send_invitation_email(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("cohort__program", "organization", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open:
        return
    services.invitation_email_send(invitation=invitation)
