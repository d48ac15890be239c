"""Inviting people to a cohort by email, and every way an invitation link can be used."""

import datetime
import time
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Enrolment, Invitation, Membership, User
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lantern-Corvid-4711"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def send_invitations(client_for, coordinator, cohort, django_capture_on_commit_callbacks):
    """`send_invitations("a@x.org b@x.org")`: the coordinator posts the invite form.

    Emails are queued with transaction.on_commit; the callbacks run as if the request committed.
    """

    def send(emails, *, by=coordinator):
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(by).post(
                reverse(
                    "cohort_invite",
                    kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk},
                ),
                {"emails": emails},
            )

    return send


@pytest.fixture
def invitation_link(send_invitations, mailoutbox, links_in):
    """The accept link emailed to dina@example.org."""
    send_invitations("dina@example.org")
    (message,) = mailoutbox
    return accept_link(message, links_in)


def accept_link(message, links_in):
    return next(path for path in links_in(message) if path.startswith("/invitations/"))


def new_account_data():
    return {
        "first_name": "Dina",
        "last_name": "Ali",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }


def snapshot(invitation=None):
    """Everything that accepting an invitation could change."""
    state = {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "invitations": Invitation.objects.count(),
    }
    if invitation is not None:
        state["invitation"] = Invitation.objects.filter(pk=invitation.pk).values().get()
    return state


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Sending -------------------------------------------------------------------------------------


def test_coordinator_invites_each_address_with_its_own_email(
    send_invitations, cohort, coordinator, mailoutbox, links_in
):
    response = send_invitations("dina@example.org, Emil@Example.org\nfarid@example.org")

    assert response.status_code == 302
    assert response["Location"] == cohort.get_absolute_url()
    invited = set(Invitation.objects.filter(cohort=cohort).values_list("email", flat=True))
    assert invited == {"dina@example.org", "emil@example.org", "farid@example.org"}
    assert sorted(message.to[0] for message in mailoutbox) == sorted(invited)
    assert all(len(message.to) == 1 for message in mailoutbox)
    links = [accept_link(message, links_in) for message in mailoutbox]
    assert len(set(links)) == 3
    assert Invitation.objects.filter(invited_by=coordinator).count() == 3


def test_invitation_email_names_the_cohort_and_has_an_html_part(invitation_link, mailoutbox):
    (message,) = mailoutbox

    assert "Autumn 2026" in message.subject
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert invitation_link in message.alternatives[0][0]


def test_invite_page_shows_the_form(client_for, coordinator, cohort):
    url = reverse(
        "cohort_invite", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )

    response = client_for(coordinator).get(url)

    assert response.status_code == 200
    assert "emails" in response.context["form"].fields


def test_inviting_an_enrolled_or_already_invited_address_is_skipped_with_a_message(
    send_invitations, cohort, member, mailoutbox
):
    InvitationFactory(cohort=cohort, email="dina@example.org")

    response = send_invitations(f"{member.email.upper()} dina@example.org emil@example.org")

    assert [message.to for message in mailoutbox] == [["emil@example.org"]]
    assert Invitation.objects.filter(cohort=cohort, email="dina@example.org").count() == 1
    assert not Invitation.objects.filter(email=member.email).exists()
    texts = message_texts(response)
    assert any(member.email in text and "already a member" in text for text in texts)
    assert any("dina@example.org" in text and "already invited" in text for text in texts)


def test_a_revoked_address_can_be_invited_again(send_invitations, cohort, mailoutbox):
    InvitationFactory(cohort=cohort, email="dina@example.org", revoked_at=timezone.now())

    send_invitations("dina@example.org")

    assert [message.to for message in mailoutbox] == [["dina@example.org"]]
    assert Invitation.objects.filter(cohort=cohort).pending().count() == 1


def test_invalid_addresses_give_a_form_error_and_write_nothing(
    send_invitations, cohort, mailoutbox
):
    before = snapshot()

    response = send_invitations("dina@example.org not-an-address")

    assert response.status_code == 200
    assert "not-an-address" in str(response.context["form"].errors["emails"])
    assert snapshot() == before
    assert mailoutbox == []


def test_too_many_addresses_at_once_is_a_form_error(send_invitations, mailoutbox):
    before = snapshot()

    response = send_invitations(" ".join(f"p{n}@example.org" for n in range(201)))

    assert response.status_code == 200
    assert "at most 200" in str(response.context["form"].errors["emails"])
    assert snapshot() == before
    assert mailoutbox == []


