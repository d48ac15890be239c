"""Every app's services refuse what the cohort's state doesn't allow, and change nothing.

Each case puts the cohort in a state the action isn't allowed in, calls the service as a page,
command or task would, and expects the lifecycle's sentence; then the same call in an allowed
state works. A snapshot of the row counts shows that a refusal wrote nothing.
"""

import datetime

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.lifecycle import refusal_message
from accounts.models import Cohort, Invitation
from checkins import reminders
from checkins import selectors as checkin_selectors
from checkins import services as checkin_services
from checkins.models import CheckIn, Meeting, Reminder
from contracts import services as contract_services
from contracts.models import Contract
from matching import services as matching_services
from matching.models import MatchRun, Pair, PartnerRequest
from profiles import importing
from tests.checkins.factories import checkin_post, in_state, past_meeting, signed_pair
from tests.contracts.factories import ready, sign, started, terms
from tests.matching.factories import cohort_of_four, make_pair

pytestmark = pytest.mark.django_db

Status = Cohort.Status


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "profiles", "matching", "contracts", "checkins"}
        and model._meta.label != "accounts.AuditEvent"
    }


def assert_refused(call, cohort, action):
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        call()
    assert error.value.messages == [refusal_message(cohort, action)]
    assert row_counts() == before


CSV = (
    b"email,first_name,last_name,department,offers,needs,languages,timezone\n"
    b"eva@northwind.test,Eva,Berg,Sales,Budgeting:4,Writing:3,en,Europe/Copenhagen\n"
)


# Coordinators: cohort, invitations, import ---------------------------------------------------


def test_a_closed_cohort_cant_be_edited(cohort, coordinator):
    in_state(cohort, Status.CLOSED)

    assert_refused(
        lambda: account_services.cohort_update(cohort=cohort, actor=coordinator, name="Renamed"),
        cohort,
        "edit_cohort",
    )
    cohort.refresh_from_db()
    assert cohort.name == "Autumn 2026"


@pytest.mark.parametrize("status", [Status.DRAFT, Status.CLOSED])
def test_invitations_wait_until_the_cohort_is_open_and_stop_when_it_closes(
    cohort, coordinator, status
):
    in_state(cohort, status)

    assert_refused(
        lambda: account_services.invitations_send(
            cohort=cohort, actor=coordinator, emails=["eva@northwind.test"]
        ),
        cohort,
        "invite_members",
    )
    assert mail.outbox == []


def test_an_open_cohort_takes_invitations(cohort, coordinator):
    in_state(cohort, Status.OPEN)

    sent, _skipped = account_services.invitations_send(
        cohort=cohort, actor=coordinator, emails=["eva@northwind.test"]
    )

    assert [invitation.email for invitation in sent] == ["eva@northwind.test"]


def test_an_invitation_to_a_cohort_that_closed_can_no_longer_be_resent_or_used(cohort, coordinator):
    in_state(cohort, Status.ACTIVE)
    (invitation,), _skipped = account_services.invitations_send(
        cohort=cohort, actor=coordinator, emails=["eva@northwind.test"]
    )
    token = account_services.invitation_token(invitation)
    in_state(cohort, Status.CLOSED)

    assert_refused(
        lambda: account_services.invitation_resend(invitation=invitation, actor=coordinator),
        cohort,
        "invite_members",
    )
    with pytest.raises(account_services.InvitationError, match="not taking new members"):
        account_services.invitation_from_token(token)
    with pytest.raises(account_services.InvitationError, match="not taking new members"):
        account_services.invitation_accept_with_new_account(
            invitation=invitation, first_name="Eva", last_name="Berg", password="a long passphrase"
        )
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not account_services.User.objects.filter(email="eva@northwind.test").exists()


def test_the_invitation_page_of_a_closed_cohort_says_so_with_410(client, cohort, coordinator):
    (invitation,), _skipped = account_services.invitations_send(
        cohort=cohort, actor=coordinator, emails=["eva@northwind.test"]
    )
    in_state(cohort, Status.CLOSED)

    response = client.get(
        reverse("invitation_accept", args=[account_services.invitation_token(invitation)])
    )

    assert response.status_code == 410
    assert "Autumn 2026 is not taking new members now" in response.content.decode()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.CLOSED])
def test_an_import_into_a_cohort_that_takes_no_members_writes_nothing(cohort, coordinator, status):
    in_state(cohort, status)

    assert_refused(
        lambda: importing.members_import(cohort=cohort, actor=coordinator, data=CSV),
        cohort,
        "invite_members",
    )


def test_the_import_command_says_why_and_writes_nothing(cohort, tmp_path):
    in_state(cohort, Status.DRAFT)
    path = tmp_path / "members.csv"
    path.write_bytes(CSV)

    with pytest.raises(CommandError, match="is draft: you can invite or import members only"):
        call_command("import_members", "northwind", "autumn-2026", str(path))

    assert not cohort.enrolments.exists()


