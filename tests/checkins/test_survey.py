"""The closing survey: who may answer, once, what is checked, and the anonymous summary."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Cohort
from checkins.models import ClosingSurvey, ClosingSurveyRequest
from checkins.oversight.lifecycle import cohort_close
from checkins.oversight.survey import closing_survey_submit, cohort_survey_summary
from tests.checkins.factories import active_pair
from tests.factories import CohortFactory, EnrolmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def set_status(cohort, status):
    Cohort.objects.filter(pk=cohort.pk).update(status=status)
    cohort.refresh_from_db()


@pytest.fixture
def closed(cohort, coordinator, member, partner):
    """The cohort, closed, with `member` and `partner` (an active pair) asked for the survey."""
    set_status(cohort, Cohort.Status.ACTIVE)
    active_pair(cohort, [member, partner])
    cohort_close(cohort=cohort, actor=coordinator)
    return cohort


def answer(cohort, user, goal="yes", again=True, helped=""):
    return closing_survey_submit(
        cohort=cohort, user=user, goal_reached=goal, would_pair_again=again, what_helped=helped
    )


# Answering -----------------------------------------------------------------------------------


def test_a_member_who_was_asked_answers_anonymously(closed, member):
    survey = answer(closed, member, goal="partly", again=False, helped="  Weekly calls.  ")

    assert (survey.goal_reached, survey.would_pair_again, survey.what_helped) == (
        "partly",
        False,
        "Weekly calls.",
    )
    assert not {"user", "user_id", "created_at"} & {f.attname for f in ClosingSurvey._meta.fields}
    request = ClosingSurveyRequest.objects.get(cohort=closed, user=member)
    assert request.answered_at is not None


def test_a_member_answers_only_once(closed, member):
    answer(closed, member)

    with pytest.raises(ValidationError, match="already answered this survey"):
        answer(closed, member, goal="no")

    assert ClosingSurvey.objects.filter(cohort=closed).count() == 1
    assert ClosingSurvey.objects.get().goal_reached == "yes"


def test_answering_is_in_the_audit_log_without_the_answers(closed, member):
    answer(closed, member, helped="Secret sauce")

    event = AuditEvent.objects.get(action="closing_survey.answered")
    assert event.actor == member
    assert event.data == {"cohort": closed.pk}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"goal": "maybe"}, "goal_reached"),
        ({"goal": ""}, "goal_reached"),
        ({"helped": "x" * 2001}, "what_helped"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_is_recorded(closed, member, fields, message):
    with pytest.raises(ValidationError) as error:
        answer(closed, member, **fields)

    assert message in error.value.message_dict
    assert not ClosingSurvey.objects.exists()
    assert ClosingSurveyRequest.objects.get(user=member).answered_at is None


def test_would_pair_again_must_be_a_yes_or_a_no(closed, member):
    with pytest.raises(ValidationError) as error:
        answer(closed, member, again=None)

    assert "would_pair_again" in error.value.message_dict


def test_a_member_who_was_not_asked_cannot_answer(closed):
    unpaired = EnrolmentFactory(cohort=closed).user

    with pytest.raises(ValidationError, match="for the members who had a partner"):
        answer(closed, unpaired)


def test_the_survey_takes_answers_only_once_the_cohort_is_closed(
    cohort, member, partner, coordinator
):
    set_status(cohort, Cohort.Status.ACTIVE)
    ClosingSurveyRequest.objects.create(
        organization=cohort.organization, cohort=cohort, user=member, requested_at=timezone.now()
    )

    with pytest.raises(ValidationError, match="answer the closing survey only while it is closed"):
        answer(cohort, member)


# The summary ---------------------------------------------------------------------------------


def test_the_summary_counts_a_known_set_of_answers(closed, member, partner):
    more = [EnrolmentFactory(cohort=closed).user for _ in range(4)]
    ClosingSurveyRequest.objects.bulk_create(
        ClosingSurveyRequest(
            organization=closed.organization, cohort=closed, user=user, requested_at=timezone.now()
        )
        for user in more
    )  # 6 asked
    answer(closed, member, goal="yes", again=True, helped="The contract made it explicit.")
    answer(closed, partner, goal="yes", again=True)
    answer(closed, more[0], goal="partly", again=False, helped="Weekly calls kept me honest.")
    answer(closed, more[1], goal="no", again=True, helped="   ")

    summary = cohort_survey_summary(cohort=closed)

    assert summary["asked"] == 6
    assert summary["responses"] == 4
    assert summary["response_rate"] == 66.7
    assert summary["goal_reached"] == {
        "yes": {"label": "Yes", "count": 2, "percent": 50.0},
        "partly": {"label": "Partly", "count": 1, "percent": 25.0},
        "no": {"label": "No", "count": 1, "percent": 25.0},
    }
    assert summary["would_pair_again"] == {
        "yes": {"label": "Yes", "count": 3, "percent": 75.0},
        "no": {"label": "No", "count": 1, "percent": 25.0},
    }
    assert sorted(summary["what_helped"]) == [
        "The contract made it explicit.",
        "Weekly calls kept me honest.",
    ]


def test_the_summary_of_a_cohort_nobody_answered_is_all_zeros(cohort):
    summary = cohort_survey_summary(cohort=cohort)

    assert (summary["asked"], summary["responses"], summary["response_rate"]) == (0, 0, 0.0)
    assert {entry["percent"] for entry in summary["goal_reached"].values()} == {0.0}
    assert summary["what_helped"] == []


def test_the_summary_holds_no_names_and_only_the_cohorts_answers(
    closed, member, partner, program, coordinator
):
    answer(closed, member, helped="Practising the pitch together.")
    sibling = CohortFactory(program=program, status=Cohort.Status.ACTIVE)
    pair = active_pair(sibling, [EnrolmentFactory(cohort=sibling).user for _ in "ab"])
    cohort_close(cohort=sibling, actor=coordinator)
    answer(sibling, pair.members.first().user, goal="no", helped="Another cohort's answer")

    summary = cohort_survey_summary(cohort=closed)

    text = repr(summary)
    assert "Another cohort's answer" not in text
    assert summary["goal_reached"]["no"]["count"] == 0
    for person in (member, partner):
        assert person.email not in text and person.first_name not in text


def test_the_summary_takes_the_same_queries_however_many_answers(
    closed, member, partner, django_assert_num_queries
):
    answer(closed, member, helped="One")
    with django_assert_num_queries(3):
        cohort_survey_summary(cohort=closed)
    answer(closed, partner, helped="Two")
    with django_assert_num_queries(3):
        cohort_survey_summary(cohort=closed)


# The page ------------------------------------------------------------------------------------


def survey_url(cohort):
    return reverse(
        "closing_survey", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )


def test_a_member_answers_on_the_page_and_then_sees_a_thank_you(client_for, closed, member):
    client = client_for(member)
    assert 'name="goal_reached"' in client.get(survey_url(closed)).content.decode()

    response = client.post(
        survey_url(closed),
        {"goal_reached": "partly", "would_pair_again": "yes", "what_helped": "Our agenda."},
        follow=True,
    )

    page = response.content.decode()
    assert "Thank you for your answers!" in page
    assert 'name="goal_reached"' not in page
    survey = ClosingSurvey.objects.get(cohort=closed)
    assert (survey.goal_reached, survey.would_pair_again) == ("partly", True)


def test_a_second_post_records_nothing(client_for, closed, member):
    client = client_for(member)
    data = {"goal_reached": "yes", "would_pair_again": "no", "what_helped": ""}
    client.post(survey_url(closed), data)

    response = client.post(survey_url(closed), data, follow=True)

    assert "already answered" in response.content.decode()
    assert ClosingSurvey.objects.count() == 1


def test_the_page_shows_what_is_missing(client_for, closed, member):
    response = client_for(member).post(survey_url(closed), {"would_pair_again": "yes"})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ClosingSurvey.objects.exists()


def test_before_closing_the_page_says_the_survey_is_not_open_yet(client_for, cohort, member):
    response = client_for(member).get(survey_url(cohort))

    assert "opens when the cohort closes" in response.content.decode()


def test_an_enrolled_member_who_had_no_partner_is_thanked_but_not_asked(client_for, closed):
    unpaired = EnrolmentFactory(cohort=closed).user

    page = client_for(unpaired).get(survey_url(closed)).content.decode()

    assert "for the members who had a partner" in page
    assert 'name="goal_reached"' not in page


def test_a_member_not_enrolled_in_the_cohort_gets_404(client_for, closed, organization):
    stranger = MembershipFactory(organization=organization).user

    assert client_for(stranger).get(survey_url(closed)).status_code == 404


def test_a_member_of_another_organization_gets_404(client_for, closed, outsider):
    assert client_for(outsider).get(survey_url(closed)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, closed):
    response = client.get(survey_url(closed))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
