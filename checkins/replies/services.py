"""Writing a reply to a check-in."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.idempotency import AlreadyDone
from accounts.models import User
from accounts.services import audit
from matching.models import Pair, PairMember

from .. import limits
from ..models import CheckIn, CheckInReply
from ..reminders.partners import checkin_reply_notice_queue

ALREADY_REPLIED = gettext_lazy("Your reply is already in the thread.")
# A second identical reply within this time is the same submit again, not a new reply.
DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


@transaction.atomic
def checkin_reply_add(
    *, checkin: CheckIn, author: User, body: str, now: datetime.datetime | None = None
) -> CheckInReply:
    """Add the author's reply to the check-in's thread and email the other partner."""
    now = now or timezone.now()
    # Lock the check-in: replies to one thread are counted and compared one at a time.
    checkin = (
        CheckIn.objects.select_for_update()
        .select_related("meeting__pair", "meeting__organization")
        .get(pk=checkin.pk)
    )
    pair = checkin.meeting.pair
    if not PairMember.objects.filter(pair=pair, user=author).exists():
        raise ValidationError(_("Only the partners of this pair can reply to its check-ins."))
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("This partnership has ended, so its threads are closed."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a reply first.")})
    latest = checkin.replies.order_by("-created_at", "-pk").first()
    if (
        latest is not None
        and latest.author_id == author.pk
        and latest.body == body
        and now - latest.created_at < DUPLICATE_WINDOW
    ):
        raise AlreadyDone(ALREADY_REPLIED)
    if checkin.replies.count() >= limits.REPLIES_PER_CHECKIN_MAX:
        raise ValidationError(
            _(
                "This thread is full (%(count)s replies). Talk it over at your next meeting, "
                "or reply to a newer check-in."
            )
            % {"count": limits.REPLIES_PER_CHECKIN_MAX}
        )
    recent = CheckInReply.objects.filter(
        author=author, created_at__gt=now - datetime.timedelta(hours=1)
    ).count()
    if recent >= limits.REPLIES_PER_HOUR_MAX:
        raise ValidationError(
            _("You have written %(count)s replies in the last hour. Please wait a little.")
            % {"count": limits.REPLIES_PER_HOUR_MAX}
        )
    reply = CheckInReply(
        organization=checkin.meeting.organization, checkin=checkin, author=author, body=body
    )
    reply.full_clean()
    reply.save()
    checkin_reply_notice_queue(reply=reply)
    audit(
        organization=checkin.meeting.organization,
        actor=author,
        action="checkin.replied",
        checkin=checkin.pk,
        pair=pair.pk,
    )
    return reply
