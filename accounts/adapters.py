from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.core.exceptions import PermissionDenied

from . import audit, services
from .models import Membership

# allauth's names for the ways in that prove the inbox: a password reset link, a sign-in code.
INBOX_PROVEN_BY = ("password_reset", "code")


class AccountAdapter(DefaultAccountAdapter):
    def get_from_email(self):
        return settings.DEFAULT_FROM_EMAIL

    def _client_ip(self, request) -> str | None:
        try:
            return self.get_client_ip(request)
        except PermissionDenied:  # no address to be found: still record the event
            return None

    def send_mail(self, template_prefix, email, context):
        # allauth's messages greet with the product and, for a member, their organization,
        # never with the host name the request came in on.
        context = {
            "site_url": settings.SITE_URL,
            "organization_name": _organization_name(email),
            "email": email,
            **context,
        }
        super().send_mail(template_prefix, email, context)

    # Before the login stages run: an address proven by a reset link or an emailed code is
    # marked verified, so the email verification stage does not send a second round trip.
    # allauth verifies on a code only when the address row exists, and imported accounts
    # have none; a password reset it does not count at all.
    def pre_login(self, request, user, **kwargs):
        records = get_authentication_records(request, user)
        if records and records[-1].get("method") in INBOX_PROVEN_BY:
            email = records[-1].get("email") or kwargs.get("email") or user.email
            services.email_address_verify(user=user, email=email)
        return super().pre_login(request, user, **kwargs)

    # allauth calls `login` once the session is established: after every stage (email
    # verification, two-factor code) has passed, for password logins, logins after a password
    # reset or an email confirmation, and the admin login, which goes through allauth.
    def login(self, request, user):
        super().login(request, user)
        audit.login_succeeded_record(user=user, ip=self._client_ip(request))

    # Called for every wrong email/password pair, including a wrong password re-entered to
    # confirm a sensitive action (allauth's reauthentication). Not for rate-limited attempts,
    # which are refused before the credentials are checked.
    def authentication_failed(self, request, **credentials):
        super().authentication_failed(request, **credentials)
        audit.login_failed_record(
            email=credentials.get("email") or credentials.get("username") or "",
            ip=self._client_ip(request),
        )


def _organization_name(email: str) -> str:
    membership = (
        Membership.objects.filter(user__email__iexact=email)
        .select_related("organization")
        .order_by("created_at", "pk")
        .first()
    )
    return membership.organization.name if membership else ""


def client_ip(request) -> str | None:
    """The client's address as allauth reads it: behind `TRUSTED_PROXY_COUNT` proxies, from
    X-Forwarded-For; otherwise REMOTE_ADDR. None when there is none."""
    return AccountAdapter(request)._client_ip(request)
