"""Notification preferences and unsubscribe links: `preferences_for` reads a user's switches
(all on by default), `notification_preferences_update` saves them (audited),
`unsubscribe_token` / `unsubscribe_url` sign a link that turns one kind off,
`unsubscribe_link_read` checks it and `reminder_unsubscribe` applies it, with no login: the link
is the credential, so its page shows the address only masked (`masked_email`).
"""

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit

from ..models import NotificationPreference
from .common import PREFERENCE_FOR_KIND, Kind, _url

UNSUBSCRIBE_SALT = "peermentor.reminders.unsubscribe"


def preferences_for(user: User) -> NotificationPreference:
    """The user's preferences; the defaults (everything on) when they never saved any."""
    try:
        return user.notification_preference  # select_related by the send path
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def unsubscribe_token(*, user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user: User, kind: str) -> str:
    return _url("reminder_unsubscribe", token=unsubscribe_token(user=user, kind=kind))


class InvalidUnsubscribeLink(Exception):
    pass


def unsubscribe_link_read(token: str) -> tuple[User, str]:
    """The (user, kind) an unsubscribe token names; InvalidUnsubscribeLink if it's not ours."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, kind = payload["u"], payload["k"]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidUnsubscribeLink(str(error)) from error
    if kind not in PREFERENCE_FOR_KIND:
        raise InvalidUnsubscribeLink(f"unknown kind {kind!r}")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise InvalidUnsubscribeLink("no such user")
    return user, kind


def masked_email(user: User) -> str:
    """ "a•••@example.org": enough to recognise one's address on a page anyone with the link
    (a forwarded email) can open."""
    local, _at, domain = user.email.partition("@")
    return f"{local[:1]}•••@{domain}"


@transaction.atomic
def notification_preferences_update(
    *, user: User, actor: User, **switches: bool
) -> NotificationPreference:
    """Save the user's notification switches (any of the five fields)."""
    unknown = set(switches) - set(PREFERENCE_FOR_KIND.values())
    if unknown:
        raise ValidationError(_("Unknown notification setting: %s") % ", ".join(sorted(unknown)))
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user
    )
    changed = {
        field: bool(value)
        for field, value in switches.items()
        if getattr(preference, field) != bool(value)
    }
    if changed:
        for field, value in changed.items():
            setattr(preference, field, value)
        preference.save()
        audit(organization=None, actor=actor, action="notifications.updated", **changed)
    return preference


def reminder_unsubscribe(*, user: User, kind: str) -> NotificationPreference:
    """Turn off one kind of email from a signed link (no login: the link is the credential)."""
    return notification_preferences_update(
        user=user, actor=user, **{PREFERENCE_FOR_KIND[Kind(kind)]: False}
    )
