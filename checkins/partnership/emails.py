"""The emails of an ended partnership: the partners are told (without the private reason) and
the organization's coordinators are told (with it), each in their own language."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.emails import send_templated_email
from accounts.language import user_language
from accounts.models import Membership, User

from .. import schedule
from ..models import PartnershipEnding
from ..selectors import pair_timezone


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _wrap_up_when(ending: PartnershipEnding, zone) -> str:
    if ending.wrap_up is None:
        return ""
    local = timezone.localtime(ending.wrap_up.starts_at, zone)
    return f"{date_format(local, 'l j F Y, H:i')} ({zone.key})"


def partnership_ended_email_send(*, ending_id: int) -> None:
    ending = (
        PartnershipEnding.objects.select_related(
            "organization", "cohort", "pair", "ended_by", "wrap_up"
        )
        .filter(pk=ending_id)
        .first()
    )
    if ending is None:
        return
    partners = list(User.objects.filter(pair_memberships__pair_id=ending.pair_id).order_by("pk"))
    org = {"org_slug": ending.organization.slug}
    common = {
        "ending": ending,
        "organization": ending.organization,
        "cohort": ending.cohort,
        "actor": ending.ended_by,
        "partners": partners,
        "partner_names": " & ".join(p.display_name for p in partners),
    }
    zone = schedule.zone(pair_timezone(pair=ending.pair))
    for user in partners:
        if user.pk == ending.ended_by_id or not user.is_active:
            continue
        language = user_language(user)
        with translation.override(language):
            context = common | {
                # The wrap-up meeting's time as the pair meets: in the pair's time zone.
                "wrap_up_when": _wrap_up_when(ending, zone),
                "user": user,
                "home_url": _url("my_partner", **org, cohort_id=ending.cohort_id),
                "pair_url": _url("pair_detail", **org, pair_id=ending.pair_id),
            }
        send_templated_email(
            template="checkins/emails/partnership_ended",
            to=[user.email],
            context=context,
            language=language,
        )
    coordinators = User.objects.filter(
        memberships__organization=ending.organization,
        memberships__role=Membership.Role.COORDINATOR,
        is_active=True,
    ).order_by("pk")
    for user in coordinators:
        if user.pk == ending.ended_by_id:
            continue
        language = user_language(user)
        with translation.override(language):
            context = common | {
                "user": user,
                "reason": ending.get_reason_display(),
                "kind": ending.get_kind_display(),
                "pair_url": _url("pair_detail", **org, pair_id=ending.pair_id),
                "unpaired_url": _url("matching_cohort", **org, cohort_id=ending.cohort_id),
            }
        send_templated_email(
            template="checkins/emails/partnership_ended_coordinators",
            to=[user.email],
            context=context,
            language=language,
        )