# Accepting -----------------------------------------------------------------------------------


def test_new_visitor_sees_the_create_account_form(client, invitation_link):
    response = client.get(invitation_link)

    assert response.status_code == 200
    assert set(response.context["form"].fields) == {
        "first_name",
        "last_name",
        "password1",
        "password2",
    }


def test_new_visitor_accepting_gets_a_verified_account_membership_and_enrolment(
    client, invitation_link, cohort
):
    response = client.post(invitation_link, new_account_data())

    assert response.status_code == 302
    assert response["Location"] == cohort.get_absolute_url()
    user = User.objects.get(email="dina@example.org")
    assert (user.first_name, user.last_name) == ("Dina", "Ali")
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()
    membership = Membership.objects.get(user=user)
    assert membership.organization == cohort.organization
    assert membership.role == Membership.Role.MEMBER
    assert Enrolment.objects.filter(user=user, cohort=cohort).exists()
    invitation = Invitation.objects.get(email="dina@example.org")
    assert invitation.accepted_by == user
    assert invitation.status == Invitation.Status.ACCEPTED
    assert client.session[SESSION_KEY] == str(user.pk)


def test_new_account_can_log_in_with_its_password_later(invitation_link):
    Client().post(invitation_link, new_account_data())
    client = Client()

    client.post(reverse("account_login"), {"login": "dina@example.org", "password": NEW_PASSWORD})

    assert client.session[SESSION_KEY] == str(User.objects.get(email="dina@example.org").pk)


def test_mismatched_passwords_show_an_error_and_create_nothing(client, invitation_link):
    before = snapshot()

    response = client.post(invitation_link, {**new_account_data(), "password2": "other-pass-99"})

    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert snapshot() == before


def test_invited_user_logged_in_with_the_invited_address_accepts(
    client_for, send_invitations, mailoutbox, links_in, cohort
):
    user = UserFactory(email="dina@example.org")
    send_invitations("dina@example.org")
    link = accept_link(mailoutbox[0], links_in)
    client = client_for(user)

    page = client.get(link)
    assert page.status_code == 200
    assert page.context["form"] is None
    assert not page.context["wrong_user"]
    response = client.post(link)

    assert response.status_code == 302
    assert Enrolment.objects.filter(user=user, cohort=cohort).exists()
    assert Membership.objects.get(user=user, organization=cohort.organization).role == "member"
    assert Invitation.objects.get(email=user.email).accepted_by == user


def test_accepting_keeps_a_coordinators_role(client_for, cohort, coordinator):
    invitation = InvitationFactory(cohort=cohort, email=coordinator.email)
    link = reverse("invitation_accept", kwargs={"token": services.invitation_token(invitation)})

    client_for(coordinator).post(link)

    assert Enrolment.objects.filter(user=coordinator, cohort=cohort).exists()
    assert Membership.objects.get(user=coordinator).role == Membership.Role.COORDINATOR


def test_visitor_with_an_existing_account_is_asked_to_log_in(client, invitation_link):
    UserFactory(email="dina@example.org")
    before = snapshot()

    page = client.get(invitation_link)
    response = client.post(invitation_link, new_account_data())

    assert page.status_code == 200
    assert page.context["account_exists"]
    assert page.context["form"] is None
    assert reverse("account_login") in page.context["login_url"]
    assert response.status_code == 200
    assert snapshot() == before


def test_user_logged_in_with_another_address_is_refused_and_nothing_changes(
    client_for, invitation_link, member
):
    client = client_for(member)
    invitation = Invitation.objects.get(email="dina@example.org")
    before = snapshot(invitation)

    page = client.get(invitation_link)
    response = client.post(invitation_link)

    assert page.status_code == 200
    assert page.context["wrong_user"]
    assert response.status_code == 409
    assert "dina@example.org" in str(response.context["error"])
    assert snapshot(invitation) == before


# Links that no longer work --------------------------------------------------------------------


def assert_refused(client, link, *, status, says, invitation):
    """GET and POST both show the error page, and the POST changes nothing."""
    before = snapshot(invitation)

    page = client.get(link)
    response = client.post(link, new_account_data())

    assert page.status_code == status
    assert response.status_code == status
    assert says in str(response.context["error"])
    assert snapshot(invitation) == before


def test_expired_link_is_refused(client, invitation_link, settings):
    invitation = Invitation.objects.get(email="dina@example.org")
    later = timezone.now() + (settings.INVITATION_MAX_AGE_DAYS + 1) * DAY
    travelled = time.time() + (settings.INVITATION_MAX_AGE_DAYS + 1) * DAY.total_seconds()

    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch("django.core.signing.time.time", return_value=travelled),
    ):
        assert_refused(client, invitation_link, status=410, says="expired", invitation=invitation)


