"""Ending a partnership, achieved goals, the review at the contract's review date, and the
dashboard's counts: what each service changes, exactly, and who may do it."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.idempotency import AlreadyDone
from accounts.models import AuditEvent, Cohort, Enrolment, Membership
from checkins import reminders
from checkins.models import (
    GoalAchievement,
    Meeting,
    PartnershipEnding,
    PartnershipReview,
    Reminder,
    ReviewChoice,
)
from checkins.partnership import selectors, services
from contracts import canonical
from contracts.models import Contract, Goal
from matching.models import MatchRun, Pair, PairMember
from matching.services import matching_run_create, matching_run_execute
from tests.checkins.factories import active_pair, meeting_at, signed_contract, signed_pair
from tests.checkins.reminder_factories import reminder
from tests.factories import CohortFactory, EnrolmentFactory
from tests.matching.factories import cohort_of_four, enrol

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture
def signed(cohort, member, partner):
    return signed_pair(cohort, member, partner)


@pytest.fixture
def meetings(signed):
    pair, contract = signed.pair, signed.contract
    return {
        "past": meeting_at(pair, NOW - days(3), contract=contract),
        "next": meeting_at(pair, NOW + days(2), contract=contract),
        "later": meeting_at(pair, NOW + days(9), contract=contract),
    }


def reminder_for(meeting, user, kind=Reminder.Kind.MEETING_DAY_BEFORE, **fields):
    return Reminder.objects.create(
        organization=meeting.organization,
        kind=kind,
        recipient=user,
        subject_key=f"meeting:{meeting.pk}:{kind}",
        meeting=meeting,
        pair=meeting.pair,
        cohort=meeting.cohort,
        due_at=meeting.starts_at - days(1),
        **fields,
    )


# Ending ------------------------------------------------------------------------------------


def test_ending_cancels_exactly_the_future_meetings_and_unsent_reminders(
    signed, meetings, member, partner, cohort
):
    other = signed_pair(cohort, enrol(cohort, "Olga"), enrol(cohort, "Oskar"))
    other_meeting = meeting_at(other.pair, NOW + days(2), contract=other.contract)
    pending = reminder_for(meetings["later"], partner)
    wrap_up_reminder = reminder_for(meetings["next"], partner)
    sent = reminder_for(
        meetings["past"], partner, status=Reminder.Status.SENT, kind=Reminder.Kind.CHECKIN_MISSING
    )
    others = reminder_for(other_meeting, other.member)

    ending = services.partnership_end(
        pair=signed.pair, actor=member, reason="no_time", note="Too much travel", now=NOW
    )

    statuses = dict(Meeting.objects.values_list("pk", "status"))
    assert statuses[meetings["later"].pk] == Meeting.Status.CANCELLED
    assert statuses[meetings["next"].pk] == Meeting.Status.CANCELLED
    assert statuses[meetings["past"].pk] == Meeting.Status.SCHEDULED
    assert statuses[other_meeting.pk] == Meeting.Status.SCHEDULED
    rows = dict(Reminder.objects.values_list("pk", "status"))
    assert rows[pending.pk] == rows[wrap_up_reminder.pk] == Reminder.Status.CANCELLED
    assert rows[sent.pk] == Reminder.Status.SENT
    assert rows[others.pk] == Reminder.Status.PENDING
    signed.pair.refresh_from_db()
    assert signed.pair.status == Pair.Status.DISSOLVED
    assert (ending.kind, ending.reason, ending.ended_by, ending.by_coordinator) == (
        "early",
        "no_time",
        member,
        False,
    )
    event = AuditEvent.objects.get(action="pair.ended")
    assert event.actor == member
    assert event.data["meetings_cancelled"] == 2 and event.data["reminders_cancelled"] == 2


def test_the_wrap_up_meeting_is_kept_with_its_reminders(signed, meetings, member, partner):
    kept = reminder_for(meetings["next"], partner)

    services.partnership_end(
        pair=signed.pair, actor=member, reason="not_working", wrap_up=meetings["next"], now=NOW
    )

    meetings["next"].refresh_from_db()
    meetings["later"].refresh_from_db()
    assert meetings["next"].status == Meeting.Status.SCHEDULED
    assert meetings["later"].status == Meeting.Status.CANCELLED
    kept.refresh_from_db()
    assert kept.status == Reminder.Status.PENDING
    # At send time the wrap-up's reminder is still wanted though the pair is dissolved.
    kept.refresh_from_db()
    assert reminders.skip_reason(kept, now=NOW) == ""


def test_a_past_meeting_cannot_be_the_wrap_up(signed, meetings, member):
    with pytest.raises(ValidationError):
        services.partnership_end(
            pair=signed.pair, actor=member, reason="other", wrap_up=meetings["past"], now=NOW
        )
    signed.pair.refresh_from_db()
    assert signed.pair.status == Pair.Status.ACTIVE


def test_the_partner_and_the_coordinators_are_told_and_only_coordinators_see_the_reason(
    signed, member, partner, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_end(
            pair=signed.pair, actor=member, reason="no_time", note="Secret travel plans"
        )

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {partner.email, coordinator.email}
    told = by_address[partner.email]
    assert "ended your partnership" in told.subject
    assert "Secret travel plans" not in told.body and "Not enough time" not in told.body
    coordinators = by_address[coordinator.email]
    assert "Secret travel plans" in coordinators.body and "Not enough time" in coordinators.body


def test_a_second_submit_does_nothing_twice(signed, member, partner):
    services.partnership_end(pair=signed.pair, actor=member, reason="no_time")

    with pytest.raises(AlreadyDone):
        services.partnership_end(pair=signed.pair, actor=partner, reason="other")
    assert PartnershipEnding.objects.count() == 1
    assert AuditEvent.objects.filter(action="pair.ended").count() == 1


def test_a_coordinator_ends_a_pair_with_the_same_effects(
    signed, meetings, coordinator, member, partner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ending = services.partnership_end(pair=signed.pair, actor=coordinator, reason="other")

    assert ending.by_coordinator
    meetings["later"].refresh_from_db()
    assert meetings["later"].status == Meeting.Status.CANCELLED
    assert {m.to[0] for m in mail.outbox} == {member.email, partner.email}


def test_a_member_who_is_not_a_partner_cannot_end_it(signed, cohort):
    stranger = EnrolmentFactory(cohort=cohort).user

    with pytest.raises(ValidationError):
        services.partnership_end(pair=signed.pair, actor=stranger, reason="other")
    assert not PartnershipEnding.objects.exists()


def test_a_reason_outside_the_list_is_refused(signed, member):
    with pytest.raises(ValidationError):
        services.partnership_end(pair=signed.pair, actor=member, reason="completed")


def test_the_rerun_for_members_without_a_partner_pairs_both_with_someone_new(
    cohort, member, partner, coordinator
):
    four = cohort_of_four(cohort, member, partner)
    first = active_pair(cohort, [four.ana, four.ben])
    second = active_pair(cohort, [four.carl, four.dina])
    services.partnership_end(pair=first, actor=four.ana, reason="not_working")
    services.partnership_end(pair=second, actor=coordinator, reason="no_time")

    run = matching_run_create(cohort=cohort, actor=coordinator, scope=MatchRun.Scope.UNPAIRED)
    matching_run_execute(run=run)

    proposals = [
        frozenset(p.members.values_list("user_id", flat=True))
        for p in Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED)
    ]
    assert len(proposals) == 2
    assert frozenset({four.ana.pk, four.ben.pk}) not in proposals
    assert frozenset({four.carl.pk, four.dina.pk}) not in proposals
    assert set().union(*proposals) == {four.ana.pk, four.ben.pk, four.carl.pk, four.dina.pk}


# Goals achieved ----------------------------------------------------------------------------


def test_a_partner_marks_their_goal_achieved_and_the_signed_hash_stays_valid(signed, member):
    goal = signed.goal_of(member)
    digest = canonical.content_hash(signed.contract)

    achievement = services.goal_mark_achieved(
        goal=goal, actor=member, achieved_on=timezone.localdate()
    )

    assert achievement.pair == signed.pair and achievement.cohort == signed.pair.cohort
    assert canonical.content_hash(Contract.objects.get(pk=signed.contract.pk)) == digest
    services.goal_undo_achieved(goal=goal, actor=member)
    assert not GoalAchievement.objects.exists()


def test_only_the_goals_owner_marks_it(signed, partner, member):
    with pytest.raises(ValidationError):
        services.goal_mark_achieved(
            goal=signed.goal_of(member), actor=partner, achieved_on=timezone.localdate()
        )


def test_an_achievement_date_outside_the_contract_or_in_the_future_is_refused(signed, member):
    goal = signed.goal_of(member)
    for day in (signed.contract.starts_on - days(1), timezone.localdate() + days(1)):
        with pytest.raises(ValidationError):
            services.goal_mark_achieved(goal=goal, actor=member, achieved_on=day)
    assert not GoalAchievement.objects.exists()


# Reviews -----------------------------------------------------------------------------------


@pytest.fixture
def due(cohort, member, partner):
    """A signed pair whose contract reached its review date today."""
    today = timezone.localdate()
    return signed_pair(cohort, member, partner, starts_on=today - days(60), ends_on=today)


def test_the_review_task_queues_one_email_per_partner_exactly_once(due, member, partner):
    assert services.partnership_reviews_queue() == 2
    assert services.partnership_reviews_queue() == 0

    review = PartnershipReview.objects.get()
    assert (review.pair, review.contract, review.outcome) == (due.pair, due.contract, "")
    assert reminders.reminders_send_due() == {"sent": 2}
    assert reminders.reminders_send_due() == {}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, partner.email])
    assert "/review/" in mail.outbox[0].body


def test_the_review_task_skips_contracts_before_their_review_date(signed):
    assert services.partnership_reviews_queue() == 0
    assert not PartnershipReview.objects.exists()


def test_both_choose_renew_and_an_amendment_with_new_dates_is_started(due, member, partner):
    review = services.review_open(pair=due.pair)

    review = services.review_choose(review=review, actor=member, choice="renew")
    assert review.outcome == "" and not Contract.objects.filter(previous=due.contract).exists()
    review = services.review_choose(review=review, actor=partner, choice="renew")

    amendment = Contract.objects.get(previous=due.contract)
    assert review.outcome == "renew" and review.new_contract == amendment
    assert amendment.status == Contract.Status.DRAFT
    assert amendment.starts_on == timezone.localdate()
    assert amendment.ends_on == timezone.localdate() + days(60)
    assert list(Goal.objects.filter(section__contract=amendment).values_list("statement")) == list(
        Goal.objects.filter(section__contract=due.contract).values_list("statement")
    )
    with pytest.raises(AlreadyDone):
        services.review_choose(review=review, actor=member, choice="end")


def test_one_partner_choosing_end_ends_it_at_the_review(due, member):
    review = services.review_open(pair=due.pair)

    services.review_choose(review=review, actor=member, choice="end")

    ending = PartnershipEnding.objects.get(pair=due.pair)
    assert (ending.kind, ending.reason) == ("at_review", "completed")
    review.refresh_from_db()
    assert review.outcome == "end"


def test_different_choices_wait_and_each_sees_the_other(due, member, partner, cohort):
    CohortFactory(
        program=cohort.program, starts_on=cohort.ends_on, ends_on=cohort.ends_on + days(200)
    )
    review = services.review_open(pair=due.pair)
    services.review_choose(review=review, actor=member, choice="renew")

    page = selectors.review_page(pair=due.pair, user=partner)

    assert (
        page.due
        and page.mine == ""
        and [label for _u, label in page.partner_choices] == ["Renew with new goals"]
    )


def test_continue_needs_an_open_next_cohort(due, member):
    review = services.review_open(pair=due.pair)

    with pytest.raises(ValidationError, match="no next cohort"):
        services.review_choose(review=review, actor=member, choice="continue")
    assert not ReviewChoice.objects.exists()


def test_both_continue_and_the_next_cohort_starts_them_as_a_locked_pair(
    due, member, partner, cohort
):
    following = CohortFactory(
        program=cohort.program,
        starts_on=cohort.ends_on,
        ends_on=cohort.ends_on + days(200),
        status=Cohort.Status.OPEN,
    )
    review = services.review_open(pair=due.pair)
    services.review_choose(review=review, actor=member, choice="continue")
    review = services.review_choose(review=review, actor=partner, choice="continue")

    new_pair = review.new_pair
    assert review.outcome == "continue" and new_pair.cohort == following
    assert new_pair.locked and new_pair.status == Pair.Status.ACTIVE
    assert set(new_pair.members.values_list("user_id", flat=True)) == {member.pk, partner.pk}
    assert set(Enrolment.objects.filter(cohort=following).values_list("user_id", flat=True)) == {
        member.pk,
        partner.pk,
    }
    draft = Contract.objects.get(pair=new_pair)
    assert draft.status == Contract.Status.DRAFT and draft.version == 1
    assert Goal.objects.filter(section__contract=draft).count() == 2
    due.pair.refresh_from_db()
    assert due.pair.status == Pair.Status.DISSOLVED
    assert PartnershipEnding.objects.get(pair=due.pair).kind == "continued"


def test_continue_refuses_partners_who_left_the_organization(due, member, partner, cohort):
    Membership.objects.filter(user=partner).delete()
    CohortFactory(
        program=cohort.program,
        starts_on=cohort.ends_on,
        ends_on=cohort.ends_on + days(200),
        status=Cohort.Status.OPEN,
    )
    review = services.review_open(pair=due.pair)
    services.review_choose(review=review, actor=member, choice="continue")

    with pytest.raises(ValidationError, match="members of the organization"):
        services.review_choose(review=review, actor=partner, choice="continue")
    assert PairMember.objects.filter(user=member).count() == 1


def test_the_review_does_not_open_before_its_date(signed):
    with pytest.raises(ValidationError):
        services.review_open(pair=signed.pair)


# The dashboard's counts --------------------------------------------------------------------


def test_the_counts_group_reasons_and_take_three_queries(
    cohort, member, partner, django_assert_num_queries
):
    first = signed_pair(cohort, member, partner)
    services.goal_mark_achieved(
        goal=first.goal_of(member), actor=member, achieved_on=timezone.localdate()
    )
    services.partnership_end(pair=first.pair, actor=member, reason="no_time")
    for name in ("Olga", "Pia", "Quinn"):
        pair = active_pair(cohort, [enrol(cohort, name), enrol(cohort, name + "x")])
        signed_contract(pair)
        services.partnership_end(
            pair=pair,
            actor=pair.members.first().user,
            reason="no_time" if name == "Olga" else "not_working",
        )

    with django_assert_num_queries(3):
        counts = selectors.cohort_partnership_counts(cohort=cohort)

    assert counts.ended_early == 4 and counts.goals_achieved == 1
    assert counts.reasons == [("Not enough time", 2), ("The partnership isn't working for us", 2)]
    assert counts.renewals == counts.continuations == 0


def test_a_review_reminder_is_skipped_once_the_review_is_decided(due, member, partner):
    services.partnership_reviews_queue()
    review = services.review_open(pair=due.pair)
    services.review_choose(review=review, actor=member, choice="end")

    row = reminder(
        partner,
        due.pair.cohort,
        kind="partnership_review",
        key="x",
        pair=due.pair,
        data={"contract": due.contract.pk},
    )
    assert reminders.skip_reason(row, now=timezone.now()) != ""


def test_the_partners_email_gives_the_wrap_up_time_in_the_pairs_time_zone(
    signed, member, partner, django_capture_on_commit_callbacks
):
    starts_at = datetime.datetime(2030, 1, 8, 15, 0, tzinfo=datetime.UTC)  # 16:00 in Copenhagen
    wrap_up = meeting_at(signed.pair, starts_at, contract=signed.contract)

    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_end(pair=signed.pair, actor=member, reason="other", wrap_up=wrap_up)

    (told,) = [m for m in mail.outbox if m.to == [partner.email]]
    assert "Tuesday 8 January 2030, 16:00 (Europe/Copenhagen)" in told.body


def test_the_members_export_holds_their_ending_and_deleting_them_clears_the_note(
    signed, member, coordinator
):
    from checkins.privacy.selectors import member_data
    from checkins.privacy.services import member_account_delete

    services.partnership_end(pair=signed.pair, actor=member, reason="no_time", note="My reasons")

    data = member_data(user=member)["partnership"]
    assert [(row["reason"], row["note"]) for row in data["ended_by_me"]] == [
        ("no_time", "My reasons")
    ]
    member_account_delete(user=member, actor=member)
    assert PartnershipEnding.objects.get().note == ""
