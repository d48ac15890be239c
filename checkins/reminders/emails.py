"""The reminder emails: `reminder_email_context` builds what each kind's template shows (the
meeting and partners, the digest's at-risk pairs, the program message) with the links to the
site, the preferences and the one-click unsubscribe, and `reminder_email_send` renders and
sends it in the recipient's language.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation

from accounts.emails import send_templated_email
from accounts.language import user_language
from matching.models import Pair

from .. import selectors
from ..models import CheckInReply, Reminder
from ..nudges import BLOCKER_BACK, CONFIDENCE_DROPPING
from .common import MEETING_KINDS, PARTNER_KINDS, PREFERENCE_FOR_KIND, Kind, _url
from .messages import _iso_week, at_risk_pairs
from .preferences import unsubscribe_url


def _meeting_context(reminder: Reminder) -> dict:
    meeting = reminder.meeting
    members = list(reminder.pair.members.select_related("user"))
    partners = [m.user for m in members if m.user_id != reminder.recipient_id]
    org = {"org_slug": reminder.organization.slug}
    return {
        "meeting": meeting,
        "partners": partners,
        "partner_names": ", ".join(partner.display_name for partner in partners),
        # The zone the pair meets in, as the meeting pages show it.
        "time_zone": selectors.pair_timezone(pair=reminder.pair, contract=meeting.contract),
        "meeting_url": _url("pair_detail", **org, pair_id=meeting.pair_id),
        "checkin_url": _url("checkin_create", **org, meeting_id=meeting.pk),
    }


# How many of the partner's latest replies a reply email quotes (the rest are on the page).
REPLIES_QUOTED = 3


def _partner_context(reminder: Reminder) -> dict:
    """The check-in a reply or a nudge is about, its author and the links to its thread."""
    checkin = reminder.checkin
    author_id = reminder.data.get("author_id", checkin.user_id)
    author = next(
        (m.user for m in reminder.pair.members.select_related("user") if m.user_id == author_id),
        checkin.user,
    )
    org = {"org_slug": reminder.organization.slug}
    context = {
        "checkin": checkin,
        "author": author,
        "meeting_day": checkin.meeting.starts_at,
        "time_zone": selectors.pair_timezone(pair=reminder.pair),
        "thread_url": _url("checkin_replies", **org, checkin_id=checkin.pk),
        "pair_url": _url("pair_detail", **org, pair_id=reminder.pair_id),
        "own_checkin": checkin.user_id == reminder.recipient_id,
    }
    if reminder.kind == Kind.CHECKIN_REPLY:
        latest = CheckInReply.objects.filter(checkin=checkin, author_id=author_id).order_by(
            "-created_at", "-pk"
        )[:REPLIES_QUOTED]
        context["replies"] = list(reversed(latest))
    else:
        reasons = reminder.data.get("reasons", [])
        context["confidence_dropping"] = CONFIDENCE_DROPPING in reasons
        context["blocker_back"] = BLOCKER_BACK in reasons
    return context


def reminder_email_context(reminder: Reminder, *, now: datetime) -> dict:
    context = {
        "reminder": reminder,
        "recipient": reminder.recipient,
        "organization": reminder.organization,
        "cohort": reminder.cohort,
        "preferences_url": _url("notification_preferences"),
        # A partnership's review can't be turned off: it asks for a decision.
        "unsubscribe_url": unsubscribe_url(user=reminder.recipient, kind=reminder.kind)
        if reminder.kind in PREFERENCE_FOR_KIND
        else "",
        "kind_label": reminder.get_kind_display(),
    }
    if reminder.kind in MEETING_KINDS:
        context |= _meeting_context(reminder)
    elif reminder.kind in PARTNER_KINDS:
        context |= _partner_context(reminder)
    elif reminder.kind == Kind.COORDINATOR_DIGEST:
        context |= {
            "at_risk": at_risk_pairs(cohort=reminder.cohort, now=now),
            "active_pairs": reminder.cohort.pairs.filter(status=Pair.Status.ACTIVE).count(),
            "week": reminder.data.get("week", _iso_week(now)),
            "cohort_url": settings.SITE_URL + reminder.cohort.get_absolute_url(),
        }
    elif reminder.kind == Kind.PARTNERSHIP_REVIEW:
        partners = [
            m.user
            for m in reminder.pair.members.select_related("user")
            if m.user_id != reminder.recipient_id
        ]
        context |= {
            "partners": partners,
            "partner_names": ", ".join(partner.display_name for partner in partners),
            "due_on": datetime.fromisoformat(reminder.data["due_on"]).date()
            if reminder.data.get("due_on")
            else None,
            "review_url": _url(
                "partnership_review", org_slug=reminder.organization.slug, pair_id=reminder.pair_id
            ),
        }
    elif reminder.kind == Kind.PROGRAM_MESSAGE:
        context |= {
            "message_subject": reminder.data.get("subject", ""),
            "message_body": reminder.data.get("body", ""),
            "sender": reminder.data.get("sender", ""),
        }
    return context


def reminder_email_send(*, reminder: Reminder, now: datetime | None = None) -> None:
    # The context holds texts made in Python (labels, at-risk reasons): the recipient's language.
    language = user_language(reminder.recipient)
    with translation.override(language):
        context = reminder_email_context(reminder, now=now or timezone.now())
    send_templated_email(
        template=f"checkins/emails/reminder_{reminder.kind}",
        to=[reminder.recipient.email],
        context=context,
        language=language,
    )
