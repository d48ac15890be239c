"""Every view refuses a POST without a CSRF token, and nothing opts out of the check.

The URL resolver is walked for every route (ours, allauth's, the admin's, i18n's). Each gets a
POST without a token from a client that enforces CSRF checks, logged in as someone who may use
the view (or anonymous, for the pages meant for visitors), and must be refused by the CSRF
check itself: a 403 from a permission check would prove nothing.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.models import User
from accounts.services import invitation_token
from accounts.welcome import welcome_url
from checkins.models import CalendarFeed, Reminder
from checkins.reminders import unsubscribe_token
from tests.factories import UserFactory
from tests.test_isolation import ROUTES, build_world, project_state

pytestmark = pytest.mark.django_db

REFUSED = "X-Test-CSRF-Refused"

# Pages meant for visitors who are not logged in: they are tried anonymously.
VISITOR_ROUTES = {
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_confirm_login_code",
    "account_inactive",
    "mfa_authenticate",
    "invitation_accept",
    "welcome",
    "contract_verify",
    "reminder_unsubscribe",
}
# Routes outside /o/<org>/ that the walk must reach; a rename must not make them drop out.
MUST_BE_WALKED = {
    "invitation_accept",
    "welcome",
    "calendar_feed_reset",
    "notification_preferences",
    "reminder_unsubscribe",
    "contract_verify",
    "account_login",
    "account_logout",
    "account_signup",
    "account_change_password",
    "account_email",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "set_language",
    "admin:login",
}
# Sample values for the arguments of third-party routes: the CSRF check runs before the view,
# so the URL only has to resolve.
SAMPLE_ARGUMENTS = {"key": "abc-123", "uidb36": "1", "app_label": "accounts", "url": "x/"}
PATH_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_ARGUMENT = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def csrf_refused(request, reason=""):
    """Stands in for Django's CSRF failure view so a refusal can't be mistaken for another 403."""
    response = HttpResponseForbidden("CSRF check failed")
    response[REFUSED] = reason or "refused"
    return response


def all_routes(resolver=None, prefix="", namespace=""):
    """(name or pattern, full pattern, callback) of every route the project serves."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += all_routes(entry, pattern, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else pattern
            found.append((name, pattern, entry.callback))
    return found


def sample_value(name, converter=None):
    if name in SAMPLE_ARGUMENTS:
        return SAMPLE_ARGUMENTS[name]
    return "1" if converter in (None, "int", "path") else "x1"


def url_from_pattern(pattern: str) -> str:
    """A URL that the (path or regex) pattern matches, with sample argument values."""
    url = REGEX_ARGUMENT.sub(lambda m: sample_value(m["name"]), pattern)
    url = PATH_ARGUMENT.sub(lambda m: sample_value(m["name"], m["converter"]), url)
    return "/" + url.replace("^", "").replace("$", "")


@pytest.fixture
def world(organization, program, cohort, coordinator, member):
    return build_world(organization, program, cohort, coordinator, member)


def _imported_account():
    user = User(email="imported@csrf.test")
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def own_arguments(world):
    """Real arguments for our routes outside /o/<org>/ that take any."""
    feed = CalendarFeed.objects.create(user=world.coordinator)
    kind = Reminder.Kind.MEETING_DAY_BEFORE
    return {
        "invitation_accept": {"token": invitation_token(world.invitation)},
        "welcome": {"token": welcome_url(user=_imported_account()).rstrip("/").rsplit("/", 1)[1]},
        "calendar_feed": {"token": feed.token},
        "reminder_unsubscribe": {"token": unsubscribe_token(user=world.enrolled_member, kind=kind)},
    }


def enforcing_client(user=None):
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def url_for(name, pattern, world, own_arguments):
    if name in ROUTES:  # under /o/<org>/: the isolation tables build real URLs
        return reverse(name, kwargs=ROUTES[name].kwargs(world))
    if name in own_arguments:
        return reverse(name, kwargs=own_arguments[name])
    return url_from_pattern(pattern)


def test_the_walk_reaches_every_kind_of_route():
    names = {name for name, _pattern, _callback in all_routes()}

    assert sorted(MUST_BE_WALKED - names) == []
    assert "organization_security" in names and "member_import" in names


def test_every_route_refuses_a_post_without_a_csrf_token(settings, world, own_arguments):
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_refused"
    coordinator = enforcing_client(world.coordinator)
    admin = enforcing_client(UserFactory(is_staff=True, is_superuser=True))
    visitor = enforcing_client()
    requests = []
    for name, pattern, callback in all_routes():
        url = url_for(name, pattern, world, own_arguments)
        assert resolve(url).func == callback, f"{name}: {url} resolves elsewhere"
        if name.startswith("admin:") or pattern.startswith("admin/"):
            client = admin
        else:
            client = visitor if name in VISITOR_ROUTES else coordinator
        requests.append((name, url, client))
    before = project_state()

    accepted = []
    for name, url, client in requests:
        response = client.post(url, {"anything": "1"})
        if response.status_code != 403 or REFUSED not in response:
            accepted.append(f"{name} ({url}): {response.status_code}")

    assert accepted == [], "POSTs without a CSRF token that got past the check"
    assert project_state() == before
    assert len(requests) > 100


def test_the_same_post_with_the_token_passes_the_check(settings, world):
    """The refusals above come from the missing token, not from the client or the view."""
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_refused"
    client = enforcing_client(world.coordinator)
    client.get(reverse("home"))
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    url = reverse("organization_security", kwargs={"org_slug": world.organization.slug})

    response = client.post(url, {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert REFUSED not in response


def test_no_code_opts_out_of_the_csrf_check():
    root = Path(django_settings.BASE_DIR)
    needle = "csrf_" + "exempt"  # spelled apart so this file doesn't find itself
    skipped = {".venv", "node_modules", "static", "staticfiles", "media", "var", ".git"}
    found = [
        str(path.relative_to(root))
        for suffix in ("*.py", "*.html", "*.txt")
        for path in root.rglob(suffix)
        if not skipped & set(path.relative_to(root).parts)
        and needle in path.read_text(encoding="utf-8", errors="replace")
    ]

    assert found == []
