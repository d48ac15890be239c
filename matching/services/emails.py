"""Emails: the messages the matching tasks send once a pair or a partner request changes.

Members of a published pair learn who their partner is and where to answer, and again when
the pair is active; the cohort's coordinators learn that a pair was declined; a partner
request is announced to the member asked, and its acceptance to the asker. The tasks in
`matching.tasks` call these after the change is committed.
"""

from django.conf import settings
from django.urls import reverse

from accounts.emails import send_templated_email
from accounts.welcome import welcome_needed, welcome_url

from .. import selectors
from ..models import Pair, PairMember, PartnerRequest

# Emails ----------------------------------------------------------------------------------


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _partner_url(pair: Pair) -> str:
    return _url("my_partner", org_slug=pair.organization.slug, cohort_id=pair.cohort_id)


def _partner_link(pair: Pair, user) -> tuple[str, bool]:
    """The partner page's address; for a member who has never signed in (an imported account),
    their one-time welcome link, which signs them in and lands on that page. Returns the
    address and whether it is a welcome link."""
    if welcome_needed(user):
        path = reverse(
            "my_partner", kwargs={"org_slug": pair.organization.slug, "cohort_id": pair.cohort_id}
        )
        return welcome_url(user=user, next_path=path), True
    return _partner_url(pair), False


def _send_to_each_member(pair: Pair, template: str) -> None:
    members = list(pair.members.select_related("user"))
    for member in members:
        partners = [other.user for other in members if other.user_id != member.user_id]
        partner_url, welcome = _partner_link(pair, member.user)
        send_templated_email(
            template=template,
            to=[member.user.email],
            context={
                "pair": pair,
                "member": member.user,
                "partners": partners,
                "partner_names": [partner.display_name for partner in partners],
                "cohort": pair.cohort,
                "organization": pair.organization,
                "partner_url": partner_url,
                "welcome": welcome,
                "welcome_max_age_days": settings.WELCOME_LINK_MAX_AGE_DAYS,
            },
        )


def pair_published_email_send(*, pair: Pair) -> None:
    """Each member learns who their proposed partner is, why, and where to answer."""
    _send_to_each_member(pair, "matching/emails/pair_published")


def pair_active_email_send(*, pair: Pair) -> None:
    _send_to_each_member(pair, "matching/emails/pair_active")


def pair_declined_email_send(*, pair: Pair) -> None:
    """The cohort's coordinators learn that a pair was declined, and why."""
    coordinators = [user.email for user in selectors.cohort_coordinators(cohort=pair.cohort)]
    if not coordinators:
        return
    members = list(pair.members.select_related("user"))
    send_templated_email(
        template="matching/emails/pair_declined",
        to=coordinators,
        context={
            "pair": pair,
            "names": [member.user.display_name for member in members],
            "declined": [m for m in members if m.response == PairMember.Response.DECLINED],
            "cohort": pair.cohort,
            "organization": pair.organization,
            "matching_url": _url(
                "matching_cohort", org_slug=pair.organization.slug, cohort_id=pair.cohort_id
            ),
        },
    )


def partner_request_email_send(*, partner_request: PartnerRequest) -> None:
    """Received (to the member asked) while pending; accepted (to the asker) once accepted."""
    cohort = partner_request.cohort
    context = {
        "partner_request": partner_request,
        "asker": partner_request.from_user,
        "asked": partner_request.to_user,
        "cohort": cohort,
        "organization": cohort.organization,
        "suggestions_url": _url(
            "matching_suggestions", org_slug=cohort.organization.slug, cohort_id=cohort.pk
        ),
        "partner_url": _url("my_partner", org_slug=cohort.organization.slug, cohort_id=cohort.pk),
    }
    if partner_request.status == PartnerRequest.Status.PENDING:
        send_templated_email(
            template="matching/emails/partner_request_received",
            to=[partner_request.to_user.email],
            context=context,
        )
    elif partner_request.status == PartnerRequest.Status.ACCEPTED:
        send_templated_email(
            template="matching/emails/partner_request_accepted",
            to=[partner_request.from_user.email],
            context=context,
        )
