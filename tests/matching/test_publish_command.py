"""`manage.py publish_matching`: publishing a cohort's proposals from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent, Cohort
from matching.models import Pair
from tests.checkins.factories import in_state
from tests.matching.factories import make_pair

pytestmark = pytest.mark.django_db


def publish() -> str:
    out = StringIO()
    call_command("publish_matching", "northwind", "autumn-2026", stdout=out)
    return out.getvalue()


def test_the_proposals_are_published_and_their_members_emailed(
    cohort, member, partner, mailoutbox, django_capture_on_commit_callbacks
):
    in_state(cohort, Cohort.Status.MATCHING)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.PROPOSED)

    with django_capture_on_commit_callbacks(execute=True):
        out = publish()

    assert "Published 1 pair of Autumn 2026 (northwind/autumn-2026)" in out
    pair.refresh_from_db()
    assert pair.status == Pair.Status.PUBLISHED
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, partner.email])
    assert AuditEvent.objects.get(action="matching.published").actor is None


def test_publishing_again_says_it_is_done_and_sends_nothing(cohort, member, partner, mailoutbox):
    in_state(cohort, Cohort.Status.MATCHING)
    make_pair(cohort, [member, partner], status=Pair.Status.PROPOSED)
    publish()
    mailoutbox.clear()

    out = publish()

    assert "already published" in out
    assert not mailoutbox


def test_nothing_to_publish_is_an_error(cohort):
    in_state(cohort, Cohort.Status.MATCHING)

    with pytest.raises(CommandError, match="There are no proposals to publish"):
        publish()


def test_a_cohort_that_is_not_matching_is_refused(cohort, member, partner):
    in_state(cohort, Cohort.Status.OPEN)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.PROPOSED)

    with pytest.raises(CommandError, match="is open for profiles"):
        publish()

    pair.refresh_from_db()
    assert pair.status == Pair.Status.PROPOSED


def test_another_organizations_cohort_is_not_found(cohort, other_cohort):
    with pytest.raises(CommandError, match="No cohort 'autumn-2026' in organization 'southwind'"):
        call_command("publish_matching", "southwind", "autumn-2026")
