"""Suggestions and partner requests, when the cohort allows members to choose."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import AuditEvent
from matching import services
from matching.models import MatchSettings, Pair, PairRule, PartnerRequest
from tests.matching.factories import cohort_of_four, enrol, ids, make_pair, member_sets

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(cohort, member, partner):
    MatchSettings.objects.create(cohort=cohort, allow_requests=True)
    return cohort_of_four(cohort, member, partner)


def suggestions_url(cohort):
    return reverse("matching_suggestions", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk})


def ask(client, cohort, user, message=""):
    url = reverse(
        "partner_request_create", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk}
    )
    return client.post(url, {"to_user": user.pk, "message": message})


def answer(client, partner_request, value):
    url = reverse(
        "partner_request_answer", kwargs={"org_slug": "northwind", "request_id": partner_request.pk}
    )
    return client.post(url, {"answer": value})


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_member_sees_their_best_suggestions_first_with_explanations(client_for, cohort, four):
    for index in range(6):
        enrol(cohort, f"Extra{index}", offers={"Writing": 2}, needs={"Budgeting": 2})

    response = client_for(four.ana).get(suggestions_url(cohort))

    suggestions = response.context["suggestions"]
    assert len(suggestions) == 5
    assert suggestions[0].user == four.ben
    assert suggestions[0].explanation.startswith("Ana Silva offers Public speaking (expert)")
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert "Ask to pair up" in response.content.decode()


def test_suggestions_respect_the_rules_and_leave_out_members_with_a_partner(
    client_for, cohort, four
):
    a, b = sorted([four.ana.pk, four.ben.pk])
    PairRule.objects.create(cohort=cohort, user_a_id=a, user_b_id=b)
    make_pair(cohort, [four.carl, enrol(cohort, "Eve")], status=Pair.Status.ACTIVE)
    enrol(
        cohort,
        "Fay",
        offers={"Fundraising": 5},
        needs={"Public speaking": 5},
        languages=("Danish",),
    )

    suggestions = client_for(four.ana).get(suggestions_url(cohort)).context["suggestions"]

    assert [s.user for s in suggestions] == [four.dina]


def test_suggestions_are_closed_unless_the_cohort_allows_requests(client_for, cohort, four):
    MatchSettings.objects.filter(cohort=cohort).update(allow_requests=False)

    response = client_for(four.ana).get(suggestions_url(cohort))

    assert response.context["suggestions"] is None
    assert "your coordinator pairs the members" in response.content.decode()
    assert "can't request partners" in message_texts(ask(client_for(four.ana), cohort, four.ben))[0]


def test_a_member_with_an_incomplete_profile_is_asked_to_complete_it(client_for, cohort, four):
    newcomer = enrol(cohort, "Eve")

    page = client_for(newcomer).get(suggestions_url(cohort)).content.decode()

    assert "Complete your profile first" in page


def test_requesting_then_accepting_makes_an_active_pair(
    client_for, cohort, four, mailoutbox, links_in, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client_for(four.ana), cohort, four.ben, message="Let's do this!")
    partner_request = PartnerRequest.objects.get()
    (received,) = mailoutbox
    assert received.to == ["ben@northwind.test"]
    assert received.subject == "Ana Silva would like to be your peer-mentoring partner"
    assert "Let's do this!" in received.body
    assert suggestions_url(cohort) in links_in(received)
    incoming = client_for(four.ben).get(suggestions_url(cohort)).context["incoming"]
    assert list(incoming) == [partner_request]

    with django_capture_on_commit_callbacks(execute=True):
        response = answer(client_for(four.ben), partner_request, "accept")

    assert response.status_code == 302
    pair = Pair.objects.get()
    assert (pair.status, pair.origin) == (Pair.Status.ACTIVE, Pair.Origin.REQUEST)
    assert member_sets([pair]) == {ids(four.ana, four.ben)}
    assert "Ana Silva offers Public speaking" in pair.explanation and pair.score > 0
    partner_request.refresh_from_db()
    assert partner_request.status == PartnerRequest.Status.ACCEPTED
    accepted = mailoutbox[-1]
    assert accepted.to == ["ana@northwind.test"]
    assert accepted.subject == "Ben Okafor accepted: you are now partners"
    assert list(AuditEvent.objects.order_by("created_at").values_list("action", flat=True)) == [
        "partner_request.created",
        "partner_request.accepted",
    ]


def test_accepting_closes_the_other_open_requests_of_both(client_for, cohort, four):
    services.partner_request_create(cohort=cohort, from_user=four.ana, to_user=four.ben)
    other = services.partner_request_create(cohort=cohort, from_user=four.dina, to_user=four.ben)
    mine = services.partner_request_create(cohort=cohort, from_user=four.ana, to_user=four.dina)
    first = PartnerRequest.objects.get(from_user=four.ana, to_user=four.ben)

    services.partner_request_answer(partner_request=first, user=four.ben, accept=True)

    assert set(
        PartnerRequest.objects.filter(pk__in=[other.pk, mine.pk]).values_list("status", flat=True)
    ) == {PartnerRequest.Status.WITHDRAWN}


def test_declining_a_request_leaves_both_free(client_for, cohort, four):
    partner_request = services.partner_request_create(
        cohort=cohort, from_user=four.ana, to_user=four.ben
    )

    answer(client_for(four.ben), partner_request, "decline")

    partner_request.refresh_from_db()
    assert partner_request.status == PartnerRequest.Status.DECLINED
    assert not Pair.objects.exists()
    assert AuditEvent.objects.filter(action="partner_request.declined", actor=four.ben).exists()


def test_accepting_after_the_asker_found_a_partner_gives_a_clear_error(client_for, cohort, four):
    partner_request = services.partner_request_create(
        cohort=cohort, from_user=four.ana, to_user=four.ben
    )
    # Meanwhile the coordinator published a matching that pairs both of them elsewhere.
    make_pair(cohort, [four.ana, four.carl], status=Pair.Status.PUBLISHED)
    make_pair(cohort, [four.ben, four.dina], status=Pair.Status.PUBLISHED)

    response = answer(client_for(four.ben), partner_request, "accept")

    assert message_texts(response) == ["You already have a partner in this cohort."]
    assert not Pair.objects.filter(origin=Pair.Origin.REQUEST).exists()
    partner_request.refresh_from_db()
    assert partner_request.status == PartnerRequest.Status.PENDING


def test_accepting_when_only_the_asker_is_paired_names_them(cohort, four):
    partner_request = services.partner_request_create(
        cohort=cohort, from_user=four.ana, to_user=four.ben
    )
    make_pair(cohort, [four.ana, four.carl], status=Pair.Status.ACTIVE)

    with pytest.raises(
        services.ValidationError, match="Ana Silva has found a partner in the meantime"
    ):
        services.partner_request_answer(partner_request=partner_request, user=four.ben, accept=True)


def test_only_the_member_asked_can_answer(client_for, cohort, four):
    partner_request = services.partner_request_create(
        cohort=cohort, from_user=four.ana, to_user=four.ben
    )

    own = answer(client_for(four.ana), partner_request, "accept")
    stranger = answer(client_for(four.carl), partner_request, "accept")

    assert message_texts(own) == ["Only the member who was asked can answer this request."]
    assert stranger.status_code == 404
    assert not Pair.objects.exists()


def test_a_member_cannot_ask_someone_the_rules_forbid_or_who_has_a_partner(
    client_for, cohort, four
):
    a, b = sorted([four.ana.pk, four.ben.pk])
    PairRule.objects.create(cohort=cohort, user_a_id=a, user_b_id=b)
    make_pair(cohort, [four.carl, enrol(cohort, "Eve")], status=Pair.Status.ACTIVE)

    forbidden = ask(client_for(four.ana), cohort, four.ben)
    paired = ask(client_for(four.ana), cohort, four.carl)

    assert "You can't ask Ben Okafor" in message_texts(forbidden)[0]
    assert "You can't ask Carl Tester" in message_texts(paired)[0]
    assert not PartnerRequest.objects.exists()


def test_asking_twice_or_back_is_refused(client_for, cohort, four):
    ask(client_for(four.ana), cohort, four.ben)

    twice = ask(client_for(four.ana), cohort, four.ben)
    back = ask(client_for(four.ben), cohort, four.ana)

    assert message_texts(twice) == ["You have already asked Ben Okafor."]
    assert message_texts(back) == ["Ana Silva has already asked you: answer their request."]
    assert PartnerRequest.objects.count() == 1


def test_a_member_cannot_ask_someone_outside_the_cohort(client_for, cohort, four, other_cohort):
    stranger = enrol(other_cohort, "Zed", offers={"Fundraising": 5}, needs={"Public speaking": 5})

    response = ask(client_for(four.ana), cohort, stranger)

    assert message_texts(response) == ["This member can't be asked."]


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("x" * 100_000, "Ensure this value has at most 500 characters (it has 100000)."),
        ("Let's \u202epair up", "U+202E"),
    ],
    ids=["too-long", "bidi-override"],
)
def test_a_request_with_an_invalid_message_says_why_and_is_not_sent(
    client_for, cohort, four, mailoutbox, message, error
):
    response = ask(client_for(four.ana), cohort, four.ben, message=message)

    (text,) = message_texts(response)
    assert error in text
    assert not PartnerRequest.objects.exists()
    assert mailoutbox == []
