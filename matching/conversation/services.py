"""Writes for the partners' thread: messages (each emailed to the other members) and the
pair's one intro call proposal."""

import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.dates import validate_date_in_window
from accounts.emails import send_templated_email
from accounts.idempotency import AlreadyDone
from accounts.models import Cohort, User
from accounts.services import EmailLimitReached, audit, email_quota_take
from accounts.welcome import welcome_needed, welcome_url
from profiles.models import Profile

from .. import limits, tasks
from ..models import IntroCall, Pair, PairMessage

WRITABLE = (Pair.Status.PUBLISHED, Pair.Status.ACTIVE)


def _locked(pair: Pair, user: User) -> tuple[Pair, list[int]]:
    """The pair's row, locked, and its members' ids; refused unless `user` may write in it."""
    pair = Pair.objects.select_for_update().select_related("cohort", "organization").get(pk=pair.pk)
    member_ids = list(pair.members.values_list("user_id", flat=True))
    if user.pk not in member_ids:
        raise ValidationError(_("You are not in this pair."))
    if pair.status not in WRITABLE:
        raise ValidationError(
            _("This pairing has ended: you can read the messages, but not write new ones.")
        )
    if pair.cohort.status == Cohort.Status.CLOSED:
        raise ValidationError(
            _("The cohort is closed: you can read the messages, but not write new ones.")
        )
    return pair, member_ids


def _take_email_quota(pair: Pair, count: int) -> bool:
    """Count `count` emails against the organization's daily limit; False (nothing counted)
    when the limit refuses them."""
    try:
        with transaction.atomic():
            email_quota_take(organization=pair.organization, count=count)
    except EmailLimitReached:
        return False
    return True


def _thread_link(pair: Pair, recipient: User) -> tuple[str, bool]:
    """The thread's address for `recipient`, and whether it is their one-time welcome link
    (for a member who has never signed in)."""
    path = thread_path(pair)
    if welcome_needed(recipient):
        return welcome_url(user=recipient, next_path=path), True
    return settings.SITE_URL + path, False


# Messages --------------------------------------------------------------------------------


@transaction.atomic
def pair_message_send(
    *, pair: Pair, author: User, body: str, now: datetime.datetime | None = None
) -> PairMessage:
    """Add a message to the pair's thread and email it to the other members.

    The email counts against the organization's daily email limit; when the limit refuses it,
    the message is still saved (with `emailed=False`) for the others to read in the thread.
    """
    now = now or timezone.now()
    pair, member_ids = _locked(pair, author)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write your message first.")})
    thread = PairMessage.objects.filter(pair=pair)
    last = thread.first()
    if (
        last is not None
        and last.author_id == author.pk
        and last.body == body
        and now - last.created_at < datetime.timedelta(seconds=limits.DUPLICATE_MESSAGE_SECONDS)
    ):
        raise AlreadyDone(_("This message was already sent."))
    today = thread.filter(created_at__gt=now - datetime.timedelta(days=1)).count()
    if today >= limits.MESSAGES_PER_PAIR_PER_DAY:
        raise ValidationError(
            ngettext(
                "Your pair has written %(count)d message in the last 24 hours, the most a day "
                "allows. Write again later, or meet and talk.",
                "Your pair has written %(count)d messages in the last 24 hours, the most a day "
                "allows. Write again later, or meet and talk.",
                today,
            )
            % {"count": today}
        )
    if thread.count() >= limits.MESSAGES_PER_PAIR_TOTAL:
        raise ValidationError(
            _(
                "Your thread has reached its %(count)d messages, the most one pair can write. "
                "Keep in touch by email or meet and talk."
            )
            % {"count": limits.MESSAGES_PER_PAIR_TOTAL}
        )
    message = PairMessage(pair=pair, author=author, body=body, created_at=now)
    message.full_clean()
    message.emailed = _take_email_quota(pair, len(member_ids) - 1)
    message.save()
    audit(
        organization=pair.organization,
        actor=author,
        action="pair.message_sent",
        pair=pair.pk,
        message=message.pk,
        emailed=message.emailed,
    )
    if message.emailed:
        transaction.on_commit(partial(tasks.send_pair_message_email.delay, message.pk))
    return message


def thread_path(pair: Pair) -> str:
    return reverse(
        "pair_conversation", kwargs={"org_slug": pair.organization.slug, "pair_id": pair.pk}
    )


def pair_message_email_send(*, message: PairMessage) -> None:
    """Each other member of the pair gets the message, with a link to the thread. Nobody's
    email address is in it: the author's stays hidden until everyone has accepted, and replies
    are written in the thread."""
    pair = message.pair
    for member in pair.members.select_related("user").exclude(user_id=message.author_id):
        recipient = member.user
        url, welcome = _thread_link(pair, recipient)
        send_templated_email(
            template="matching/emails/pair_message",
            to=[recipient.email],
            context={
                "message": message,
                "author": message.author,
                "recipient": recipient,
                "pair": pair,
                "proposed": pair.status == Pair.Status.PUBLISHED,
                "cohort": pair.cohort,
                "organization": pair.organization,
                "thread_url": url,
                "welcome": welcome,
                "welcome_max_age_days": settings.WELCOME_LINK_MAX_AGE_DAYS,
            },
        )


