"""The coordinator reviews the proposals: rules, locks, forbidden pairs, pairs made by hand,
publication, and a page whose queries don't grow with the pairs."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from matching import services
from matching.models import MatchRun, MatchSettings, Pair, PairRule
from tests.matching.factories import cohort_of_four, enrol, ids, make_pair, member_sets

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(cohort, member, partner):
    return cohort_of_four(cohort, member, partner)


@pytest.fixture
def coordinator_client(client_for, coordinator):
    return client_for(coordinator)


def url(name, cohort=None, **kwargs):
    kwargs["org_slug"] = "northwind"
    if cohort is not None:
        kwargs["cohort_id"] = cohort.pk
    return reverse(name, kwargs=kwargs)


def run_now(cohort, scope=MatchRun.Scope.COHORT):
    run = services.matching_run_create(cohort=cohort, actor=None, scope=scope)
    return services.matching_run_execute(run=run)


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def actions():
    return list(AuditEvent.objects.order_by("created_at").values_list("action", flat=True))


def test_the_matching_page_shows_counts_proposals_and_members_without_a_partner(
    coordinator_client, cohort, four
):
    enrol(cohort, "Eve", offers={"Budgeting": 3})
    run_now(cohort)

    response = coordinator_client.get(url("matching_cohort", cohort))

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["counts"]["complete"] == 4
    assert response.context["counts"]["enrolled"] == 5
    assert "2 proposals" in page
    assert "which Ben Okafor needs most" in page
    assert "Eve Tester" in page and "profile is not complete" in page
    assert (
        reverse("profile_detail", kwargs={"org_slug": "northwind", "user_id": four.ana.pk}) in page
    )


def test_proposals_are_sorted_weakest_first_with_the_weak_ones_flagged(
    coordinator_client, cohort, four
):
    weak = make_pair(cohort, [four.ana, four.carl], score=12)
    strong = make_pair(cohort, [four.ben, four.dina], score=80)

    weakest = coordinator_client.get(url("matching_cohort", cohort)).context["proposals"]
    best = coordinator_client.get(url("matching_cohort", cohort) + "?sort=best").context[
        "proposals"
    ]

    assert [pair.pk for pair in weakest] == [weak.pk, strong.pk]
    assert [pair.pk for pair in best] == [strong.pk, weak.pk]
    assert [pair.is_weak for pair in weakest] == [True, False]


def test_the_weakest_tenth_is_flagged_in_a_large_cohort(coordinator_client, cohort):
    people = [enrol(cohort, f"P{index}") for index in range(40)]
    for index in range(20):
        make_pair(cohort, people[2 * index : 2 * index + 2], score=60 + index)

    page = coordinator_client.get(url("matching_cohort", cohort)).context["proposals"]

    assert [pair.score for pair in page if pair.is_weak] == [60, 61]


def test_saving_the_rules_is_audited(coordinator_client, coordinator, cohort):
    response = coordinator_client.post(
        url("matching_settings", cohort), {"share_language": "on", "allow_requests": "on"}
    )

    assert response.status_code == 302
    settings = MatchSettings.objects.get(cohort=cohort)
    assert (settings.share_language, settings.different_department, settings.allow_requests) == (
        True,
        False,
        True,
    )
    event = AuditEvent.objects.get(action="matching.settings_updated")
    assert event.actor == coordinator
    assert event.data["changed"] == {
        "different_department": False,
        "exclude_previous_partners": False,
        "allow_requests": True,
        "keep_stages_close": False,
        "honour_wishes": False,
        "allow_pair_again": False,
    }


def test_locking_and_unlocking_a_proposal(coordinator_client, cohort, four):
    pair = make_pair(cohort, [four.ana, four.ben])

    coordinator_client.post(url("pair_lock", pair_id=pair.pk), {"locked": "1"})
    pair.refresh_from_db()
    assert pair.locked
    coordinator_client.post(url("pair_lock", pair_id=pair.pk), {"locked": "0"})
    pair.refresh_from_db()
    assert not pair.locked
    assert actions() == ["pair.locked", "pair.unlocked"]


def test_a_published_pair_cannot_be_locked(coordinator_client, cohort, four):
    pair = make_pair(cohort, [four.ana, four.ben], status=Pair.Status.PUBLISHED)

    response = coordinator_client.post(url("pair_lock", pair_id=pair.pk), {"locked": "1"})

    assert message_texts(response) == ["Only proposals can be locked or unlocked."]
    pair.refresh_from_db()
    assert not pair.locked


def test_forbidding_asks_first_then_dissolves_and_is_respected_by_a_rerun(
    coordinator_client, coordinator, cohort, four
):
    run_now(cohort)
    pair = Pair.objects.get(cohort=cohort, status=Pair.Status.PROPOSED, members__user=four.ana)

    confirm = coordinator_client.get(url("pair_forbid", pair_id=pair.pk))
    assert confirm.status_code == 200 and "Never pair these members?" in confirm.content.decode()
    pair.refresh_from_db()
    assert pair.status == Pair.Status.PROPOSED

    coordinator_client.post(url("pair_forbid", pair_id=pair.pk), {"reason": "Same team"})

    pair.refresh_from_db()
    assert pair.status == Pair.Status.DISSOLVED
    rule = PairRule.objects.get(cohort=cohort)
    assert {rule.user_a_id, rule.user_b_id} == ids(four.ana, four.ben)
    assert (rule.reason, rule.created_by) == ("Same team", coordinator)
    assert AuditEvent.objects.filter(action="pair.forbidden", actor=coordinator).exists()
    run_now(cohort)
    proposed = Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED)
    assert ids(four.ana, four.ben) not in member_sets(proposed)


def test_pairing_two_members_by_hand_makes_a_locked_scored_proposal(
    coordinator_client, coordinator, cohort, four
):
    newcomer = enrol(cohort, "Eve")  # no profile yet: allowed

    response = coordinator_client.post(
        url("matching_pair_manual", cohort), {"first": four.carl.pk, "second": newcomer.pk}
    )

    assert response.status_code == 302
    pair = Pair.objects.get(origin=Pair.Origin.MANUAL)
    assert pair.locked and pair.status == Pair.Status.PROPOSED
    assert member_sets([pair]) == {ids(four.carl, newcomer)}
    assert "Carl Tester has nothing Eve Tester asked for" in pair.explanation
    assert AuditEvent.objects.get(action="pair.created_manually").actor == coordinator


def test_pairing_by_hand_refuses_a_member_who_has_a_partner(coordinator_client, cohort, four):
    make_pair(cohort, [four.ana, four.ben], status=Pair.Status.PUBLISHED)

    response = coordinator_client.post(
        url("matching_pair_manual", cohort), {"first": four.ana.pk, "second": four.carl.pk}
    )

    assert response.status_code == 200
    assert "first" in response.context["form"].errors
    assert not Pair.objects.filter(origin=Pair.Origin.MANUAL).exists()


def test_pairing_by_hand_refuses_the_same_member_twice(coordinator_client, cohort, four):
    response = coordinator_client.post(
        url("matching_pair_manual", cohort), {"first": four.ana.pk, "second": four.ana.pk}
    )

    assert "Choose two different members." in response.context["form"].non_field_errors()


def test_pairing_by_hand_refuses_someone_outside_the_cohort(
    coordinator_client, cohort, four, other_cohort
):
    stranger = enrol(other_cohort, "Zed")

    response = coordinator_client.post(
        url("matching_pair_manual", cohort), {"first": four.ana.pk, "second": stranger.pk}
    )

    assert "second" in response.context["form"].errors


def test_publishing_asks_first_then_emails_each_member_a_link_to_their_partner(
    coordinator_client, coordinator, cohort, four, mailoutbox, links_in,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    run_now(cohort)

    confirm = coordinator_client.get(url("matching_publish", cohort))
    assert "2 proposed pairs will be shown" in confirm.content.decode()
    assert not mailoutbox

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url("matching_publish", cohort))

    assert response.status_code == 302
    assert set(Pair.objects.filter(cohort=cohort).values_list("status", flat=True)) == {"published"}
    assert MatchRun.objects.get().status == MatchRun.Status.PUBLISHED
    assert sorted(message.to[0] for message in mailoutbox) == [
        "ana@northwind.test",
        "ben@northwind.test",
        "carl@northwind.test",
        "dina@northwind.test",
    ]
    to_ana = next(message for message in mailoutbox if message.to == ["ana@northwind.test"])
    assert to_ana.subject == "Meet your peer-mentoring partner in Autumn 2026"
    assert "you and Ben Okafor mentor each other" in to_ana.body
    assert "which Ben Okafor needs most" in to_ana.body
    assert url("my_partner", cohort) in links_in(to_ana)
    assert to_ana.alternatives and "Ben Okafor" in to_ana.alternatives[0][0]
    event = AuditEvent.objects.get(action="matching.published")
    assert event.actor == coordinator and event.data["pairs"] == 2


def test_publishing_with_nothing_proposed_says_so(coordinator_client, cohort, four):
    response = coordinator_client.post(url("matching_publish", cohort))

    assert message_texts(response) == ["There are no proposals to publish."]


def test_publishing_waits_for_a_running_matching(coordinator_client, cohort, four):
    make_pair(cohort, [four.ana, four.ben])
    services.matching_run_create(cohort=cohort, actor=None)

    response = coordinator_client.post(url("matching_publish", cohort))

    assert message_texts(response) == ["Wait for the running matching to finish before publishing."]
    assert Pair.objects.get().status == Pair.Status.PROPOSED


def test_declined_pairs_show_on_the_matching_page_with_the_reason(coordinator_client, cohort, four):
    pair = make_pair(cohort, [four.ana, four.ben], status=Pair.Status.PUBLISHED)
    services.pair_respond(pair=pair, user=four.ana, accept=False, reason="We work together")

    response = coordinator_client.get(url("matching_cohort", cohort))

    page = response.content.decode()
    assert response.context["counts"]["declined"] == 1
    assert "We work together" in page
    assert "Match the 4 members without a partner" in page


def test_the_matching_page_takes_the_same_queries_for_more_pairs(coordinator_client, cohort):
    people = iter(enrol(cohort, f"Person{index}") for index in range(200))

    def add_pairs(count):
        for _index in range(count):
            make_pair(cohort, [next(people), next(people)])
            make_pair(cohort, [next(people), next(people)], status=Pair.Status.PUBLISHED)
        next(people), next(people)  # two more members without a partner

    run_now(cohort)
    add_pairs(10)  # ten proposals and more: the weakest tenth is flagged
    coordinator_client.get(url("matching_cohort", cohort))  # the first visit saves the session
    with CaptureQueriesContext(connection) as few:
        assert coordinator_client.get(url("matching_cohort", cohort)).status_code == 200
    add_pairs(30)
    with CaptureQueriesContext(connection) as many:
        assert coordinator_client.get(url("matching_cohort", cohort)).status_code == 200

    assert len(many) == len(few)


def test_proposals_come_fifty_to_a_page_and_paging_keeps_the_sort(coordinator_client, cohort):
    people = [enrol(cohort, f"Person{index}") for index in range(110)]
    for index in range(55):
        make_pair(cohort, people[2 * index : 2 * index + 2], score=index)

    first = coordinator_client.get(url("matching_cohort", cohort) + "?sort=best")
    second = coordinator_client.get(url("matching_cohort", cohort) + "?sort=best&page=2")

    assert len(first.context["proposals"]) == 50
    assert "?sort=best&amp;page=2" in first.content.decode()
    assert [pair.score for pair in second.context["proposals"]] == [4, 3, 2, 1, 0]


def test_the_publish_page_warns_about_weak_proposals_with_their_reason_and_what_to_do(
    coordinator_client, cohort, four
):
    weak = make_pair(
        cohort, [four.ana, four.carl], score=12, explanation="Only their time zones match."
    )
    make_pair(cohort, [four.ben, four.dina], score=80, explanation="A strong fit.")

    response = coordinator_client.get(url("matching_publish", cohort))

    assert [pair.pk for pair in response.context["weak"]] == [weak.pk]
    page = response.content.decode()
    assert "Look at 1 weak proposal first" in page
    assert "Only their time zones match." in page and "A strong fit." not in page
    assert url("pair_forbid", pair_id=weak.pk) in page
    assert url("matching_pair_manual", cohort) in page


def test_the_publish_page_has_no_warning_when_every_proposal_is_strong(
    coordinator_client, cohort, four
):
    make_pair(cohort, [four.ana, four.ben], score=80)

    response = coordinator_client.get(url("matching_publish", cohort))

    assert response.context["weak"] == []
    assert "weak-proposals" not in response.content.decode()


def test_locking_a_proposal_asks_for_confirmation_and_unlocking_does_not(
    coordinator_client, cohort, four
):
    make_pair(cohort, [four.ana, four.ben])
    make_pair(cohort, [four.carl, four.dina], locked=True)

    page = coordinator_client.get(url("matching_cohort", cohort)).content.decode()

    assert page.count('data-confirm="Lock this proposal?') == 1


def test_a_rerun_says_which_proposals_it_kept_and_which_are_new(coordinator_client, cohort, four):
    first = run_now(cohort)
    assert "kept" not in first.stats  # nothing to compare a first run with
    Pair.objects.filter(cohort=cohort, members__user=four.carl).delete()  # Carl and Dina undone

    run = run_now(cohort)

    # Before: Ana & Ben. After: Ana & Ben again, and Carl & Dina anew.
    assert (run.stats["kept"], run.stats["new"], run.stats["dropped"]) == (1, 1, 0)
    page = coordinator_client.get(url("matching_cohort", cohort)).content.decode()
    assert "Compared with the proposals before this run: 1 kept, 1 new, 0 earlier proposals" in (
        page
    )


def test_a_rerun_counts_the_earlier_proposals_it_dropped(cohort, four):
    run_now(cohort)
    Pair.objects.filter(cohort=cohort).delete()
    make_pair(cohort, [four.ana, four.carl], score=5)
    make_pair(cohort, [four.ben, four.dina], score=5)

    run = run_now(cohort)

    assert (run.stats["kept"], run.stats["new"], run.stats["dropped"]) == (0, 2, 2)


def test_with_nobody_left_to_match_the_button_names_no_count(coordinator_client, cohort, four):
    make_pair(cohort, [four.ana, four.ben], status=Pair.Status.PUBLISHED)
    make_pair(cohort, [four.carl, four.dina], status=Pair.Status.PUBLISHED)

    page = coordinator_client.get(url("matching_cohort", cohort)).content.decode()

    assert "Too few members without a partner to match" in page
    assert "Match the 0" not in page
