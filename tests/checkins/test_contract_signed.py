"""Meetings are planned when a contract is signed, not when its pair page is read.

contracts sends `contract_signed` inside the signing transaction; checkins plans the meetings in
a savepoint of its own, so a failure there leaves the signature in place for the hourly task
to finish. The pair page only reads.
"""

import re
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from checkins import tasks
from checkins.models import Meeting, Reminder
from contracts.models import Contract, Signature
from tests.checkins.factories import signed_pair
from tests.contracts.factories import active_pair, ready, sign

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT|RELEASE|CREATE|DROP)\b", re.I)


def _sign_last_through_the_page(client_for, cohort, member, partner) -> Contract:
    contract = ready(active_pair(cohort, member, partner))
    sign(contract, partner, notify=False)
    contract.refresh_from_db()

    response = client_for(member).post(
        reverse(
            "contract_sign",
            kwargs={"org_slug": contract.organization.slug, "contract_id": contract.pk},
        ),
        {
            "typed_name": member.get_full_name(),
            "password": "pass-word-123",
            "content_hash": contract.content_hash,
        },
    )

    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    return contract


def test_the_last_signature_plans_the_meetings_before_the_page_returns(
    client_for, cohort, member, partner
):
    contract = _sign_last_through_the_page(client_for, cohort, member, partner)

    planned = Meeting.objects.filter(contract=contract, sequence__isnull=False)
    assert planned.exists()
    assert all(meeting.starts_at > contract.signed_at for meeting in planned)
    assert Reminder.objects.filter(meeting__contract=contract).exists()
    assert AuditEvent.objects.filter(action="meetings.scheduled").count() == 1


def test_a_failure_to_plan_keeps_the_signature_and_the_hourly_task_plans_later(
    client_for, cohort, member, partner
):
    with mock.patch(
        "checkins.services.scheduling._sync_reminders", side_effect=DatabaseError("lost")
    ):
        contract = _sign_last_through_the_page(client_for, cohort, member, partner)

    assert Signature.objects.filter(contract=contract, withdrawn_at__isnull=True).count() == 2
    assert not Meeting.objects.filter(contract=contract).exists()

    assert tasks.schedule_meetings_for_signed_contracts() == 1
    assert Meeting.objects.filter(contract=contract, sequence__isnull=False).exists()


def test_the_pair_page_issues_no_write_query(client_for, cohort, member, partner):
    """A signed contract whose meetings were never planned: the page used to plan them."""
    signed = signed_pair(cohort, member, partner)
    client = client_for(member)  # the session is stored before the request
    url = reverse("pair_detail", kwargs={"org_slug": "northwind", "pair_id": signed.pair.pk})

    # Left out: the session middleware saving the session after the view (every page that
    # looks up the organization remembers it there), which is not the page's data.
    with (
        mock.patch.object(SessionStore, "save") as session_save,
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(url)

    assert response.status_code == 200
    writes = [query["sql"] for query in queries.captured_queries if WRITE.match(query["sql"])]
    assert writes == []
    assert session_save.called  # the patch was in the way of the only other write
    assert not Meeting.objects.exists()
    assert not AuditEvent.objects.filter(action="meetings.scheduled").exists()
