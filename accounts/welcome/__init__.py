"""The welcome link: how a member whose account a coordinator made (an import) gets in.

One emailed link proves the address, lets the member choose a password (or go on without one
and sign in by emailed code later), signs them in and lands on their next step. The link is
signed, expires after `WELCOME_LINK_MAX_AGE_DAYS`, and works once: it carries a key derived
from the account's password hash and last login, both of which change when it is used (like
Django's password reset tokens), so no row has to remember it.

Who needs one: an account that never signed in and has no password
(`welcome_needed`). The import sends it at once when the coordinator asks; otherwise the
published matching's email carries it (`matching.services.emails`).
"""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .. import tasks
from ..emails import send_templated_email
from ..models import Membership, User
from ..services import email_address_verify

WELCOME_SALT = "peermentor.welcome"


class WelcomeLinkError(Exception):
    """A welcome link that cannot be used; the message is shown to the visitor."""


def welcome_needed(user: User) -> bool:
    """The account was made for the member and they have never been in."""
    return user.last_login is None and not user.has_usable_password()


def _key(user: User) -> str:
    state = f"{user.pk}|{user.email}|{user.password}|{user.last_login}"
    return salted_hmac(WELCOME_SALT, state, secret=settings.SECRET_KEY).hexdigest()[:32]


def welcome_url(*, user: User, next_path: str = "") -> str:
    """The one-time link for `user`; `next_path` is where it lands (else the home page)."""
    token = signing.dumps({"u": user.pk, "k": _key(user), "n": next_path}, salt=WELCOME_SALT)
    return settings.SITE_URL + reverse("welcome", kwargs={"token": token})


def welcome_from_token(token: str) -> tuple[User, str]:
    """The account a link stands for and where it lands, or WelcomeLinkError saying why not."""
    try:
        payload = signing.loads(
            token, salt=WELCOME_SALT, max_age=settings.WELCOME_LINK_MAX_AGE_DAYS * 86400
        )
    except signing.SignatureExpired as error:
        raise WelcomeLinkError(_("This sign-in link has expired.")) from error
    except signing.BadSignature as error:
        raise WelcomeLinkError(
            _("This sign-in link is not valid. Check that you copied the whole link.")
        ) from error
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None:
        raise WelcomeLinkError(_("This sign-in link is not valid."))
    if not constant_time_compare(str(payload.get("k", "")), _key(user)):
        raise WelcomeLinkError(_("This sign-in link has been used already."))
    next_path = payload.get("n") or ""
    if not url_has_allowed_host_and_scheme(next_path, allowed_hosts=None):
        next_path = ""
    return user, next_path or reverse("home")


@transaction.atomic
def welcome_accept(*, user: User, password: str = "") -> User:
    """The member followed their link (`user` as `welcome_from_token` found it): the address is
    proven, the password (if they chose one) is set, and the link is spent. The caller signs
    them in.

    The link's key is checked again on the locked row and `last_login` set here, so of two
    submits at once only the first gets in.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not constant_time_compare(_key(locked), _key(user)):
        raise WelcomeLinkError(_("This sign-in link has been used already."))
    locked.last_login = timezone.now()
    if password:
        locked.set_password(password)
    locked.save(update_fields=["last_login", "password"])
    email_address_verify(user=locked, email=locked.email)
    return locked


def welcome_email_send(*, user: User) -> None:
    membership = (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("created_at", "pk")
        .first()
    )
    send_templated_email(
        template="accounts/emails/welcome",
        to=[user.email],
        context={
            "member": user,
            "organization": membership.organization if membership else None,
            "welcome_url": welcome_url(user=user),
            "max_age_days": settings.WELCOME_LINK_MAX_AGE_DAYS,
        },
    )


def welcome_emails_queue(*, user_ids: list[int]) -> None:
    """Send each account its welcome email once the caller's transaction commits."""
    for user_id in user_ids:
        transaction.on_commit(lambda user_id=user_id: tasks.send_welcome_email.delay(user_id))