def test_link_still_works_on_its_last_day(client, invitation_link, settings, cohort):
    almost = (settings.INVITATION_MAX_AGE_DAYS - 1) * DAY
    with (
        mock.patch("django.utils.timezone.now", return_value=timezone.now() + almost),
        mock.patch(
            "django.core.signing.time.time", return_value=time.time() + almost.total_seconds()
        ),
    ):
        response = client.post(invitation_link, new_account_data())

    assert response.status_code == 302
    assert Enrolment.objects.filter(cohort=cohort, user__email="dina@example.org").exists()


def test_link_to_an_invitation_sent_too_long_ago_is_refused(client, cohort, settings):
    invitation = InvitationFactory(
        cohort=cohort, sent_at=timezone.now() - (settings.INVITATION_MAX_AGE_DAYS + 1) * DAY
    )
    link = reverse("invitation_accept", kwargs={"token": services.invitation_token(invitation)})

    assert_refused(client, link, status=410, says="expired", invitation=invitation)


def test_revoked_link_is_refused(client, client_for, coordinator, invitation_link, organization):
    invitation = Invitation.objects.get(email="dina@example.org")
    client_for(coordinator).post(
        reverse(
            "invitation_revoke",
            kwargs={"org_slug": organization.slug, "invitation_id": invitation.pk},
        )
    )

    assert_refused(client, invitation_link, status=410, says="withdrawn", invitation=invitation)


def test_used_link_is_refused_the_second_time(invitation_link):
    Client().post(invitation_link, new_account_data())
    invitation = Invitation.objects.get(email="dina@example.org")

    assert_refused(
        Client(), invitation_link, status=410, says="already been used", invitation=invitation
    )


def test_used_link_is_refused_to_another_logged_in_user(client_for, invitation_link, member):
    Client().post(invitation_link, new_account_data())
    invitation = Invitation.objects.get(email="dina@example.org")

    assert_refused(
        client_for(member), invitation_link, status=410, says="already", invitation=invitation
    )


def test_the_user_who_accepted_is_taken_to_the_cohort_when_using_the_link_again(
    client_for, invitation_link, cohort
):
    Client().post(invitation_link, new_account_data())
    invitation = Invitation.objects.get(email="dina@example.org")
    client = client_for(invitation.accepted_by)
    before = snapshot(invitation)

    page = client.get(invitation_link)
    response = client.post(invitation_link, new_account_data())

    assert page.status_code == response.status_code == 302
    assert response.url == cohort.get_absolute_url()
    # One message from the visit, one from the submit.
    assert {str(m) for m in get_messages(response.wsgi_request)} == {
        "You have already accepted this invitation."
    }
    assert snapshot(invitation) == before


def test_old_link_is_refused_after_a_resend(
    client, client_for, coordinator, organization, invitation_link
):
    invitation = Invitation.objects.get(email="dina@example.org")
    client_for(coordinator).post(
        reverse(
            "invitation_resend",
            kwargs={"org_slug": organization.slug, "invitation_id": invitation.pk},
        )
    )

    assert_refused(client, invitation_link, status=410, says="newer", invitation=invitation)


def test_tampered_link_is_refused(client, invitation_link):
    invitation = Invitation.objects.get(email="dina@example.org")
    token = invitation_link.rstrip("/").rsplit("/", 1)[1]
    forged = services.invitation_token(invitation).split(":", 1)[0] + ":" + "A" * 20
    tampered_links = [
        invitation_link.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB")),
        reverse("invitation_accept", kwargs={"token": forged}),
        reverse("invitation_accept", kwargs={"token": "nonsense"}),
    ]

    for link in tampered_links:
        assert_refused(client, link, status=410, says="not valid", invitation=invitation)


def test_link_to_a_deleted_invitation_is_refused(client, invitation_link):
    Invitation.objects.all().delete()

    response = client.get(invitation_link)

    assert response.status_code == 410
    assert "no longer exists" in str(response.context["error"])


# Resending and revoking -----------------------------------------------------------------------


