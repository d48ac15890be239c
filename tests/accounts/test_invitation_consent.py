"""Saying no to an invitation, the audit trail of invitations, and the daily email limit."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import (
    AuditEvent,
    Enrolment,
    Invitation,
    Membership,
    OutgoingEmailDay,
    User,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(client_for, coordinator, cohort, django_capture_on_commit_callbacks):
    """`invite("a@x.org b@x.org")`: the coordinator posts the invite form; emails are sent."""

    def send(emails):
        url = reverse(
            "cohort_invite", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
        )
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(coordinator).post(url, {"emails": emails})

    return send


def link_of(message, links_in):
    return next(path for path in links_in(message) if path.startswith("/invitations/"))


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def state():
    return (User.objects.count(), Membership.objects.count(), Enrolment.objects.count())


# Declining ---------------------------------------------------------------------------------


def test_the_invitation_page_offers_to_decline(client, invite, mailoutbox, links_in):
    invite("dina@example.org")
    link = link_of(mailoutbox[0], links_in)

    page = client.get(link).content.decode()

    assert f'action="{link}decline/"' in page and "Decline the invitation" in page


def test_declining_marks_it_declined_audits_it_and_changes_nothing_else(
    client, invite, cohort, mailoutbox, links_in
):
    invite("dina@example.org")
    before = state()

    response = client.post(link_of(mailoutbox[0], links_in) + "decline/")

    assert response.status_code == 200
    invitation = Invitation.objects.get(email="dina@example.org")
    assert invitation.status == Invitation.Status.DECLINED and invitation.status_label == "Declined"
    assert invitation.declined_at is not None and invitation.accepted_at is None
    assert state() == before
    event = AuditEvent.objects.get(action="invitation.declined")
    assert (event.organization, event.actor) == (cohort.organization, None)
    assert event.data == {"email": "dina@example.org", "cohort": cohort.pk}


def test_a_logged_in_invitee_who_declines_is_recorded_as_the_actor(
    client_for, invite, mailoutbox, links_in
):
    dina = UserFactory(email="dina@example.org")
    invite("dina@example.org")

    client_for(dina).post(link_of(mailoutbox[0], links_in) + "decline/")

    assert AuditEvent.objects.get(action="invitation.declined").actor == dina


def test_a_declined_link_can_no_longer_be_accepted(client_for, invite, mailoutbox, links_in):
    dina = UserFactory(email="dina@example.org")
    invite("dina@example.org")
    link = link_of(mailoutbox[0], links_in)
    Client().post(link + "decline/")

    response = client_for(dina).post(link)

    assert response.status_code == 410
    assert "You declined this invitation" in response.content.decode()
    assert not Enrolment.objects.filter(user=dina).exists()


def test_declining_needs_post(client, invite, mailoutbox, links_in):
    invite("dina@example.org")

    response = client.get(link_of(mailoutbox[0], links_in) + "decline/")

    assert response.status_code == 405
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_a_declined_invitation_is_shown_to_the_coordinator_and_not_resent(
    client, client_for, coordinator, invite, cohort, mailoutbox, links_in
):
    invite("dina@example.org")
    client.post(link_of(mailoutbox[0], links_in) + "decline/")

    page = client_for(coordinator).get(cohort.get_absolute_url()).content.decode()
    with pytest.raises(Exception, match="Only open invitations"):
        services.invitation_resend(invitation=Invitation.objects.get(), actor=coordinator)

    assert "Declined" in page


def test_someone_who_declined_can_be_invited_again_by_hand(
    client, invite, cohort, mailoutbox, links_in
):
    invite("dina@example.org")
    client.post(link_of(mailoutbox[0], links_in) + "decline/")

    invite("dina@example.org")

    assert len(mailoutbox) == 2
    assert Invitation.objects.filter(cohort=cohort).pending().count() == 1


# The audit trail ---------------------------------------------------------------------------


def test_accepting_is_audited(client_for, invite, cohort, mailoutbox, links_in):
    dina = UserFactory(email="dina@example.org")
    invite("dina@example.org")

    client_for(dina).post(link_of(mailoutbox[0], links_in))

    event = AuditEvent.objects.get(action="invitation.accepted")
    assert (event.organization, event.actor) == (cohort.organization, dina)
    assert event.data == {"email": "dina@example.org", "cohort": cohort.pk}


def test_resending_is_audited(coordinator, cohort, invite):
    invite("dina@example.org")

    services.invitation_resend(invitation=Invitation.objects.get(), actor=coordinator)

    event = AuditEvent.objects.get(action="invitation.resent")
    assert (event.actor, event.data["email"]) == (coordinator, "dina@example.org")


# The daily email limit ---------------------------------------------------------------------


def test_daily_email_limit_refuses_with_message(invite, settings, cohort, mailoutbox):
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 2

    first = invite("dina@example.org")
    second = invite("emil@example.org farid@example.org")

    assert [m.to for m in mailoutbox] == [["dina@example.org"]]
    assert not Invitation.objects.filter(email__in=["emil@example.org", "farid@example.org"])
    assert "1 invitation sent." in texts(first)
    (message,) = texts(second)
    assert "Northwind Collective may send at most 2 emails a day and has 1 left today" in message
    assert "Nothing was sent" in message
    assert [e.data["emails"] for e in AuditEvent.objects.filter(action="invitation.sent")] == [
        ["dina@example.org"]
    ]


def test_the_limit_counts_per_organization_and_per_day(
    coordinator, cohort, other_cohort, outsider, settings
):
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 1
    services.invitations_send(cohort=cohort, actor=coordinator, emails=["dina@example.org"])

    # Another organization has its own allowance.
    services.invitations_send(cohort=other_cohort, actor=outsider, emails=["dina@example.org"])
    # And yesterday's count doesn't carry over.
    OutgoingEmailDay.objects.filter(organization=cohort.organization).update(
        day=timezone.now().date() - datetime.timedelta(days=1)
    )
    services.invitations_send(cohort=cohort, actor=coordinator, emails=["emil@example.org"])

    assert Invitation.objects.count() == 3


def test_a_resend_counts_against_the_limit(coordinator, cohort, settings):
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 1
    (invitation,), _skipped = services.invitations_send(
        cohort=cohort, actor=coordinator, emails=["dina@example.org"]
    )

    with pytest.raises(services.EmailLimitReached):
        services.invitation_resend(invitation=invitation, actor=coordinator)

    invitation.refresh_from_db()
    assert invitation.send_count == 1