def test_an_import_that_creates_its_cohort_creates_it_open(organization):
    cohort, notes = importing.import_cohort_get_or_create(
        org_slug="northwind", cohort_slug="winter-2027", create=True
    )
    report = importing.members_import(cohort=cohort, actor=None, data=CSV)

    assert cohort.status == Status.OPEN
    assert notes[-1].endswith("open for profiles.")
    assert report.written


# Matching --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.OPEN, Status.ACTIVE, Status.CLOSED])
def test_the_whole_cohort_is_matched_only_in_its_matching_state(
    cohort, coordinator, member, partner, status
):
    cohort_of_four(cohort, member, partner)
    in_state(cohort, status)

    assert_refused(
        lambda: matching_services.matching_run_create(cohort=cohort, actor=coordinator),
        cohort,
        "run_matching",
    )


def test_members_without_a_partner_can_be_rematched_while_the_cohort_is_active(
    cohort, coordinator, member, partner
):
    four = cohort_of_four(cohort, member, partner)
    make_pair(cohort, [four.ana, four.ben], status=Pair.Status.ACTIVE)
    in_state(cohort, Status.ACTIVE)

    run = matching_services.matching_run_create(
        cohort=cohort, actor=coordinator, scope=MatchRun.Scope.UNPAIRED
    )
    matching_services.matching_run_execute(run=run)

    run.refresh_from_db()
    assert run.status == MatchRun.Status.DONE
    assert Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED).count() == 1


def test_a_run_whose_cohort_closed_while_it_waited_fails_and_proposes_nothing(
    cohort, coordinator, member, partner
):
    cohort_of_four(cohort, member, partner)
    in_state(cohort, Status.MATCHING)
    run = matching_services.matching_run_create(cohort=cohort, actor=coordinator)
    in_state(cohort, Status.CLOSED)

    matching_services.matching_run_execute(run=run)

    run.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED
    assert run.error == refusal_message(cohort, "run_matching")
    assert not Pair.objects.filter(cohort=cohort).exists()


@pytest.mark.parametrize("status", [Status.OPEN, Status.CLOSED])
def test_proposals_are_reviewed_and_published_only_while_matching_or_active(
    cohort, coordinator, member, partner, status
):
    four = cohort_of_four(cohort, member, partner)
    proposal = make_pair(cohort, [four.ana, four.ben])
    in_state(cohort, status)

    for call in (
        lambda: matching_services.pair_set_locked(pair=proposal, actor=coordinator, locked=True),
        lambda: matching_services.pair_forbid(pair=proposal, actor=coordinator),
        lambda: matching_services.pair_create_manual(
            cohort=cohort, actor=coordinator, users=[four.carl, four.dina]
        ),
        lambda: matching_services.matching_publish(cohort=cohort, actor=coordinator),
    ):
        assert_refused(call, cohort, "review_proposals")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.locked) == (Pair.Status.PROPOSED, False)


def test_a_closed_cohorts_matching_rules_stay_as_they_were(cohort, coordinator):
    in_state(cohort, Status.CLOSED)

    assert_refused(
        lambda: matching_services.match_settings_update(
            cohort=cohort,
            actor=coordinator,
            share_language=False,
            different_department=True,
            exclude_previous_partners=False,
            allow_requests=True,
        ),
        cohort,
        "edit_cohort",
    )


def test_members_of_a_closed_cohort_cant_answer_a_proposal_or_request_a_partner(
    cohort, member, partner
):
    four = cohort_of_four(cohort, member, partner)
    published = make_pair(cohort, [four.ana, four.ben], status=Pair.Status.PUBLISHED)
    in_state(cohort, Status.CLOSED)

    assert_refused(
        lambda: matching_services.pair_respond(pair=published, user=four.ana, accept=True),
        cohort,
        "answer_pairing",
    )
    assert_refused(
        lambda: matching_services.partner_request_create(
            cohort=cohort, from_user=four.carl, to_user=four.dina
        ),
        cohort,
        "answer_pairing",
    )
    assert not PartnerRequest.objects.exists()


# Contracts -------------------------------------------------------------------------------------


def test_a_closed_cohorts_pairs_cant_start_or_change_a_contract(cohort, member, partner):
    in_state(cohort, Status.ACTIVE)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE)
    other = make_pair(
        cohort,
        [
            account_services.User.objects.create_user(email="c@northwind.test"),
            account_services.User.objects.create_user(email="d@northwind.test"),
        ],
        status=Pair.Status.ACTIVE,
    )
    contract = started(pair, member)
    in_state(cohort, Status.CLOSED)

    assert_refused(lambda: started(other), cohort, "write_contracts")
    assert_refused(
        lambda: contract_services.contract_terms_update(contract=contract, actor=member, **terms()),
        cohort,
        "write_contracts",
    )
    assert contract_services.contract_start(pair=pair, actor=member) == contract  # reading


