"""Two-factor authentication: any user can turn it on; an organization can require it of its
coordinators, and only a coordinator who uses it can make that rule."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Membership
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def totp_code(secret: str) -> str:
    """The authenticator app's current code. Close to the end of a period, wait for the next,
    so that the code is still the current one when the server checks it."""
    period = mfa_settings.TOTP_PERIOD
    if time.time() % period > period - 2:
        time.sleep(2.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def another_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def log_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def activate_totp(client) -> str:
    """Set up TOTP through allauth's pages as the user would; returns the secret."""
    asked = client.get(reverse("mfa_activate_totp"))
    # allauth asks for the password again before a change to the account's security.
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:500]
    return secret


def with_totp(user):
    TOTP.activate(user, generate_totp_secret())
    return user


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def security_url(organization):
    return reverse("organization_security", kwargs={"org_slug": organization.slug})


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def strict_organization(organization):
    organization.require_coordinator_mfa = True
    organization.save()
    return organization


# Any user can turn it on, and then logging in asks for the code -----------------------------------


def test_the_user_menu_links_to_two_factor_authentication(client_for, member):
    page = client_for(member).get(reverse("home")).content.decode()

    assert reverse("mfa_index") in page


def test_after_activating_totp_logging_in_asks_for_the_code(client, member, organization):
    log_in(client, member)
    activate_totp(client)
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    client.post(reverse("account_logout"))

    response = log_in(client, member)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_logged_in(client)
    assert client.get(organization.get_absolute_url()).status_code == 302


def test_a_wrong_code_is_refused_and_the_right_one_lets_the_user_in(client, member, organization):
    log_in(client, member)
    secret = activate_totp(client)
    client.post(reverse("account_logout"))
    log_in(client, member)

    wrong = client.post(reverse("mfa_authenticate"), {"code": another_code(totp_code(secret))})

    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    assert not is_logged_in(client)

    right = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert right.status_code == 302
    assert is_logged_in(client)
    assert client.get(organization.get_absolute_url()).status_code == 200


# The organization's requirement --------------------------------------------------------------


def test_a_coordinator_without_totp_is_sent_to_set_it_up(
    client_for, coordinator, strict_organization
):
    response = client_for(coordinator).get(strict_organization.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert messages_of(response) == [
        "This organization requires two-factor authentication for coordinators. "
        "Set up an authenticator app to continue."
    ]


def test_the_requirement_covers_every_page_and_action_of_the_organization(
    client_for, coordinator, strict_organization, cohort, program
):
    client = client_for(coordinator)
    urls = [
        cohort.get_absolute_url(),
        program.get_absolute_url(),
        reverse("organization_members", kwargs={"org_slug": strict_organization.slug}),
        security_url(strict_organization),
    ]

    for url in urls:
        assert client.get(url)["Location"] == reverse("mfa_activate_totp"), url
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("program_create", kwargs={"org_slug": strict_organization.slug}),
        {"name": "Sneaked in", "description": ""},
    )
    assert response["Location"] == reverse("mfa_activate_totp")
    assert AuditEvent.objects.count() == before
    assert not strict_organization.programs.filter(name="Sneaked in").exists()


def test_a_coordinator_with_totp_gets_through(client_for, coordinator, strict_organization):
    with_totp(coordinator)

    response = client_for(coordinator).get(strict_organization.get_absolute_url())

    assert response.status_code == 200


def test_members_are_not_affected(client_for, member, strict_organization, cohort):
    client = client_for(member)

    assert client.get(strict_organization.get_absolute_url()).status_code == 200
    assert client.get(cohort.get_absolute_url()).status_code == 200


def test_the_two_factor_pages_home_and_logout_stay_reachable(
    client_for, coordinator, strict_organization
):
    client = client_for(coordinator)

    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    activate = client.get(reverse("mfa_activate_totp"))
    # allauth asks for the password again before adding an authenticator: no redirect loop.
    assert activate.status_code == 200 or activate["Location"].startswith(
        reverse("account_reauthenticate")
    )
    assert client.post(reverse("account_logout")).status_code == 302
    assert not is_logged_in(client)


def test_another_organization_without_the_requirement_is_not_affected(
    client_for, coordinator, strict_organization
):
    relaxed = OrganizationFactory()
    MembershipFactory(organization=relaxed, user=coordinator, role=Membership.Role.COORDINATOR)

    response = client_for(coordinator).get(relaxed.get_absolute_url())

    assert response.status_code == 200


def test_a_coordinator_who_logs_in_sets_up_totp_and_then_reaches_the_organization(
    client, coordinator, strict_organization
):
    log_in(client, coordinator)
    assert client.get(strict_organization.get_absolute_url())["Location"] == reverse(
        "mfa_activate_totp"
    )

    activate_totp(client)

    assert client.get(strict_organization.get_absolute_url()).status_code == 200


# The security page -----------------------------------------------------------------------------


def test_a_coordinator_without_totp_cannot_require_it(client_for, coordinator, organization):
    response = client_for(coordinator).post(
        security_url(organization), {"require_coordinator_mfa": "on"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["require_coordinator_mfa"] == [
        "Set up two-factor authentication for your own account first: otherwise requiring it "
        "would lock you out."
    ]
    organization.refresh_from_db()
    assert organization.require_coordinator_mfa is False
    assert not AuditEvent.objects.filter(action="organization.coordinator_mfa_changed").exists()


def test_the_page_tells_a_coordinator_without_totp_how_to_set_it_up(
    client_for, coordinator, organization
):
    page = client_for(coordinator).get(security_url(organization)).content.decode()

    assert reverse("mfa_activate_totp") in page


def test_a_coordinator_with_totp_requires_it_and_the_change_is_audited(
    client_for, coordinator, organization
):
    with_totp(coordinator)

    response = client_for(coordinator).post(
        security_url(organization), {"require_coordinator_mfa": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == security_url(organization)
    organization.refresh_from_db()
    assert organization.require_coordinator_mfa is True
    event = AuditEvent.objects.get(action="organization.coordinator_mfa_changed")
    assert (event.organization, event.actor, event.data) == (
        organization,
        coordinator,
        {"required": True},
    )


def test_a_coordinator_with_totp_can_lift_the_requirement(
    client_for, coordinator, strict_organization
):
    with_totp(coordinator)

    response = client_for(coordinator).post(security_url(strict_organization), {})

    assert response.status_code == 302
    strict_organization.refresh_from_db()
    assert strict_organization.require_coordinator_mfa is False
    event = AuditEvent.objects.get(action="organization.coordinator_mfa_changed")
    assert event.data == {"required": False}


def test_saving_without_a_change_records_nothing(client_for, coordinator, organization):
    client_for(coordinator).post(security_url(organization), {})

    assert not AuditEvent.objects.filter(action="organization.coordinator_mfa_changed").exists()


def test_a_member_gets_403_and_changes_nothing(client_for, member, organization):
    with_totp(member)

    response = client_for(member).post(
        security_url(organization), {"require_coordinator_mfa": "on"}
    )

    assert response.status_code == 403
    organization.refresh_from_db()
    assert organization.require_coordinator_mfa is False


def test_a_coordinator_of_another_organization_gets_404(client_for, outsider, organization):
    with_totp(outsider)

    response = client_for(outsider).post(
        security_url(organization), {"require_coordinator_mfa": "on"}
    )

    assert response.status_code == 404
    organization.refresh_from_db()
    assert organization.require_coordinator_mfa is False


def test_without_a_session_the_security_page_asks_to_log_in(organization):
    response = Client().get(security_url(organization))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