def test_resend_rotates_the_link_and_sends_a_new_email(
    client_for,
    coordinator,
    organization,
    invitation_link,
    mailoutbox,
    links_in,
    django_capture_on_commit_callbacks,
):
    invitation = Invitation.objects.get(email="dina@example.org")
    url = reverse(
        "invitation_resend",
        kwargs={"org_slug": organization.slug, "invitation_id": invitation.pk},
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(url)

    assert response.status_code == 302
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == ["dina@example.org"]
    new_link = accept_link(mailoutbox[1], links_in)
    assert new_link != invitation_link
    refreshed = Invitation.objects.get(pk=invitation.pk)
    assert refreshed.key != invitation.key
    assert refreshed.send_count == 2
    assert Client().post(new_link, new_account_data()).status_code == 302


def test_resend_needs_post(client_for, coordinator, organization, invitation_link, mailoutbox):
    invitation = Invitation.objects.get(email="dina@example.org")
    url = reverse(
        "invitation_resend",
        kwargs={"org_slug": organization.slug, "invitation_id": invitation.pk},
    )

    response = client_for(coordinator).get(url)

    assert response.status_code == 405
    assert Invitation.objects.get(pk=invitation.pk).key == invitation.key
    assert len(mailoutbox) == 1


def test_resending_an_accepted_invitation_is_refused_with_a_message(
    client_for, coordinator, organization, invitation_link, mailoutbox
):
    Client().post(invitation_link, new_account_data())
    invitation = Invitation.objects.get(email="dina@example.org")

    response = client_for(coordinator).post(
        reverse(
            "invitation_resend",
            kwargs={"org_slug": organization.slug, "invitation_id": invitation.pk},
        )
    )

    assert response.status_code == 302
    assert any("Only open invitations" in text for text in message_texts(response))
    assert Invitation.objects.get(pk=invitation.pk).key == invitation.key
    assert len(mailoutbox) == 1


def test_revoked_invitation_cannot_be_resent(client_for, coordinator, organization, cohort):
    invitation = InvitationFactory(cohort=cohort, revoked_at=timezone.now())

    response = client_for(coordinator).post(
        reverse(
            "invitation_resend",
            kwargs={"org_slug": organization.slug, "invitation_id": invitation.pk},
        )
    )

    assert any("Only open invitations" in text for text in message_texts(response))
    assert Invitation.objects.get(pk=invitation.pk).key == invitation.key


def test_revoke_asks_for_confirmation_on_get_and_revokes_on_post(
    client_for, coordinator, organization, cohort
):
    invitation = InvitationFactory(cohort=cohort)
    url = reverse(
        "invitation_revoke",
        kwargs={"org_slug": organization.slug, "invitation_id": invitation.pk},
    )
    client = client_for(coordinator)

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["invitation"] == invitation
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == cohort.get_absolute_url()
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.REVOKED


def test_expired_invitation_can_be_resent_and_then_works(
    client_for,
    coordinator,
    organization,
    cohort,
    mailoutbox,
    links_in,
    django_capture_on_commit_callbacks,
):
    invitation = InvitationFactory(
        cohort=cohort, email="dina@example.org", sent_at=timezone.now() - 30 * DAY
    )
    assert invitation.status == Invitation.Status.EXPIRED

    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(
            reverse(
                "invitation_resend",
                kwargs={"org_slug": organization.slug, "invitation_id": invitation.pk},
            )
        )

    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING
    response = Client().post(accept_link(mailoutbox[0], links_in), new_account_data())
    assert response.status_code == 302


def test_a_signup_racing_the_one_that_used_the_invitation_is_told_it_was_used(cohort):
    """The second of two submits read the invitation before the first committed, and finds the
    account the first one made: it reads the invitation again and gets the same 410 as any
    later submit, not the accept page."""
    invitation = InvitationFactory(cohort=cohort, email="dina@example.org")
    token = services.invitation_token(invitation)
    path = reverse("invitation_accept", kwargs={"token": token})
    first_read = services.invitation_from_token(token)
    Client().post(
        path,
        {
            "first_name": "Dina",
            "last_name": "Berg",
            "password1": "a long new pass-phrase",
            "password2": "a long new pass-phrase",
        },
    )
    assert User.objects.filter(email="dina@example.org").count() == 1
    # The view's first read returns the invitation as it was; the second reads it for real.
    reads = iter([lambda _token: first_read, services.invitation_from_token])
    with mock.patch.object(
        services, "invitation_from_token", side_effect=lambda token: next(reads)(token)
    ):
        response = Client().post(path, {"first_name": "Dina", "last_name": "Berg"})

    assert response.status_code == 410
    assert "already" in response.content.decode().lower()
    assert User.objects.filter(email="dina@example.org").count() == 1