def test_an_active_pair_signs_while_the_cohort_is_still_matching(cohort, member, partner):
    # The old rule refused signing until the cohort was active; now an active pair signs as
    # soon as its contract is ready, and only a draft or open cohort refuses.
    in_state(cohort, Status.MATCHING)
    pair = make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE)
    contract = ready(pair)  # written and marked ready in the matching state

    sign(contract, member, notify=False)
    sign(contract, partner, notify=False)

    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert not Meeting.objects.filter(contract=contract).exists()  # not before the cohort is active


def test_moving_to_active_schedules_the_meetings_of_pairs_that_signed_while_matching(
    cohort, member, partner, coordinator, django_capture_on_commit_callbacks
):
    from checkins.oversight.lifecycle import cohort_advance

    in_state(cohort, Status.MATCHING)
    contract = ready(make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE))
    sign(contract, member, notify=False)
    sign(contract, partner, notify=False)

    with django_capture_on_commit_callbacks(execute=True):
        cohort_advance(cohort=cohort, actor=coordinator, from_status=Status.MATCHING)

    assert cohort.status == Status.ACTIVE
    assert Meeting.objects.filter(contract=contract, status=Meeting.Status.SCHEDULED).exists()


def test_the_contract_page_offers_signing_a_ready_contract_while_matching(
    client_for, cohort, member, partner
):
    in_state(cohort, Status.MATCHING)
    contract = ready(make_pair(cohort, [member, partner], status=Pair.Status.ACTIVE))
    client = client_for(member)

    page = client.get(
        reverse("contract_detail", args=[cohort.organization.slug, contract.pk])
    ).content.decode()
    sign_page = client.get(reverse("contract_sign", args=[cohort.organization.slug, contract.pk]))

    assert "you can sign contracts only while" not in page
    assert "Read and sign" in page
    assert sign_page.status_code == 200


# Meetings, check-ins, messages -----------------------------------------------------------------


def test_a_closed_cohorts_partners_cant_add_or_move_meetings_or_check_in(cohort, member, partner):
    signed = signed_pair(cohort, member, partner)
    meeting = past_meeting(signed.pair, contract=signed.contract)
    upcoming = Meeting.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        pair=signed.pair,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        ends_at=timezone.now() + datetime.timedelta(days=2, hours=1),
        origin=Meeting.Origin.MANUAL,
    )
    in_state(cohort, Status.CLOSED)
    when = timezone.now() + datetime.timedelta(days=3)

    assert_refused(
        lambda: checkin_services.meeting_add(
            pair=signed.pair, actor=member, starts_at=when, minutes=60
        ),
        cohort,
        "schedule_meetings",
    )
    assert_refused(
        lambda: checkin_services.meeting_reschedule(
            meeting=upcoming, actor=member, starts_at=when, minutes=60
        ),
        cohort,
        "schedule_meetings",
    )
    assert_refused(
        lambda: checkin_services.meeting_cancel(meeting=upcoming, actor=member),
        cohort,
        "schedule_meetings",
    )
    assert_refused(
        lambda: checkin_services.checkin_create(
            meeting=meeting, user=member, time_effectiveness=4, confidence=4
        ),
        cohort,
        "log_checkins",
    )


def test_an_existing_check_in_cant_be_edited_once_the_cohort_closed(cohort, member, partner):
    signed = signed_pair(cohort, member, partner)
    meeting = past_meeting(signed.pair, contract=signed.contract)
    row = checkin_services.checkin_create(
        meeting=meeting, user=member, time_effectiveness=4, confidence=4, learned="Budgets"
    )
    in_state(cohort, Status.CLOSED)

    assert_refused(
        lambda: checkin_services.checkin_update(
            checkin=row, actor=member, time_effectiveness=1, confidence=1, learned="Changed"
        ),
        cohort,
        "log_checkins",
    )
    row.refresh_from_db()
    assert (row.learned, row.confidence) == ("Budgets", 4)


def test_the_check_in_form_of_a_closed_cohort_sends_back_to_the_pair_page(
    client_for, cohort, member, partner
):
    signed = signed_pair(cohort, member, partner)
    meeting = past_meeting(signed.pair, contract=signed.contract)
    in_state(cohort, Status.CLOSED)
    client = client_for(member)
    url = reverse("checkin_create", args=[cohort.organization.slug, meeting.pk])

    page = client.get(url)
    post = client.post(url, checkin_post(time_effectiveness=4, confidence=4), follow=True)

    pair_url = reverse("pair_detail", args=[cohort.organization.slug, signed.pair.pk])
    assert (page.status_code, page.url) == (302, pair_url)
    assert "you can log check-ins only while it is active" in post.content.decode()
    assert not CheckIn.objects.exists()


