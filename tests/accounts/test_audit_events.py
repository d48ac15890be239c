"""What the audit log records: coordinator actions (spot checks of the services that write
them), logins and failed logins (allauth adapter hooks) and denied cross-organization access."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from accounts.models import AuditEvent, Cohort
from checkins.oversight.lifecycle import cohort_advance
from contracts.export import contract_export_request
from matching import services as matching_services
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.matching.factories import make_pair

pytestmark = pytest.mark.django_db


def events(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


def log_in(email, password, *, ip="203.0.113.7"):
    return Client(REMOTE_ADDR=ip).post(
        reverse("account_login"), {"login": email, "password": password}
    )


# Coordinator actions ----------------------------------------------------------------------------


def test_sending_invitations_is_recorded_with_the_addresses(coordinator, cohort, organization):
    account_services.invitations_send(
        cohort=cohort, actor=coordinator, emails=["dina@example.org", "eli@example.org"]
    )

    event = events("invitation.sent").get()
    assert (event.organization, event.actor) == (organization, coordinator)
    assert event.data["emails"] == ["dina@example.org", "eli@example.org"]


def test_changing_a_cohorts_status_is_recorded_with_the_new_status(coordinator, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.DRAFT)
    cohort.refresh_from_db()

    cohort_advance(cohort=cohort, actor=coordinator, from_status=Cohort.Status.DRAFT)

    event = events("cohort.updated", actor=coordinator).get()
    assert event.data["changed"] == {"status": "open"}


def test_the_status_is_not_an_editable_field_of_a_cohort(coordinator, cohort):
    with pytest.raises(TypeError, match="through checkins.lifecycle"):
        account_services.cohort_update(
            cohort=cohort, actor=coordinator, status=Cohort.Status.CLOSED
        )

    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.OPEN
    assert not events("cohort.updated").exists()


@pytest.fixture
def matching_cohort(cohort):
    cohort.status = Cohort.Status.MATCHING
    cohort.save(update_fields=["status"])
    return cohort


def test_starting_a_matching_run_is_recorded(coordinator, matching_cohort, organization):
    run = matching_services.matching_run_create(cohort=matching_cohort, actor=coordinator)

    event = events("matching.run_started").get()
    assert (event.organization, event.actor) == (organization, coordinator)
    assert event.data["run"] == run.pk


def test_locking_forbidding_and_publishing_pairs_are_recorded(
    coordinator, matching_cohort, member, partner
):
    locked = make_pair(matching_cohort, [member, partner])
    matching_services.pair_set_locked(pair=locked, actor=coordinator, locked=True)
    extra = [MembershipFactory(organization=matching_cohort.organization).user for _ in range(2)]
    forbidden = make_pair(matching_cohort, extra)
    matching_services.pair_forbid(pair=forbidden, actor=coordinator, reason="Same team")
    matching_services.matching_publish(cohort=matching_cohort, actor=coordinator, notify=False)

    assert events("pair.locked", actor=coordinator).get().data["pair"] == locked.pk
    assert events("pair.forbidden", actor=coordinator).get().data["pair"] == forbidden.pk
    assert events("matching.published", actor=coordinator).exists()


def test_requesting_a_contracts_export_is_recorded(coordinator, cohort, organization):
    export = contract_export_request(cohort=cohort, actor=coordinator)

    event = events("contracts.export_requested").get()
    assert (event.organization, event.actor, event.data["export"]) == (
        organization,
        coordinator,
        export.pk,
    )


# Logins -----------------------------------------------------------------------------------------


def test_a_login_is_recorded_once_in_each_organization_of_the_user(
    member, organization, other_organization
):
    MembershipFactory(organization=other_organization, user=member)

    response = log_in(member.email, PASSWORD)

    assert response.status_code == 302
    logins = events("login.succeeded", actor=member)
    assert {event.organization for event in logins} == {organization, other_organization}
    assert all(event.data == {"ip": "203.0.113.7"} for event in logins)


def test_a_login_of_someone_in_no_organization_is_kept_without_one():
    loner = UserFactory()

    log_in(loner.email, PASSWORD)

    assert events("login.succeeded", actor=loner).get().organization is None


def test_a_failed_login_records_the_address_and_ip_in_the_accounts_organizations(
    member, organization
):
    response = log_in(member.email.upper(), "not-the-password")

    assert response.status_code == 200
    event = events("login.failed").get()
    assert (event.organization, event.actor) == (organization, member)
    assert event.data == {"email": member.email, "ip": "203.0.113.7"}
    assert not events("login.succeeded").exists()


def test_a_failed_login_never_stores_the_password(member):
    log_in(member.email, "hunter2-secret")

    assert "hunter2-secret" not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_a_failed_login_for_an_unknown_address_has_no_organization(organization):
    log_in("nobody@example.org", "whatever-123")

    event = events("login.failed").get()
    assert (event.organization, event.actor) == (None, None)
    assert event.data["email"] == "nobody@example.org"


def test_coordinators_see_failed_logins_of_their_members_in_the_log(
    client_for, coordinator, member, organization
):
    log_in(member.email, "not-the-password")

    response = client_for(coordinator).get(
        reverse("audit_log", kwargs={"org_slug": organization.slug}), {"action": "login."}
    )

    assert [event.action for event in response.context["page"]] == ["login.failed"]
    assert "203.0.113.7" in response.content.decode()


# Denied cross-organization access ---------------------------------------------------------------


def test_an_outsider_asking_for_an_organizations_page_is_recorded_there(
    client_for, outsider, organization, cohort
):
    url = reverse("cohort_detail", kwargs={"org_slug": organization.slug, "cohort_id": cohort.pk})

    response = client_for(outsider).get(url)

    assert response.status_code == 404
    event = events("access.denied").get()
    assert (event.organization, event.actor) == (organization, outsider)
    assert event.data == {"path": url, "method": "GET"}


def test_no_denied_access_is_recorded_for_an_organization_that_does_not_exist(client_for, outsider):
    response = client_for(outsider).get(reverse("organization_detail", args=["no-such-org"]))

    assert response.status_code == 404
    assert not events("access.denied").exists()


def test_no_denied_access_is_recorded_for_anonymous_visitors(client, organization):
    response = client.get(organization.get_absolute_url())

    assert response.status_code == 302
    assert not events("access.denied").exists()


def test_members_reaching_their_own_organization_record_nothing(client_for, member, organization):
    client_for(member).get(organization.get_absolute_url())

    assert not AuditEvent.objects.exists()


def test_recording_denied_access_costs_one_insert(client_for, outsider, organization):
    client = client_for(outsider)
    client.get(organization.get_absolute_url())  # warm the session
    missing_org_url = reverse("organization_detail", args=["no-such-org"])

    with CaptureQueriesContext(connection) as missing:
        client.get(missing_org_url)
    with CaptureQueriesContext(connection) as denied:
        client.get(organization.get_absolute_url())

    inserts = [q["sql"] for q in denied.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and "accounts_auditevent" in inserts[0]
    assert len(denied.captured_queries) == len(missing.captured_queries) + 1


def test_denied_access_is_recorded_outside_any_transaction():
    """The event is written by a 404 response: with requests in transactions, it would be
    rolled back with them."""
    assert not settings.DATABASES["default"].get("ATOMIC_REQUESTS")
