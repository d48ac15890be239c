"""The notification preferences page: seven switches, saved for the logged-in person."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from checkins.models import NotificationPreference

pytestmark = pytest.mark.django_db

FIELDS = [
    "meeting_day_before",
    "meeting_hour_before",
    "checkin_nudge",
    "coordinator_digest",
    "program_messages",
    "checkin_replies",
    "partner_nudges",
]


def url():
    return reverse("notification_preferences")


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_the_page_shows_the_seven_switches_all_on_by_default(client_for, member):
    response = client_for(member).get(url())

    assert response.status_code == 200
    html = response.content.decode()
    for field in FIELDS:
        assert f'name="{field}"' in html
    assert html.count("checked") == 7
    assert not NotificationPreference.objects.exists()  # looking doesn't create a row


def test_saving_turns_off_the_unticked_switches(client_for, member):
    response = client_for(member).post(url(), {"meeting_hour_before": "on", "checkin_nudge": "on"})

    assert response.status_code == 302
    assert response["Location"] == url()
    saved = NotificationPreference.objects.get(user=member)
    assert {field: getattr(saved, field) for field in FIELDS} == {
        "meeting_day_before": False,
        "meeting_hour_before": True,
        "checkin_nudge": True,
        "coordinator_digest": False,
        "program_messages": False,
        "checkin_replies": False,
        "partner_nudges": False,
    }


def test_saving_says_so_and_shows_the_saved_switches(client_for, member):
    client = client_for(member)

    response = client.post(url(), {"checkin_nudge": "on"}, follow=True)

    html = response.content.decode()
    assert "Your notification preferences are saved." in html
    assert html.count("checked") == 1


def test_saving_is_recorded_with_what_changed(client_for, member):
    client_for(member).post(url(), {field: "on" for field in FIELDS if field != "program_messages"})

    event = AuditEvent.objects.get(action="notifications.updated")
    assert (event.actor, event.data) == (member, {"program_messages": False})


def test_unticking_every_switch_turns_everything_off(client_for, member):
    response = client_for(member).post(url(), {})

    assert response.status_code == 302
    saved = NotificationPreference.objects.get(user=member)
    assert not any(getattr(saved, field) for field in FIELDS)


def test_each_person_saves_only_their_own_preferences(client_for, member, partner):
    client_for(member).post(url(), {})

    assert NotificationPreference.objects.get().user == member


def test_an_outsider_sees_their_own_preferences_not_anothers(client_for, member, outsider):
    NotificationPreference.objects.create(user=member, checkin_nudge=False)

    response = client_for(outsider).get(url())

    assert response.content.decode().count("checked") == 7


def test_the_page_takes_a_fixed_number_of_queries(
    client_for, member, django_assert_max_num_queries
):
    client = client_for(member)
    with django_assert_max_num_queries(8):
        assert client.get(url()).status_code == 200
