"""Emails: what the partners hear when a contract is ready for signature, signed by one, or signed.

`_email_on_commit` queues `contract_email_send` for after the commit, so that nobody hears of a
change that was rolled back; it sends one email per recipient, with a link to the contract:
`contract_ready` and `contract_partner_signed` to the partners of the one who acted,
`contract_signed` to every partner once the last one has signed.
"""

from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accounts.emails import send_templated_email
from accounts.models import User

from ..models import Contract
from .common import _partner_ids

# Emails ------------------------------------------------------------------------------------


def _email_on_commit(template: str, contract: Contract, actor: User, recipient_ids) -> None:
    """Send after the commit, so nobody hears of a change that was rolled back; a failing
    mail server is logged rather than turning a saved signature into an error page."""
    transaction.on_commit(
        partial(
            contract_email_send,
            template=template,
            contract_id=contract.pk,
            actor_id=actor.pk,
            recipient_ids=sorted(recipient_ids),
        ),
        robust=True,
    )


def contract_email_send(
    *, template: str, contract_id: int, actor_id: int | None, recipient_ids: Sequence[int]
) -> None:
    """One email per recipient: `contract_ready` and `contract_partner_signed` to the partners
    of the one who acted, `contract_signed` to everyone once the last partner has signed."""
    contract = (
        Contract.objects.select_related("organization", "cohort").filter(pk=contract_id).first()
    )
    if contract is None:
        return
    users = {user.pk: user for user in User.objects.filter(pk__in=[*recipient_ids, actor_id])}
    url = settings.SITE_URL + reverse(
        "contract_detail",
        kwargs={"org_slug": contract.organization.slug, "contract_id": contract.pk},
    )
    partners = [users[pk] for pk in sorted(_partner_ids(contract)) if pk in users]
    for recipient_id in recipient_ids:
        recipient = users.get(recipient_id)
        if recipient is None:
            continue
        send_templated_email(
            template=template,
            to=[recipient.email],
            context={
                "contract": contract,
                "recipient": recipient,
                "actor": users.get(actor_id),
                "partners": [p for p in partners if p.pk != recipient_id],
                "partner_names": [p.display_name for p in partners if p.pk != recipient_id],
                "cohort": contract.cohort,
                "organization": contract.organization,
                "contract_url": url,
            },
        )
