from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied

from . import audit


class AccountAdapter(DefaultAccountAdapter):
    def get_from_email(self):
        return settings.DEFAULT_FROM_EMAIL

    def _client_ip(self, request) -> str | None:
        try:
            return self.get_client_ip(request)
        except PermissionDenied:  # no address to be found: still record the event
            return None

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
