"""Every one-shot action, submitted three times at once (a double-click, a reload, two tabs):
no server error, one effect, and the other submits told it is already done.

The requests run in threads, each with its own client and database connection, and commit for
real. On SQLite this needs the test database in a file and the settings' SQLite options (a
second writer waits for the first instead of failing with "database is locked"); on PostgreSQL
the services' row locks make the second submit wait and then see the first one's work.
"""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import AuditEvent, Cohort, Enrolment, User
from checkins.models import (
    CheckIn,
    CheckInReply,
    ClosingSurvey,
    ClosingSurveyRequest,
    NextStep,
    Reminder,
)
from contracts.models import Contract, Indicator, Signature
from matching.models import (
    IntroCall,
    MatchSettings,
    Pair,
    PairMember,
    PairMessage,
    PairRule,
    PartnerRequest,
)
from tests.checkins.factories import checkin_post, past_meeting
from tests.checkins.factories import signed_pair as checkin_signed_pair
from tests.concurrency import ATTEMPTS, failures, logged_in_clients, post_at_once
from tests.contracts.factories import active_pair as contract_pair
from tests.contracts.factories import filled, ready, signed, started
from tests.factories import PASSWORD, InvitationFactory, UserFactory
from tests.matching.factories import finished_run, make_pair

pytestmark = pytest.mark.django_db(transaction=True)


def in_state(cohort, status):
    Cohort.objects.filter(pk=cohort.pk).update(status=status)
    cohort.refresh_from_db()
    return cohort


def audited(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def assert_one_done_and_the_rest_told(answers, *, done: str, already: str, location: str):
    """No 500; every submit lands on `location`; one says `done`, the others note `already`
    (as information, not as an error)."""
    assert not failures(answers), [answer.error for answer in failures(answers)]
    assert [answer.status for answer in answers] == [302] * ATTEMPTS
    assert {answer.location for answer in answers} == {location}
    assert sum(answer.says(done) for answer in answers) == 1, answers
    assert sum(answer.notes_that(already) for answer in answers) == ATTEMPTS - 1, answers


# Matching ------------------------------------------------------------------------------------


def test_accepting_a_partner_three_times_at_once_accepts_once(cohort, member, partner):
    in_state(cohort, Cohort.Status.MATCHING)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)
    path = reverse(
        "pair_respond", kwargs={"org_slug": cohort.organization.slug, "pair_id": pair.pk}
    )

    answers = post_at_once(logged_in_clients(member), path, {"response": "accept"})

    assert_one_done_and_the_rest_told(
        answers,
        done="We'll let you know as soon as your partner accepts too.",
        already="You have already accepted",
        location=reverse(
            "my_partner", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
        ),
    )
    assert audited("pair.accepted") == 1
    assert PairMember.objects.get(pair=pair, user=member).response == "accepted"


def test_declining_a_partner_three_times_at_once_declines_once(
    cohort, coordinator, member, partner
):
    in_state(cohort, Cohort.Status.MATCHING)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)
    path = reverse(
        "pair_respond", kwargs={"org_slug": cohort.organization.slug, "pair_id": pair.pk}
    )

    answers = post_at_once(
        logged_in_clients(member), path, {"response": "decline", "reason": "Other plans"}
    )

    assert_one_done_and_the_rest_told(
        answers,
        done="You declined this proposal.",
        already="You have already declined",
        location=reverse(
            "my_partner", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
        ),
    )
    assert audited("pair.declined") == 1
    assert PairRule.objects.count() == 1
    assert [message.to for message in mail.outbox] == [[coordinator.email]]  # told once


