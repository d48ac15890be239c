"""A cohort's lifecycle: what each state allows, and the moves between states."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import lifecycle as rules
from accounts.lifecycle import cohort_allows, refusal_message, require_cohort_allows
from accounts.models import AuditEvent, Cohort
from checkins.oversight.lifecycle import cohort_advance, cohort_step_back
from matching.models import Pair
from tests.checkins.factories import active_pair, in_state
from tests.matching.factories import give_profile, make_pair

pytestmark = pytest.mark.django_db

Status = Cohort.Status


@pytest.fixture
def cohort(cohort):
    """These tests start from a cohort open for profiles and move it as each one needs."""
    return in_state(cohort, Status.OPEN)


def complete_profiles(cohort, *users):
    for user in users:
        give_profile(user, cohort.organization, offers={"Budgeting": 4}, needs={"Writing": 3})


# The rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "allowed_in"),
    [
        ("edit_cohort", {"draft", "open", "matching", "active"}),
        ("invite_members", {"open", "matching", "active"}),
        ("message_members", {"open", "matching", "active"}),
        ("run_matching", {"matching"}),
        ("rematch_unpaired", {"matching", "active"}),
        ("review_proposals", {"matching", "active"}),
        ("answer_pairing", {"matching", "active"}),
        ("write_contracts", {"matching", "active"}),
        ("sign_contracts", {"matching", "active"}),
        ("schedule_meetings", {"active"}),
        ("log_checkins", {"active"}),
        ("answer_survey", {"closed"}),
        ("export", {"draft", "open", "matching", "active", "closed"}),
    ],
)
def test_each_action_is_allowed_in_exactly_its_states(action, allowed_in):
    assert {status for status in Status.values if cohort_allows(status, action)} == allowed_in


def test_the_docstring_table_says_what_the_rules_do():
    lines = rules.__doc__.splitlines()
    header = next(line for line in lines if line.split()[:2] == ["action", "draft"])
    columns = {status: header.index(status) for status in Status.values}
    rows = {
        line.split()[0]: line
        for line in lines
        if line.strip() and line.split()[0] in rules.ACTIONS and "✓" in line
    }

    assert set(rows) == set(rules.ACTIONS)
    for name, line in rows.items():
        ticked = {status for status, at in columns.items() if "✓" in line[at : at + 3]}
        assert ticked == set(rules.ACTIONS[name].statuses), name


def test_cohort_allows_reads_the_cohorts_state(cohort):
    in_state(cohort, Status.ACTIVE)

    assert cohort_allows(cohort, "log_checkins")
    assert cohort_allows(cohort, "sign_contracts")
    assert not cohort_allows(cohort, "run_matching")


def test_an_unknown_action_is_a_programming_error(cohort):
    with pytest.raises(ValueError, match="Unknown cohort action 'log_checkin'"):
        cohort_allows(cohort, "log_checkin")


def test_a_refused_action_says_which_states_allow_it(cohort):
    in_state(cohort, Status.CLOSED)

    with pytest.raises(ValidationError) as error:
        require_cohort_allows(cohort=cohort, action="log_checkins")

    assert error.value.messages == [
        "The cohort “Autumn 2026” is closed: you can log check-ins only while it is active."
    ]


def test_a_refusal_lists_several_states_in_words(cohort):
    in_state(cohort, Status.DRAFT)

    message = refusal_message(cohort, "invite_members")

    assert message.endswith("only while it is open for profiles, matching or active.")


# Moving forward ------------------------------------------------------------------------------


def test_a_draft_cohort_opens(cohort, coordinator):
    in_state(cohort, Status.DRAFT)

    cohort_advance(cohort=cohort, actor=coordinator, from_status=Status.DRAFT)

    cohort.refresh_from_db()
    assert cohort.status == Status.OPEN


def test_every_move_is_in_the_audit_log(cohort, coordinator):
    in_state(cohort, Status.DRAFT)

    cohort_advance(cohort=cohort, actor=coordinator)

    event = AuditEvent.objects.get(action="cohort.advanced")
    assert event.actor == coordinator
    assert event.organization == cohort.organization
    assert event.data == {"cohort": cohort.pk, "from": "draft", "to": "open"}


def test_matching_needs_two_complete_profiles(cohort, coordinator, member):
    complete_profiles(cohort, member)

    with pytest.raises(ValidationError) as error:
        cohort_advance(cohort=cohort, actor=coordinator)

    assert "at least 2 members with a complete profile" in error.value.messages[0]
    assert "this cohort has 1" in error.value.messages[0]
    cohort.refresh_from_db()
    assert cohort.status == Status.OPEN
    assert not AuditEvent.objects.filter(action="cohort.advanced").exists()


def test_an_open_cohort_with_two_complete_profiles_moves_to_matching(
    cohort, coordinator, member, partner
):
    complete_profiles(cohort, member, partner)

    cohort_advance(cohort=cohort, actor=coordinator, from_status=Status.OPEN)

    assert Cohort.objects.get(pk=cohort.pk).status == Status.MATCHING


def test_activating_needs_an_active_pair(cohort, coordinator, member, partner):
    in_state(cohort, Status.MATCHING)
    make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)

    with pytest.raises(ValidationError, match="No pair is active yet"):
        cohort_advance(cohort=cohort, actor=coordinator)


def test_a_matching_cohort_with_an_active_pair_becomes_active(cohort, coordinator, member, partner):
    in_state(cohort, Status.MATCHING)
    active_pair(cohort, [member, partner])

    cohort_advance(cohort=cohort, actor=coordinator)

    assert cohort.status == Status.ACTIVE
    assert Cohort.objects.get(pk=cohort.pk).status == Status.ACTIVE


def test_a_closed_cohort_goes_nowhere(cohort, coordinator):
    in_state(cohort, Status.CLOSED)

    with pytest.raises(ValidationError, match="a closed cohort stays closed"):
        cohort_advance(cohort=cohort, actor=coordinator)


def test_a_second_click_does_not_move_the_cohort_two_steps(cohort, coordinator):
    in_state(cohort, Status.DRAFT)
    cohort_advance(cohort=cohort, actor=coordinator, from_status=Status.DRAFT)
    stale = Cohort.objects.get(pk=cohort.pk)

    with pytest.raises(ValidationError, match="already “Open for profiles”"):
        cohort_advance(cohort=stale, actor=coordinator, from_status=Status.DRAFT)

    assert Cohort.objects.get(pk=cohort.pk).status == Status.OPEN


def test_advancing_an_active_cohort_closes_it_with_everything_closing_does(
    cohort, coordinator, member, partner
):
    in_state(cohort, Status.ACTIVE)
    active_pair(cohort, [member, partner])

    cohort_advance(cohort=cohort, actor=coordinator, from_status=Status.ACTIVE)

    assert Cohort.objects.get(pk=cohort.pk).status == Status.CLOSED
    assert AuditEvent.objects.filter(action="cohort.closed").count() == 1
    assert cohort.closing_survey_requests.count() == 2


# Going back ----------------------------------------------------------------------------------


def test_matching_goes_back_to_open(cohort, coordinator):
    in_state(cohort, Status.MATCHING)

    cohort_step_back(cohort=cohort, actor=coordinator, from_status=Status.MATCHING)

    assert Cohort.objects.get(pk=cohort.pk).status == Status.OPEN
    event = AuditEvent.objects.get(action="cohort.stepped_back")
    assert event.data == {"cohort": cohort.pk, "from": "matching", "to": "open"}


@pytest.mark.parametrize("status", [Status.DRAFT, Status.OPEN, Status.ACTIVE, Status.CLOSED])
def test_no_other_state_goes_back(cohort, coordinator, status):
    in_state(cohort, status)

    with pytest.raises(ValidationError, match="Only a cohort in “Matching” can go back"):
        cohort_step_back(cohort=cohort, actor=coordinator)

    assert Cohort.objects.get(pk=cohort.pk).status == status


def test_matching_cannot_go_back_once_pairs_were_published(cohort, coordinator, member, partner):
    in_state(cohort, Status.MATCHING)
    make_pair(cohort, [member, partner], status=Pair.Status.PUBLISHED)

    with pytest.raises(ValidationError, match="already been published"):
        cohort_step_back(cohort=cohort, actor=coordinator)


def test_unpublished_proposals_do_not_stop_going_back(cohort, coordinator, member, partner):
    in_state(cohort, Status.MATCHING)
    make_pair(cohort, [member, partner], status=Pair.Status.PROPOSED)

    cohort_step_back(cohort=cohort, actor=coordinator)

    assert Cohort.objects.get(pk=cohort.pk).status == Status.OPEN


# The pages -----------------------------------------------------------------------------------


def url(name, cohort):
    return reverse(name, kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk})


def test_the_lifecycle_page_shows_the_state_what_it_allows_and_what_stops_the_next(
    client_for, cohort, coordinator
):
    in_state(cohort, Status.OPEN)

    response = client_for(coordinator).get(url("cohort_lifecycle", cohort))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Now: Open for profiles" in page
    assert "invite or import members" in page
    assert "Next: Matching" in page
    assert "Matching needs at least 2 members with a complete profile" in page
    assert "from Matching back to Open for profiles" in page


def test_the_confirmation_page_says_what_the_move_changes(client_for, cohort, coordinator):
    in_state(cohort, Status.MATCHING)

    response = client_for(coordinator).get(url("cohort_advance", cohort))

    page = response.content.decode()
    assert "Move “Autumn 2026” from “Matching” to “Active”?" in page
    assert "log check-ins" in page  # gained
    assert "run the matching for the whole cohort" in page  # lost
    assert 'name="from_status" value="matching"' in page


def test_posting_the_confirmation_moves_the_cohort(client_for, cohort, coordinator):
    in_state(cohort, Status.DRAFT)

    response = client_for(coordinator).post(
        url("cohort_advance", cohort), {"from_status": "draft"}, follow=True
    )

    assert response.redirect_chain[-1][0] == url("cohort_lifecycle", cohort)
    assert "The cohort is now “Open for profiles”." in response.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).status == Status.OPEN


def test_a_refused_move_shows_why_and_changes_nothing(client_for, cohort, coordinator):
    response = client_for(coordinator).post(
        url("cohort_advance", cohort), {"from_status": "open"}, follow=True
    )

    assert "Matching needs at least 2 members" in response.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).status == Status.OPEN


def test_the_advance_page_of_an_active_cohort_leads_to_the_closing_page(
    client_for, cohort, coordinator
):
    in_state(cohort, Status.ACTIVE)

    response = client_for(coordinator).get(url("cohort_advance", cohort))

    assert response.status_code == 302
    assert response["Location"] == url("cohort_close", cohort)


def test_going_back_through_the_page(client_for, cohort, coordinator):
    in_state(cohort, Status.MATCHING)
    client = client_for(coordinator)

    assert "Go back" in client.get(url("cohort_lifecycle", cohort)).content.decode()
    client.post(url("cohort_step_back", cohort), {"from_status": "matching"})

    assert Cohort.objects.get(pk=cohort.pk).status == Status.OPEN


def test_members_get_403_on_the_lifecycle_pages(client_for, cohort, member):
    client = client_for(member)

    assert client.get(url("cohort_lifecycle", cohort)).status_code == 403
    assert client.post(url("cohort_advance", cohort), {"from_status": "open"}).status_code == 403
    assert Cohort.objects.get(pk=cohort.pk).status == Status.OPEN


def test_a_coordinator_of_another_organization_gets_404(client_for, cohort, outsider):
    response = client_for(outsider).post(url("cohort_advance", cohort), {"from_status": "open"})

    assert response.status_code == 404
    assert Cohort.objects.get(pk=cohort.pk).status == Status.OPEN


def test_anonymous_visitors_are_sent_to_log_in(client, cohort):
    response = client.get(url("cohort_lifecycle", cohort))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