# The intro call --------------------------------------------------------------------------


def _validate_call_time(starts_at: datetime.datetime, now: datetime.datetime) -> None:
    validate_date_in_window(starts_at)
    if starts_at <= now:
        raise ValidationError({"starts_at": _("Choose a time that is still ahead.")})
    if starts_at > now + datetime.timedelta(days=limits.INTRO_CALL_DAYS_AHEAD):
        raise ValidationError(
            {
                "starts_at": ngettext(
                    "Choose a time within the next %(days)d day.",
                    "Choose a time within the next %(days)d days.",
                    limits.INTRO_CALL_DAYS_AHEAD,
                )
                % {"days": limits.INTRO_CALL_DAYS_AHEAD}
            }
        )


@transaction.atomic
def intro_call_propose(
    *, pair: Pair, user: User, starts_at: datetime.datetime, now: datetime.datetime | None = None
) -> IntroCall:
    """Propose a time for a first call; it replaces the pair's current proposal, agreed or not.
    The other members are emailed (counted against the daily email limit; the returned call's
    `emailed` says whether the limit let the email go)."""
    now = now or timezone.now()
    pair, member_ids = _locked(pair, user)
    _validate_call_time(starts_at, now)
    call = IntroCall.objects.filter(pair=pair).first() or IntroCall(pair=pair)
    if call.pk and call.starts_at == starts_at:
        if call.status == IntroCall.Status.ACCEPTED:
            raise AlreadyDone(_("You have already agreed on this time."))
        if call.proposed_by_id == user.pk:
            raise AlreadyDone(_("You have already proposed this time."))
    call.starts_at = starts_at
    call.status = IntroCall.Status.PROPOSED
    call.proposed_by = user
    call.proposed_at = now
    call.accepted_at = None
    call.full_clean()
    call.save()
    call.emailed = _take_email_quota(pair, len(member_ids) - 1)
    audit(
        organization=pair.organization,
        actor=user,
        action="pair.intro_call_proposed",
        pair=pair.pk,
        starts_at=starts_at.isoformat(),
        emailed=call.emailed,
    )
    if call.emailed:
        transaction.on_commit(
            partial(tasks.send_intro_call_email.delay, call.pk, IntroCall.Status.PROPOSED, user.pk)
        )
    return call


@transaction.atomic
def intro_call_accept(
    *,
    pair: Pair,
    user: User,
    starts_at: datetime.datetime,
    now: datetime.datetime | None = None,
) -> IntroCall:
    """Accept the time the partner proposed. `starts_at` is the time the member saw: if the
    proposal changed meanwhile, nothing is accepted. The others are emailed as for a proposal."""
    now = now or timezone.now()
    pair, member_ids = _locked(pair, user)
    call = IntroCall.objects.filter(pair=pair).first()
    if call is None:
        raise ValidationError(_("No intro call has been proposed yet."))
    if call.starts_at != starts_at:
        raise ValidationError(_("The proposed time has changed meanwhile: read it again."))
    if call.status == IntroCall.Status.ACCEPTED:
        raise AlreadyDone(_("You have already agreed on this time."))
    if call.proposed_by_id == user.pk:
        raise ValidationError(
            _("You proposed this time: your partner accepts it or proposes another.")
        )
    if call.starts_at <= now:
        raise ValidationError(_("This time has passed: propose another one."))
    call.status = IntroCall.Status.ACCEPTED
    call.accepted_at = now
    call.full_clean()
    call.save(update_fields=["status", "accepted_at"])
    call.emailed = _take_email_quota(pair, len(member_ids) - 1)
    audit(
        organization=pair.organization,
        actor=user,
        action="pair.intro_call_accepted",
        pair=pair.pk,
        starts_at=starts_at.isoformat(),
        emailed=call.emailed,
    )
    if call.emailed:
        transaction.on_commit(
            partial(tasks.send_intro_call_email.delay, call.pk, IntroCall.Status.ACCEPTED, user.pk)
        )
    return call


def intro_call_email_send(*, call: IntroCall, kind: str, actor: User) -> None:
    """The other members learn the time `actor` proposed or accepted, in their own time zone
    (their profile's in the pair's organization)."""
    pair = call.pair
    others = list(pair.members.select_related("user").exclude(user_id=actor.pk))
    zones = dict(
        Profile.objects.for_organization(pair.organization_id)
        .filter(user_id__in=[member.user_id for member in others])
        .exclude(timezone="")
        .values_list("user_id", "timezone")
    )
    for member in others:
        recipient = member.user
        url, welcome = _thread_link(pair, recipient)
        send_templated_email(
            template="matching/emails/intro_call",
            to=[recipient.email],
            context={
                "call": call,
                "accepted": kind == IntroCall.Status.ACCEPTED,
                "actor": actor,
                "recipient": recipient,
                "zone": zones.get(recipient.pk, "UTC"),
                "pair": pair,
                "cohort": pair.cohort,
                "organization": pair.organization,
                "thread_url": url,
                "welcome": welcome,
                "welcome_max_age_days": settings.WELCOME_LINK_MAX_AGE_DAYS,
            },
        )