def test_publishing_three_times_at_once_publishes_and_emails_once(
    cohort, coordinator, member, partner
):
    in_state(cohort, Cohort.Status.MATCHING)
    finished_run(cohort)
    make_pair(cohort, [member, partner])
    path = reverse(
        "matching_publish", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )

    answers = post_at_once(logged_in_clients(coordinator), path)

    assert_one_done_and_the_rest_told(
        answers,
        done="1 pair published",
        already="already published",
        location=reverse(
            "matching_cohort",
            kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk},
        ),
    )
    assert audited("matching.published") == 1
    assert sorted(message.to[0] for message in mail.outbox) == [member.email, partner.email]


def test_accepting_a_partner_request_three_times_at_once_makes_one_pair(cohort, member, partner):
    in_state(cohort, Cohort.Status.MATCHING)
    MatchSettings.objects.create(cohort=cohort, allow_requests=True)
    partner_request = PartnerRequest.objects.create(
        cohort=cohort, from_user=member, to_user=partner
    )
    path = reverse(
        "partner_request_answer",
        kwargs={"org_slug": cohort.organization.slug, "request_id": partner_request.pk},
    )

    answers = post_at_once(logged_in_clients(partner), path, {"answer": "accept"})

    assert_one_done_and_the_rest_told(
        answers,
        done="You are now partners.",
        already="You have already accepted this request.",
        location=reverse(
            "my_partner", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
        ),
    )
    assert Pair.objects.filter(cohort=cohort).count() == 1
    assert audited("partner_request.accepted") == 1
    assert [message.to for message in mail.outbox] == [[member.email]]


def test_sending_a_message_three_times_at_once_sends_and_emails_it_once(cohort, member, partner):
    in_state(cohort, Cohort.Status.MATCHING)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)
    path = reverse(
        "pair_message_send", kwargs={"org_slug": cohort.organization.slug, "pair_id": pair.pk}
    )

    answers = post_at_once(logged_in_clients(member), path, {"body": "Hello, shall we talk?"})

    assert_one_done_and_the_rest_told(
        answers,
        done="Message sent.",
        already="This message was already sent.",
        location=reverse(
            "pair_conversation",
            kwargs={"org_slug": cohort.organization.slug, "pair_id": pair.pk},
        ),
    )
    assert PairMessage.objects.filter(pair=pair).count() == 1
    assert [message.to for message in mail.outbox] == [[partner.email]]


def test_proposing_an_intro_call_three_times_at_once_proposes_it_once(cohort, member, partner):
    in_state(cohort, Cohort.Status.MATCHING)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)
    path = reverse(
        "intro_call_propose", kwargs={"org_slug": cohort.organization.slug, "pair_id": pair.pk}
    )
    day = timezone.localdate() + datetime.timedelta(days=7)

    answers = post_at_once(
        logged_in_clients(member), path, {"date": day.isoformat(), "time": "10:00"}
    )

    assert_one_done_and_the_rest_told(
        answers,
        done="Time proposed.",
        already="You have already proposed this time.",
        location=reverse(
            "pair_conversation",
            kwargs={"org_slug": cohort.organization.slug, "pair_id": pair.pk},
        ),
    )
    assert IntroCall.objects.filter(pair=pair).count() == 1
    assert audited("pair.intro_call_proposed") == 1


# The cohort's lifecycle and its survey ----------------------------------------------------------


def test_closing_a_cohort_three_times_at_once_closes_it_once(cohort, coordinator, member, partner):
    in_state(cohort, Cohort.Status.ACTIVE)
    make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE)
    path = reverse(
        "cohort_close", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )

    answers = post_at_once(logged_in_clients(coordinator), path)

    assert_one_done_and_the_rest_told(
        answers,
        done="The cohort is closed",
        already="already closed",
        location=reverse(
            "cohort_lifecycle",
            kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk},
        ),
    )
    assert audited("cohort.closed") == 1
    assert ClosingSurveyRequest.objects.count() == 2


