"""Unsubscribing from one kind of email with the signed link: no login needed."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from checkins import reminders
from checkins.models import NotificationPreference, Reminder

pytestmark = pytest.mark.django_db

Kind = Reminder.Kind


def link(user, kind=Kind.MEETING_DAY_BEFORE):
    return reverse(
        "reminder_unsubscribe", kwargs={"token": reminders.unsubscribe_token(user=user, kind=kind)}
    )


def preference(user):
    return NotificationPreference.objects.filter(user=user).values().first()


def test_the_link_shows_what_it_will_stop_and_changes_nothing_yet(client, member):
    response = client.get(link(member))

    assert response.status_code == 200
    assert "Meeting tomorrow" in response.content.decode()
    assert "a•••@northwind.test" in response.content.decode()
    assert '<form method="post">' in response.content.decode()
    assert preference(member) is None


@pytest.mark.parametrize(
    ("kind", "field"),
    list(reminders.PREFERENCE_FOR_KIND.items()),
    ids=list(reminders.PREFERENCE_FOR_KIND),
)
def test_posting_the_link_turns_that_kind_off_without_logging_in(client, member, kind, field):
    response = client.post(link(member, kind))

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    switches = {
        name: value
        for name, value in preference(member).items()
        if name in reminders.PREFERENCE_FOR_KIND.values()
    }
    assert switches == {name: name != field for name in switches}


def test_unsubscribing_is_recorded_in_the_audit_log(client, member):
    client.post(link(member))

    event = AuditEvent.objects.get(action="notifications.updated")
    assert (event.actor, event.data) == (member, {"meeting_day_before": False})


def test_unsubscribing_twice_is_harmless(client, member):
    client.post(link(member))

    response = client.post(link(member))

    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="notifications.updated").count() == 1


def test_unsubscribing_needs_the_pages_csrf_token(member):
    """The signed link needs no login, but the POST comes from its own page's form."""
    client = Client(enforce_csrf_checks=True)

    refused = client.post(link(member))
    page = client.get(link(member))
    accepted = client.post(link(member), {"csrfmiddlewaretoken": page.context["csrf_token"]})

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert preference(member)["meeting_day_before"] is False


def test_the_link_only_touches_its_own_user(client, member, partner):
    client.post(link(member))

    assert preference(partner) is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_shows_an_error_and_changes_nothing(client, member, partner, method):
    token = reminders.unsubscribe_token(user=member, kind=Kind.MEETING_DAY_BEFORE)
    payload, signature = token.rsplit(":", 1)
    forged = signing.dumps({"u": partner.pk, "k": "meeting_24h"}, salt="x").rsplit(":", 1)[0]
    tampered = [f"{payload}:{signature[:-2]}xx", f"{forged}:{signature}", "not-a-token"]

    for token in tampered:
        url = reverse("reminder_unsubscribe", kwargs={"token": token})
        response = getattr(client, method)(url)

        assert response.status_code == 400
        assert "This unsubscribe link doesn't work" in response.content.decode()
    assert NotificationPreference.objects.count() == 0


def test_a_link_signed_for_something_else_is_refused(client, member):
    """Same secret key, another purpose (salt): e.g. an invitation token can't unsubscribe."""
    token = signing.dumps({"u": member.pk, "k": "meeting_24h"}, salt="peermentor.invitation")

    response = client.post(reverse("reminder_unsubscribe", kwargs={"token": token}))

    assert response.status_code == 400
    assert preference(member) is None


def test_a_link_for_an_unknown_kind_is_refused(client, member):
    token = signing.dumps({"u": member.pk, "k": "newsletter"}, salt=reminders.UNSUBSCRIBE_SALT)

    response = client.post(reverse("reminder_unsubscribe", kwargs={"token": token}))

    assert response.status_code == 400
    assert preference(member) is None


def test_a_link_for_a_deactivated_account_is_refused(client, member):
    url = link(member)
    member.is_active = False
    member.save()

    assert client.post(url).status_code == 400


def test_the_unsubscribe_page_answers_only_get_and_post(client, member):
    assert client.put(link(member)).status_code == 405
