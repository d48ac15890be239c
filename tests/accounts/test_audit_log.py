"""The audit log page: coordinators read their organization's events, filtered and paginated."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 10, 14, 12, 0, tzinfo=datetime.UTC)


def log_url(organization):
    return reverse("audit_log", kwargs={"org_slug": organization.slug})


def event(organization, action, *, actor=None, at=NOW, **data):
    return AuditEvent.objects.create(
        organization=organization, actor=actor, action=action, data=data, created_at=at
    )


def shown(response):
    return [e.action for e in response.context["page"]]


@pytest.fixture
def coordinator_client(client_for, coordinator):
    return client_for(coordinator)


def test_coordinator_sees_the_organizations_events_newest_first_with_readable_details(
    coordinator_client, organization, coordinator
):
    event(organization, "cohort.created", actor=coordinator, at=NOW, cohort=7)
    event(
        organization,
        "invitation.sent",
        actor=coordinator,
        at=NOW + datetime.timedelta(hours=1),
        emails=["dina@example.org", "eli@example.org"],
        cohort=7,
    )

    response = coordinator_client.get(log_url(organization))

    assert response.status_code == 200
    assert shown(response) == ["invitation.sent", "cohort.created"]
    html = response.content.decode()
    assert "Emails:</dt> <dd" in html
    assert "dina@example.org, eli@example.org" in html
    assert "cora@northwind.test" in html  # the actor
    assert "14 Oct 2026, 13:00:00" in html


def test_another_organizations_events_are_never_shown(
    coordinator_client, organization, other_organization, outsider
):
    event(organization, "cohort.created")
    event(other_organization, "invitation.sent", actor=outsider, emails=["x@southwind.test"])
    event(None, "login.failed", email="nobody@example.org")

    response = coordinator_client.get(log_url(organization))

    assert shown(response) == ["cohort.created"]
    assert "southwind" not in response.content.decode()


def test_filtering_by_action_prefix(coordinator_client, organization):
    for action in ("invitation.sent", "invitation.revoked", "pair.locked", "invitations.x"):
        event(organization, action)

    response = coordinator_client.get(log_url(organization), {"action": "invitation."})

    assert sorted(shown(response)) == ["invitation.revoked", "invitation.sent"]


def test_filtering_by_part_of_the_actors_email(coordinator_client, organization, coordinator):
    ben = UserFactory(email="ben@northwind.test")
    event(organization, "profile.updated", actor=ben)
    event(organization, "cohort.created", actor=coordinator)
    event(organization, "meetings.scheduled", actor=None)

    response = coordinator_client.get(log_url(organization), {"actor": "BEN@north"})

    assert shown(response) == ["profile.updated"]


def test_filtering_by_dates_includes_both_ends(coordinator_client, organization):
    for day, action in [(9, "a.before"), (10, "b.first"), (12, "c.last"), (13, "d.after")]:
        event(
            organization, action, at=datetime.datetime(2026, 10, day, 23, 59, tzinfo=datetime.UTC)
        )

    response = coordinator_client.get(
        log_url(organization), {"date_from": "2026-10-10", "date_to": "2026-10-12"}
    )

    assert shown(response) == ["c.last", "b.first"]


def test_an_end_date_before_the_start_date_is_explained_and_filters_nothing(
    coordinator_client, organization
):
    event(organization, "cohort.created")

    response = coordinator_client.get(
        log_url(organization), {"date_from": "2026-10-12", "date_to": "2026-10-10"}
    )

    assert shown(response) == ["cohort.created"]
    assert "The end date is before the start date." in response.content.decode()


def test_the_log_shows_fifty_events_a_page_and_keeps_the_filters_in_page_links(
    coordinator_client, organization
):
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                organization=organization,
                action="pair.locked",
                data={"pair": n},
                created_at=NOW + datetime.timedelta(minutes=n),
            )
            for n in range(60)
        ]
    )

    first = coordinator_client.get(log_url(organization), {"action": "pair."})
    second = coordinator_client.get(log_url(organization), {"action": "pair.", "page": 2})

    assert len(first.context["page"]) == 50
    assert first.context["page"][0].data == {"pair": 59}
    assert len(second.context["page"]) == 10
    assert "?action=pair.&amp;page=2" in first.content.decode()


def test_member_gets_403(client_for, member, organization):
    assert client_for(member).get(log_url(organization)).status_code == 403


def test_coordinator_of_another_organization_gets_404(client_for, outsider, organization):
    assert client_for(outsider).get(log_url(organization)).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, organization):
    response = client.get(log_url(organization))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_log_runs_a_fixed_number_of_queries_whatever_its_rows(
    coordinator_client, organization, django_assert_max_num_queries
):
    def add_events(count):
        actors = [MembershipFactory(organization=organization).user for _ in range(count)]
        for actor in actors:
            event(organization, "profile.updated", actor=actor, user=actor.pk)

    add_events(2)
    coordinator_client.get(log_url(organization))  # warm the session
    with django_assert_max_num_queries(100) as few:
        coordinator_client.get(log_url(organization))

    add_events(40)

    with django_assert_max_num_queries(len(few)):
        response = coordinator_client.get(log_url(organization))
    assert len(response.context["page"]) == 42