def test_moving_a_cohort_on_three_times_at_once_moves_it_one_step(cohort, coordinator):
    in_state(cohort, Cohort.Status.MATCHING)
    make_pair(cohort, [UserFactory(), UserFactory()], status=Pair.Status.ACTIVE)
    path = reverse(
        "cohort_advance", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )

    answers = post_at_once(logged_in_clients(coordinator), path, {"from_status": "matching"})

    assert_one_done_and_the_rest_told(
        answers,
        done="The cohort is now",
        already="The cohort is already “Active”",
        location=reverse(
            "cohort_lifecycle",
            kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk},
        ),
    )
    assert audited("cohort.advanced") == 1
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.ACTIVE


def test_answering_the_survey_three_times_at_once_records_one_answer(cohort, member):
    in_state(cohort, Cohort.Status.CLOSED)
    ClosingSurveyRequest.objects.create(
        organization=cohort.organization, cohort=cohort, user=member, requested_at=timezone.now()
    )
    path = reverse(
        "closing_survey", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )

    answers = post_at_once(
        logged_in_clients(member), path, {"goal_reached": "yes", "would_pair_again": "yes"}
    )

    assert_one_done_and_the_rest_told(
        answers, done="Your answers were recorded.", already="already answered", location=path
    )
    assert ClosingSurvey.objects.count() == 1
    assert audited("closing_survey.answered") == 1


# Invitations ---------------------------------------------------------------------------------


def test_accepting_an_invitation_three_times_at_once_enrols_once(cohort):
    user = UserFactory(email="dina@example.org")
    invitation = InvitationFactory(cohort=cohort, email=user.email)
    path = reverse(
        "invitation_accept", kwargs={"token": account_services.invitation_token(invitation)}
    )

    answers = post_at_once(logged_in_clients(user), path)

    assert_one_done_and_the_rest_told(
        answers,
        done="Welcome to",
        already="You have already accepted this invitation",
        location=cohort.get_absolute_url(),
    )
    assert Enrolment.objects.filter(cohort=cohort, user=user).count() == 1
    assert audited("invitation.accepted") == 1


def test_signing_up_through_an_invitation_three_times_at_once_makes_one_account(cohort):
    """Nobody is logged in: the second submit can't be let in, so it is told the invitation
    was used (and to log in), never a server error or a second account. Whether it waited
    for the first submit's lock or arrived after its commit, the answer is the same 410."""
    invitation = InvitationFactory(cohort=cohort, email="dina@example.org")
    path = reverse(
        "invitation_accept", kwargs={"token": account_services.invitation_token(invitation)}
    )
    data = {
        "first_name": "Dina",
        "last_name": "Berg",
        "password1": "a long new pass-phrase",
        "password2": "a long new pass-phrase",
    }
    clients = [Client(raise_request_exception=False) for _index in range(ATTEMPTS)]

    answers = post_at_once(clients, path, data)

    assert not failures(answers), [answer.error for answer in failures(answers)]
    assert sorted(answer.status for answer in answers) == [302] + [410] * (ATTEMPTS - 1)
    assert User.objects.filter(email="dina@example.org").count() == 1
    assert Enrolment.objects.filter(cohort=cohort, user__email="dina@example.org").count() == 1
    assert audited("invitation.accepted") == 1


# Check-ins -----------------------------------------------------------------------------------


def test_logging_a_check_in_three_times_at_once_logs_one(cohort, member, partner):
    in_state(cohort, Cohort.Status.ACTIVE)
    pair = checkin_signed_pair(cohort, member, partner)
    meeting = past_meeting(pair.pair, contract=pair.contract)
    path = reverse(
        "checkin_create",
        kwargs={"org_slug": cohort.organization.slug, "meeting_id": meeting.pk},
    )
    data = checkin_post(
        goals=[(pair.goal_of(member), 4)],
        indicators={
            pair.indicator_of(member): "6",
            pair.indicator_of(member, Indicator.Kind.YES_NO): "no",
        },
        steps=[("Send Ben my draft", member, timezone.now().date() + datetime.timedelta(days=7))],
        is_new="True",  # as the page for a first check-in sends it
    )

    answers = post_at_once(logged_in_clients(member), path, data)

    assert_one_done_and_the_rest_told(
        answers,
        done="Check-in saved.",
        already="You have already checked in for this meeting",
        location=reverse(
            "pair_detail", kwargs={"org_slug": cohort.organization.slug, "pair_id": pair.pair.pk}
        ),
    )
    assert CheckIn.objects.filter(meeting=meeting, user=member).count() == 1
    assert NextStep.objects.filter(pair=pair.pair).count() == 1
    assert audited("checkin.created") == 1


