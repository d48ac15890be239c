"""`manage.py cohort_state`: a cohort's state and its moves from the command line."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent, Cohort
from checkins.models import Reminder
from matching.models import Pair
from tests.checkins.factories import active_pair, in_state
from tests.matching.factories import give_profile, make_pair

pytestmark = pytest.mark.django_db

Status = Cohort.Status


def run(*args) -> str:
    out = StringIO()
    call_command("cohort_state", "northwind", "autumn-2026", *args, stdout=out)
    return out.getvalue()


def status_of(cohort) -> str:
    return Cohort.objects.get(pk=cohort.pk).status


def complete_profiles(cohort, *users):
    for user in users:
        give_profile(user, cohort.organization, offers={"Budgeting": 4}, needs={"Writing": 3})


# Saying where the cohort stands ---------------------------------------------------------------


def test_without_a_state_it_says_what_the_next_move_needs(cohort, member, partner):
    in_state(cohort, Status.OPEN)
    complete_profiles(cohort, member)

    out = run()

    assert "Autumn 2026 (northwind/autumn-2026): open (Open for profiles)" in out
    assert "2 enrolled, 1 with a complete profile, 1 without" in out
    assert "Next:     matching (Matching)" in out
    assert "not yet: Matching needs at least 2 members with a complete profile" in out
    assert status_of(cohort) == Status.OPEN
    assert not AuditEvent.objects.filter(action__startswith="cohort.").exists()


def test_a_ready_move_prints_the_command_that_makes_it(cohort, member, partner):
    in_state(cohort, Status.OPEN)
    complete_profiles(cohort, member, partner)

    out = run()

    assert "ready: python manage.py cohort_state northwind autumn-2026 matching" in out


def test_a_matching_cohort_lists_both_ways_and_what_stops_each(cohort, member, partner):
    in_state(cohort, Status.MATCHING)
    make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)

    out = run()

    assert "Next:     active (Active)" in out
    assert "not yet: No pair is active yet" in out
    assert "Back:     open (Open for profiles)" in out
    assert "1 pair has already been published" in out
    assert "run the matching for the whole cohort" in out


def test_a_closed_cohort_says_it_has_no_move(cohort):
    in_state(cohort, Status.CLOSED)

    out = run()

    assert "No move: a closed cohort stays closed." in out
    assert "Next:" not in out


def test_an_unknown_cohort_is_an_error(cohort):
    with pytest.raises(CommandError, match="No cohort 'nope' in organization 'northwind'"):
        call_command("cohort_state", "northwind", "nope")


def test_another_organizations_slug_does_not_find_the_cohort(cohort, other_cohort):
    with pytest.raises(CommandError, match="No cohort 'autumn-2026' in organization 'southwind'"):
        call_command("cohort_state", "southwind", "autumn-2026", "open")

    assert status_of(cohort) == cohort.status


def test_an_unknown_state_is_refused_by_the_argument_parser(cohort):
    with pytest.raises(CommandError, match="invalid choice: 'running'"):
        call_command("cohort_state", "northwind", "autumn-2026", "running")


# Moving -----------------------------------------------------------------------------------------


def test_a_draft_cohort_opens_with_the_move_in_the_audit_log(cohort):
    in_state(cohort, Status.DRAFT)

    out = run("open")

    assert "moved from draft to open (Open for profiles)" in out
    assert status_of(cohort) == Status.OPEN
    event = AuditEvent.objects.get(action="cohort.advanced")
    assert event.actor is None
    assert event.data == {"cohort": cohort.pk, "from": "draft", "to": "open"}


def test_an_open_cohort_with_complete_profiles_moves_to_matching(cohort, member, partner):
    in_state(cohort, Status.OPEN)
    complete_profiles(cohort, member, partner)

    run("matching")

    assert status_of(cohort) == Status.MATCHING


def test_a_move_that_is_not_ready_is_refused_with_its_reasons(cohort, member):
    in_state(cohort, Status.OPEN)

    with pytest.raises(CommandError, match="stays open: Matching needs at least 2") as error:
        run("matching")

    assert error.value.returncode == 1
    assert status_of(cohort) == Status.OPEN
    assert not AuditEvent.objects.exists()


def test_skipping_a_step_is_refused(cohort):
    in_state(cohort, Status.DRAFT)

    with pytest.raises(CommandError, match="can't go from “Draft” to “Active”"):
        run("active")

    assert status_of(cohort) == Status.DRAFT
    assert not AuditEvent.objects.exists()


def test_going_back_from_active_is_refused(cohort, member, partner):
    in_state(cohort, Status.ACTIVE)
    active_pair(cohort, [member, partner])

    with pytest.raises(CommandError, match="can't go from “Active” to “Matching”"):
        run("matching")

    assert status_of(cohort) == Status.ACTIVE


def test_a_cohort_already_in_the_state_is_left_alone(cohort):
    in_state(cohort, Status.MATCHING)

    out = run("matching")

    assert "is already matching (Matching); nothing changed." in out
    assert not AuditEvent.objects.exists()


def test_matching_goes_back_to_open_while_nothing_is_published(cohort, member, partner):
    in_state(cohort, Status.MATCHING)
    make_pair(cohort, [member, partner], status=Pair.Status.PROPOSED)

    run("open")

    assert status_of(cohort) == Status.OPEN
    assert AuditEvent.objects.get(action="cohort.stepped_back").actor is None


def test_matching_does_not_go_back_once_a_pair_was_published(cohort, member, partner):
    in_state(cohort, Status.MATCHING)
    make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)

    with pytest.raises(CommandError, match="already been published"):
        run("open")

    assert status_of(cohort) == Status.MATCHING


def test_a_matching_cohort_with_an_active_pair_becomes_active(cohort, member, partner):
    in_state(cohort, Status.MATCHING)
    active_pair(cohort, [member, partner])

    run("active")

    assert status_of(cohort) == Status.ACTIVE


def test_closing_does_what_the_closing_page_does(cohort, member, partner, mailoutbox):
    in_state(cohort, Status.ACTIVE)
    active_pair(cohort, [member, partner])

    out = run("closed")

    assert status_of(cohort) == Status.CLOSED
    assert "2 members asked for the closing survey" in out
    assert AuditEvent.objects.get(action="cohort.closed").actor is None
    survey = Reminder.objects.filter(kind=Reminder.Kind.PROGRAM_MESSAGE)
    assert survey.count() == 2
    assert all(row.data["sender"] == "" for row in survey)
    call_command("send_due_reminders", stdout=StringIO())
    assert len(mailoutbox) == 2
    assert "Sent by the coordinators of Northwind Collective for “Autumn 2026”." in (
        mailoutbox[0].body
    )


def test_a_closed_cohort_stays_closed(cohort):
    in_state(cohort, Status.CLOSED)

    with pytest.raises(CommandError, match="a closed cohort stays closed"):
        run("open")

    assert status_of(cohort) == Status.CLOSED
    assert not mail.outbox
