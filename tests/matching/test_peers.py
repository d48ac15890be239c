"""Peers in a run: the cohort's career-stage rule, roles in the explanation, mutual wishes the
coordinator sees and can set aside, and previous partners who would pair again."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent, Cohort
from checkins.oversight.lifecycle import cohort_close
from checkins.oversight.survey import closing_survey_submit
from matching import selectors, services
from matching.models import MatchRun, MatchSettings, Pair, PairAgain, PairRule
from profiles.models import CareerStage, Profile, Role
from tests.factories import CohortFactory, EnrolmentFactory
from tests.matching.factories import cohort_of_four, ids, make_pair, member_sets

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(cohort, member, partner):
    return cohort_of_four(cohort, member, partner)


@pytest.fixture
def coordinator_client(client_for, coordinator):
    return client_for(coordinator)


def run_now(cohort, actor=None):
    run = services.matching_run_create(cohort=cohort, actor=actor)
    return services.matching_run_execute(run=run)


def proposals(cohort):
    return Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED)


def set_profile(user, **fields):
    Profile.objects.filter(user=user).update(**fields)


def wish(first, second):
    set_profile(first, wished_partner=second)
    set_profile(second, wished_partner=first)


def url(name, cohort):
    return reverse(name, kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk})


# The career-stage rule -------------------------------------------------------------------


def test_the_stage_rule_is_on_by_default_with_one_step(cohort):
    settings = selectors.match_settings_for(cohort=cohort)

    assert (settings.keep_stages_close, settings.max_stage_distance) == (True, 1)
    assert selectors.rules_for(cohort=cohort).max_stage_distance == 1


def test_a_run_keeps_partners_within_one_career_stage(cohort, four):
    # Ana-Ben complement each other best, but Ben is three stages above Ana.
    set_profile(four.ana, career_stage=CareerStage.EARLY)
    set_profile(four.ben, career_stage=CareerStage.SENIOR)

    run_now(cohort)

    assert ids(four.ana, four.ben) not in member_sets(proposals(cohort))


def test_with_the_rule_off_stages_do_not_matter(cohort, four, coordinator):
    set_profile(four.ana, career_stage=CareerStage.EARLY)
    set_profile(four.ben, career_stage=CareerStage.SENIOR)
    services.match_settings_update(
        cohort=cohort,
        actor=coordinator,
        share_language=True,
        different_department=True,
        exclude_previous_partners=True,
        allow_requests=False,
        keep_stages_close=False,
    )

    run_now(cohort)

    assert ids(four.ana, four.ben) in member_sets(proposals(cohort))


def test_the_coordinator_sets_the_distance_on_the_settings_page(
    coordinator_client, coordinator, cohort
):
    response = coordinator_client.post(
        url("matching_settings", cohort),
        {
            "share_language": "on",
            "keep_stages_close": "on",
            "max_stage_distance": "2",
            "honour_wishes": "on",
        },
    )

    assert response.status_code == 302
    settings = MatchSettings.objects.get(cohort=cohort)
    assert (settings.max_stage_distance, settings.honour_wishes, settings.allow_pair_again) == (
        2,
        True,
        False,
    )
    event = AuditEvent.objects.get(action="matching.settings_updated")
    assert event.data["changed"]["max_stage_distance"] == 2


def test_a_distance_beyond_the_scale_is_refused_and_nothing_changes(coordinator_client, cohort):
    coordinator_client.post(
        url("matching_settings", cohort), {"keep_stages_close": "on", "max_stage_distance": "9"}
    )

    assert not MatchSettings.objects.filter(cohort=cohort).exists()


def test_the_explanation_says_both_lead_small_teams(cohort, four, coordinator):
    for user in (four.ana, four.ben):
        set_profile(user, role=Role.TEAM_LEAD, career_stage=CareerStage.EXPERIENCED)

    run_now(cohort, coordinator)

    pair = proposals(cohort).get(members__user=four.ana)
    assert pair.explanation.endswith("Both lead small teams and are at the same career stage.")


def test_a_danish_coordinator_reads_the_peer_sentence_in_danish(cohort, four, coordinator):
    coordinator.language = "da"
    coordinator.save(update_fields=["language"])
    for user in (four.ana, four.ben):
        set_profile(user, role=Role.TEAM_LEAD, career_stage=CareerStage.EXPERIENCED)

    run_now(cohort, coordinator)

    pair = proposals(cohort).get(members__user=four.ana)
    assert pair.explanation.endswith("Begge leder små teams og er på samme karrieretrin.")


# Mutual wishes ---------------------------------------------------------------------------


def test_members_who_named_each_other_are_kept_together(cohort, four):
    wish(four.ana, four.carl)

    run = run_now(cohort)

    assert member_sets(proposals(cohort)) == {ids(four.ana, four.carl), ids(four.ben, four.dina)}
    kept = proposals(cohort).get(members__user=four.ana)
    assert kept.wished
    assert kept.explanation.endswith("They named each other as wished partners.")
    assert run.stats["wished_pairs"] == 1


def test_a_one_sided_wish_changes_nothing(cohort, four):
    set_profile(four.ana, wished_partner=four.carl)

    run_now(cohort)

    assert ids(four.ana, four.ben) in member_sets(proposals(cohort))


def test_a_wish_the_rules_do_not_allow_is_not_kept(cohort, four):
    wish(four.ana, four.carl)
    set_profile(four.ana, department="Sales")
    set_profile(four.carl, department="Sales")

    run_now(cohort)

    assert ids(four.ana, four.carl) not in member_sets(proposals(cohort))


def test_the_coordinator_sees_the_mutual_wishes(coordinator_client, cohort, four):
    wish(four.ana, four.carl)

    response = coordinator_client.get(url("matching_cohort", cohort))

    wishes = response.context["wishes"]
    assert [(w.first, w.second, w.ignored) for w in wishes] == [(four.ana, four.carl, False)]
    assert "1 mutual wish" in response.content.decode()


def test_setting_a_wish_aside_is_audited_and_the_next_run_ignores_it(
    coordinator_client, coordinator, cohort, four
):
    wish(four.ana, four.carl)
    data = {"first": four.ana.pk, "second": four.carl.pk, "honoured": "0"}

    response = coordinator_client.post(url("matching_wish", cohort), data)
    coordinator_client.post(url("matching_wish", cohort), data)  # a second click: no change

    assert response.status_code == 302
    assert PairRule.objects.get(cohort=cohort).kind == PairRule.Kind.IGNORE_WISH
    assert AuditEvent.objects.filter(action="matching.wish_set_aside").count() == 1
    run_now(cohort)
    assert ids(four.ana, four.ben) in member_sets(proposals(cohort))

    coordinator_client.post(url("matching_wish", cohort), {**data, "honoured": "1"})

    assert not PairRule.objects.filter(cohort=cohort).exists()
    assert AuditEvent.objects.filter(action="matching.wish_honoured", actor=coordinator).exists()


def test_turning_wishes_off_in_the_rules_ignores_every_wish(cohort, four, coordinator):
    wish(four.ana, four.carl)
    settings = MatchSettings.objects.create(cohort=cohort, honour_wishes=False)

    assert selectors.rules_for(cohort=cohort).preferred_pairs == frozenset()
    settings.delete()
    assert selectors.rules_for(cohort=cohort).preferred_pairs == {ids(four.ana, four.carl)}


def test_only_a_mutual_wish_of_the_cohort_can_be_set_aside(cohort, four, coordinator):
    set_profile(four.ana, wished_partner=four.carl)

    with pytest.raises(ValidationError, match="have not named each other"):
        services.wish_set_honoured(
            cohort=cohort, actor=coordinator, user_ids=(four.ana.pk, four.carl.pk), honoured=False
        )

    assert not PairRule.objects.exists()


def test_forbidding_a_wished_proposal_turns_the_set_aside_into_a_forbid(cohort, four, coordinator):
    wish(four.ana, four.carl)
    services.wish_set_honoured(
        cohort=cohort, actor=coordinator, user_ids=(four.ana.pk, four.carl.pk), honoured=False
    )
    pair = make_pair(cohort, [four.ana, four.carl])

    services.pair_forbid(pair=pair, actor=coordinator)

    assert PairRule.objects.get(cohort=cohort).kind == PairRule.Kind.FORBID
    assert selectors.cohort_mutual_wishes(cohort=cohort)[0].forbidden


def test_a_member_cannot_set_a_wish_aside(client_for, cohort, four):
    wish(four.ana, four.carl)

    response = client_for(four.ana).post(
        url("matching_wish", cohort),
        {"first": four.ana.pk, "second": four.carl.pk, "honoured": "0"},
    )

    assert response.status_code == 403
    assert not PairRule.objects.exists()


def test_another_organizations_coordinator_gets_404(client_for, outsider, cohort, four):
    wish(four.ana, four.carl)

    response = client_for(outsider).post(
        url("matching_wish", cohort),
        {"first": four.ana.pk, "second": four.carl.pk, "honoured": "0"},
    )

    assert response.status_code == 404


# Pairing again ---------------------------------------------------------------------------


@pytest.fixture
def earlier(cohort, coordinator, four):
    """A closed earlier cohort in which Ana and Ben were active partners."""
    earlier = CohortFactory(
        program=cohort.program,
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 6, 30),
    )
    for user in (four.ana, four.ben):
        EnrolmentFactory(cohort=earlier, user=user)
    make_pair(earlier, [four.ana, four.ben], status=Pair.Status.ACTIVE)
    Cohort.objects.filter(pk=earlier.pk).update(status=Cohort.Status.ACTIVE)
    earlier.refresh_from_db()
    cohort_close(cohort=earlier, actor=coordinator)
    return earlier


def answer(cohort, user, *, again=True, share=True):
    return closing_survey_submit(
        cohort=cohort, user=user, goal_reached="yes", would_pair_again=again, share_pair_again=share
    )


def test_previous_partners_who_both_would_pair_again_are_paired_again(cohort, four, earlier):
    run_now(cohort)
    assert ids(four.ana, four.ben) not in member_sets(proposals(cohort))

    answer(earlier, four.ana)
    answer(earlier, four.ben)
    run_now(cohort)

    assert ids(four.ana, four.ben) in member_sets(proposals(cohort))
    assert selectors.rules_for(cohort=cohort).pair_again == {ids(four.ana, four.ben)}


def test_one_willing_partner_is_not_enough(cohort, four, earlier):
    answer(earlier, four.ana)
    answer(earlier, four.ben, share=False)

    assert selectors.pair_again_groups(cohort=cohort) == frozenset()
    assert PairAgain.objects.filter(user=four.ben).count() == 0


def test_a_no_is_never_shared_even_when_ticked(earlier, four):
    answer(earlier, four.ana, again=False, share=True)

    assert not PairAgain.objects.exists()


def test_the_coordinator_can_turn_pairing_again_off(cohort, four, earlier):
    answer(earlier, four.ana)
    answer(earlier, four.ben)
    MatchSettings.objects.create(cohort=cohort, allow_pair_again=False)

    assert selectors.rules_for(cohort=cohort).pair_again == frozenset()


def test_pair_again_needs_a_partner_the_member_worked_with(cohort, four):
    with pytest.raises(ValidationError, match="no partner to pair with again"):
        services.pair_again_record(cohort=cohort, user=four.carl)

    assert not PairAgain.objects.exists()


def test_a_run_in_a_cohort_records_what_it_kept(cohort, four):
    wish(four.ana, four.carl)

    run = run_now(cohort)

    assert MatchRun.objects.get(pk=run.pk).stats["wished_pairs"] == 1