def test_no_meetings_are_planned_for_a_cohort_that_isnt_active(cohort, member, partner):
    signed = signed_pair(cohort, member, partner)
    in_state(cohort, Status.CLOSED)

    assert list(checkin_selectors.contracts_needing_schedule()) == []
    assert checkin_services.meetings_ensure_scheduled(contract=signed.contract) == []
    assert not Meeting.objects.exists()

    in_state(cohort, Status.ACTIVE)
    assert list(checkin_selectors.contracts_needing_schedule()) == [signed.contract]
    assert checkin_services.meetings_ensure_scheduled(contract=signed.contract)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.CLOSED])
def test_coordinators_message_members_only_while_the_cohort_runs(
    cohort, coordinator, member, status
):
    in_state(cohort, status)

    assert_refused(
        lambda: reminders.program_message_queue(
            cohort=cohort,
            recipients=[member],
            subject="Complete your profile",
            body="Please do.",
            actor=coordinator,
        ),
        cohort,
        "message_members",
    )


# Pages -----------------------------------------------------------------------------------------


def test_the_invite_page_of_a_draft_cohort_says_how_to_open_it(client_for, cohort, coordinator):
    in_state(cohort, Status.DRAFT)
    client = client_for(coordinator)

    response = client.post(
        reverse("cohort_invite", args=[cohort.organization.slug, cohort.pk]),
        {"emails": "eva@northwind.test"},
        follow=True,
    )

    page = response.content.decode()
    assert "you can invite or import members only while it is open for profiles" in page
    assert "open it for profiles" in page  # the draft notice on the cohort page
    assert not Invitation.objects.exists()


def test_the_matching_page_of_an_open_cohort_explains_instead_of_offering_a_run(
    client_for, cohort, coordinator
):
    in_state(cohort, Status.OPEN)

    page = (
        client_for(coordinator)
        .get(reverse("matching_cohort", args=[cohort.organization.slug, cohort.pk]))
        .content.decode()
    )

    assert "you can run the matching for the whole cohort only while it is matching" in page
    assert "Run matching</button>" not in page


def test_a_closed_cohorts_pair_page_offers_no_changes(client_for, cohort, member, partner):
    signed = signed_pair(cohort, member, partner)
    past_meeting(signed.pair, contract=signed.contract)
    in_state(cohort, Status.CLOSED)

    page = (
        client_for(member)
        .get(reverse("pair_detail", args=[cohort.organization.slug, signed.pair.pk]))
        .content.decode()
    )

    assert "you can log check-ins only while it is active" in page
    assert "Add a meeting" not in page
    assert "Log my check-in" not in page
    assert Contract.objects.get().status == Contract.Status.SIGNED


def test_a_new_cohort_starts_as_a_draft_and_says_how_to_open_it(
    client_for, organization, program, coordinator
):
    response = client_for(coordinator).post(
        reverse("cohort_create", args=[organization.slug, program.pk]),
        {"name": "Spring 2027", "starts_on": "2027-03-01", "ends_on": "2027-12-01"},
        follow=True,
    )

    cohort = Cohort.objects.get(name="Spring 2027")
    page = response.content.decode()
    assert cohort.status == Status.DRAFT
    assert "Cohort created as a draft." in page
    assert reverse("cohort_invite", args=[organization.slug, cohort.pk]) not in page
    assert reverse("cohort_lifecycle", args=[organization.slug, cohort.pk]) in page


def test_a_closed_cohorts_stuck_list_offers_no_reminder(client_for, cohort, coordinator, member):
    in_state(cohort, Status.CLOSED)
    url = reverse("cohort_funnel_step", args=[cohort.organization.slug, cohort.pk, "joined"])
    client = client_for(coordinator)

    page = client.get(url).content.decode()
    post = client.post(url, {"subject": "Your profile", "body": "Please.", "confirmed": "1"})

    assert "Ana Silva" in page  # stuck at "joined": no complete profile
    assert "you can send messages to members only while it is open for profiles" in page
    assert "Review and send" not in page
    assert post.status_code == 200
    assert not Reminder.objects.exists()


def test_a_closed_cohorts_member_sees_why_they_cant_answer_or_ask(
    client_for, cohort, member, partner
):
    make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)
    in_state(cohort, Status.CLOSED)
    client = client_for(member)
    org = cohort.organization.slug

    partner_page = client.get(reverse("my_partner", args=[org, cohort.pk])).content.decode()
    suggestions = client.get(reverse("matching_suggestions", args=[org, cohort.pk]))

    sentence = "you can accept or decline a partner, or request one only while it is matching"
    assert sentence in partner_page
    assert "Decline this partner" not in partner_page
    assert sentence in suggestions.content.decode()