def test_replying_to_a_check_in_three_times_at_once_stores_one_reply(cohort, member, partner):
    in_state(cohort, Cohort.Status.ACTIVE)
    pair = checkin_signed_pair(cohort, member, partner)
    meeting = past_meeting(pair.pair, contract=pair.contract)
    checkin = CheckIn.objects.create(
        meeting=meeting, user=member, time_effectiveness=3, confidence=3
    )
    path = reverse(
        "checkin_replies", kwargs={"org_slug": cohort.organization.slug, "checkin_id": checkin.pk}
    )

    answers = post_at_once(logged_in_clients(partner), path, {"body": "Well done!"})

    assert_one_done_and_the_rest_told(
        answers,
        done="Reply sent.",
        already="Your reply is already in the thread.",
        location=f"{path}#replies-end",
    )
    assert CheckInReply.objects.count() == 1
    assert Reminder.objects.filter(kind=Reminder.Kind.CHECKIN_REPLY).count() == 1
    assert audited("checkin.replied") == 1


# Contracts -----------------------------------------------------------------------------------


def contract_path(name: str, contract: Contract) -> str:
    return reverse(
        name, kwargs={"org_slug": contract.organization.slug, "contract_id": contract.pk}
    )


def test_marking_a_contract_ready_three_times_at_once_marks_and_emails_once(
    cohort, member, partner
):
    in_state(cohort, Cohort.Status.ACTIVE)
    contract = filled(started(contract_pair(cohort, member, partner), member))
    mail.outbox.clear()

    answers = post_at_once(logged_in_clients(member), contract_path("contract_ready", contract))

    assert_one_done_and_the_rest_told(
        answers,
        done="The contract is locked and ready for signature.",
        already="already waiting for signatures",
        location=contract_path("contract_detail", contract),
    )
    assert audited("contract.ready") == 1
    assert [message.to for message in mail.outbox] == [[partner.email]]


def test_signing_a_contract_three_times_at_once_signs_once(cohort, member, partner):
    in_state(cohort, Cohort.Status.ACTIVE)
    contract = ready(contract_pair(cohort, member, partner))
    data = {
        "typed_name": member.get_full_name(),
        "password": PASSWORD,
        "content_hash": contract.content_hash,
    }
    mail.outbox.clear()

    answers = post_at_once(
        logged_in_clients(member), contract_path("contract_sign", contract), data
    )

    assert_one_done_and_the_rest_told(
        answers,
        done="You signed the contract.",
        already="You have already signed",
        location=contract_path("contract_detail", contract),
    )
    assert Signature.objects.filter(contract=contract, user=member).count() == 1
    assert audited("contract.signature_added") == 1
    assert [message.to for message in mail.outbox] == [[partner.email]]


def test_amending_a_contract_three_times_at_once_starts_one_amendment(cohort, member, partner):
    in_state(cohort, Cohort.Status.ACTIVE)
    contract = signed(contract_pair(cohort, member, partner))

    answers = post_at_once(logged_in_clients(member), contract_path("contract_amend", contract))

    amendment = Contract.objects.get(previous=contract)
    assert not failures(answers), [answer.error for answer in failures(answers)]
    assert {answer.location for answer in answers} == {contract_path("contract_detail", amendment)}
    assert all(answer.says("Amendment started") for answer in answers)
    assert audited("contract.amendment_started") == 1
