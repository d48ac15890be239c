"""Matching runs: the service both the task and the command call, the task's progress, the
status endpoint, re-runs, and the `run_matching` command."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import AuditEvent
from matching import engine, services, tasks
from matching.models import MatchRun, Pair, PairMember, PairRule, UnmatchedMember
from tests.matching.factories import cohort_of_four, enrol, ids, make_pair, member_sets

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(cohort, member, partner):
    return cohort_of_four(cohort, member, partner)


def run_now(cohort, *, actor=None, scope=MatchRun.Scope.COHORT):
    run = services.matching_run_create(cohort=cohort, actor=actor, scope=scope)
    return services.matching_run_execute(run=run)


def proposals(cohort):
    return Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED)


def test_a_run_proposes_complementary_pairs(cohort, four, coordinator):
    run = run_now(cohort, actor=coordinator)

    assert run.status == MatchRun.Status.DONE
    assert run.progress == 100
    assert member_sets(proposals(cohort)) == {ids(four.ana, four.ben), ids(four.carl, four.dina)}
    assert set(proposals(cohort).values_list("run", flat=True)) == {run.pk}
    assert run.stats["members"] == 4 and run.stats["pairs"] == 2 and run.stats["unmatched"] == 0


def test_every_pair_is_explained_in_both_directions_with_names_and_tags(cohort, four):
    run_now(cohort)

    pair = proposals(cohort).get(members__user=four.ana)
    assert pair.explanation == (
        "Ana Silva offers Public speaking (expert), which Ben Okafor needs most; "
        "Ben Okafor offers Fundraising (advanced), which Ana Silva needs most."
    )
    # Harmonic mean of the two coverages (1 and 0.8), plus the same time zone's 5 points.
    assert pair.score == pytest.approx(90 * 2 * 0.8 / 1.8 + 5, abs=0.01)


def test_a_run_records_who_started_it_and_its_result_in_the_audit_log(cohort, four, coordinator):
    run = run_now(cohort, actor=coordinator)

    actions = list(
        AuditEvent.objects.filter(actor=coordinator)
        .order_by("created_at")
        .values_list("action", "data")
    )
    assert [action for action, _data in actions] == [
        "matching.run_started",
        "matching.run_finished",
    ]
    assert actions[1][1]["run"] == run.pk and actions[1][1]["pairs"] == 2


def test_unmatched_members_are_listed_with_the_reason(cohort, four):
    loner = enrol(
        cohort, "Eve", offers={"Budgeting": 3}, needs={"Writing": 3}, languages=("Danish",)
    )
    incomplete = enrol(cohort, "Fay", offers={"Budgeting": 3})

    run = run_now(cohort)

    reasons = dict(UnmatchedMember.objects.filter(run=run).values_list("user_id", "reason"))
    assert reasons[loner.pk] == engine.REASON_NO_SHARED_LANGUAGE
    assert reasons[incomplete.pk] == services.INCOMPLETE_PROFILE_REASON
    assert run.stats["unmatched"] == 1 and run.stats["incomplete"] == 1


def test_a_rerun_replaces_unlocked_proposals_and_keeps_locked_ones(cohort, four):
    first = run_now(cohort)
    locked = proposals(cohort).get(members__user=four.carl)
    services.pair_set_locked(pair=locked, actor=None, locked=True)
    unlocked = proposals(cohort).get(members__user=four.ana)

    second = run_now(cohort)

    assert not Pair.objects.filter(pk=unlocked.pk).exists()
    locked.refresh_from_db()
    assert locked.locked and locked.status == Pair.Status.PROPOSED and locked.run_id == second.pk
    assert proposals(cohort).count() == 2
    assert second.stats["replaced"] == 1 and second.stats["locked_pairs"] == 1
    first.refresh_from_db()
    assert first.status == MatchRun.Status.SUPERSEDED


def test_a_locked_pair_is_kept_even_when_it_breaks_a_rule(cohort, four):
    pair = make_pair(cohort, [four.ana, four.carl], locked=True, origin=Pair.Origin.MANUAL)

    run_now(cohort)

    assert member_sets(proposals(cohort)) == {ids(four.ana, four.carl), ids(four.ben, four.dina)}
    pair.refresh_from_db()
    assert "Ana Silva has nothing Carl Tester asked for" in pair.explanation


def test_a_run_leaves_published_and_active_pairs_alone(cohort, four):
    published = make_pair(cohort, [four.ana, four.ben], status=Pair.Status.PUBLISHED)
    eve = enrol(cohort, "Eve", offers={"Writing": 4}, needs={"Budgeting": 4})
    fay = enrol(cohort, "Fay", offers={"Budgeting": 4}, needs={"Writing": 4})

    run_now(cohort)

    published.refresh_from_db()
    assert published.status == Pair.Status.PUBLISHED
    proposed = member_sets(proposals(cohort))
    assert len(proposed) == 2 and all(four.ana.pk not in group for group in proposed)
    assert ids(four.carl, four.dina, eve, fay) == frozenset().union(*proposed)


def test_a_run_for_members_without_a_partner_keeps_every_current_pair(cohort, four):
    published = make_pair(cohort, [four.ana, four.ben], status=Pair.Status.PUBLISHED)
    declined = make_pair(cohort, [four.carl, four.dina], status=Pair.Status.DECLINED)
    eve = enrol(cohort, "Eve", offers={"Writing": 1}, needs={"Budgeting": 1})
    fay = enrol(cohort, "Fay", offers={"Budgeting": 1}, needs={"Writing": 1})
    kept = make_pair(cohort, [eve, fay])
    gus = enrol(cohort, "Gus", offers={"Budgeting": 4}, needs={"Writing": 4})

    run = run_now(cohort, scope=MatchRun.Scope.UNPAIRED)

    assert run.stats["members"] == 3  # Carl, Dina and Gus
    assert Pair.objects.filter(pk__in=[published.pk, declined.pk, kept.pk]).count() == 3
    new = member_sets(proposals(cohort).filter(run=run))
    # Carl and Dina declined each other, so they're never paired again; Gus takes one of them.
    assert len(new) == 1 and gus.pk in next(iter(new))
    assert PairMember.objects.filter(pair__status=Pair.Status.PROPOSED, user=gus).count() == 1


def test_a_declined_pair_is_not_proposed_again(cohort, four):
    a, b = sorted([four.ana.pk, four.ben.pk])
    PairRule.objects.create(cohort=cohort, user_a_id=a, user_b_id=b)

    run_now(cohort)

    assert ids(four.ana, four.ben) not in member_sets(proposals(cohort))


def test_only_one_run_at_a_time(cohort, four):
    services.matching_run_create(cohort=cohort, actor=None)

    with pytest.raises(services.ValidationError, match="already running"):
        services.matching_run_create(cohort=cohort, actor=None)


def test_a_failed_run_records_the_error_and_keeps_the_previous_proposals(cohort, four, monkeypatch):
    run_now(cohort)
    before = member_sets(proposals(cohort))

    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(engine, "match", broken)
    run = run_now(cohort)

    assert run.status == MatchRun.Status.FAILED
    assert "engine exploded" in run.error
    assert member_sets(proposals(cohort)) == before
    assert AuditEvent.objects.filter(action="matching.run_failed").exists()


def test_the_task_reports_progress_at_each_step(cohort, four, monkeypatch):
    steps = []
    original = services.runs._progress

    def spy(run, progress, note, **fields):
        steps.append(progress)
        original(run, progress, note, **fields)

    monkeypatch.setattr(services.runs, "_progress", spy)
    run = services.matching_run_create(cohort=cohort, actor=None)

    tasks.run_matching(run.pk)

    run.refresh_from_db()
    assert steps == [10, 30, 60, 90]
    assert (run.status, run.progress, run.progress_note) == (MatchRun.Status.DONE, 100, "Done")


def test_the_task_returns_quietly_for_a_missing_or_finished_run(cohort, four):
    run = run_now(cohort)

    tasks.run_matching(run.pk)
    tasks.run_matching(run.pk + 1000)

    assert MatchRun.objects.count() == 1


def test_starting_a_run_from_the_page_queues_the_task_after_commit(
    client_for, coordinator, cohort, four, django_capture_on_commit_callbacks
):
    url = reverse(
        "matching_run_start", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(coordinator).post(url, {"scope": "cohort"})
    run = MatchRun.objects.get()
    assert response.status_code == 302
    assert run.status == MatchRun.Status.QUEUED and run.started_by == coordinator
    assert len(callbacks) == 1

    callbacks[0]()
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DONE
    assert proposals(cohort).count() == 2


def test_the_status_endpoint_reports_the_runs_progress(client_for, coordinator, cohort, four):
    run = services.matching_run_create(cohort=cohort, actor=coordinator)
    MatchRun.objects.filter(pk=run.pk).update(
        status=MatchRun.Status.RUNNING, progress=30, progress_note="Scoring and matching 4 members"
    )
    url = reverse(
        "matching_run_status", kwargs={"org_slug": cohort.organization.slug, "run_id": run.pk}
    )

    response = client_for(coordinator).get(url)

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {
        "id": run.pk,
        "status": "running",
        "status_label": "Running",
        "progress": 30,
        "note": "Scoring and matching 4 members",
        "finished": False,
        "error": "",
    }


def test_the_matching_page_polls_while_a_run_is_under_way(client_for, coordinator, cohort, four):
    run = services.matching_run_create(cohort=cohort, actor=coordinator)
    url = reverse(
        "matching_cohort", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )

    page = client_for(coordinator).get(url).content.decode()

    status_url = reverse(
        "matching_run_status", kwargs={"org_slug": cohort.organization.slug, "run_id": run.pk}
    )
    assert f'data-progress-url="{status_url}"' in page
    assert "js/progress.js" in page
    assert "<script>" not in page and " style=" not in page


# The command ------------------------------------------------------------------------------


def test_the_command_prints_a_summary_and_writes_the_pairs_as_csv(cohort, four, tmp_path):
    enrol(cohort, "Eve", offers={"Budgeting": 3}, needs={"Writing": 3}, languages=("Danish",))
    output = tmp_path / "pairs.csv"
    stdout = io.StringIO()

    call_command("run_matching", "northwind", "autumn-2026", "--output", str(output), stdout=stdout)

    text = stdout.getvalue()
    assert "Matched Autumn 2026 (northwind/autumn-2026)" in text
    assert "Members:   5 with a complete profile" in text
    assert "Pairs:     2, trios: 0 (4 members placed" in text
    assert "Score:     total" in text and "lowest" in text
    assert f"eve@northwind.test: {engine.REASON_NO_SHARED_LANGUAGE}" in text
    assert "Time:" in text
    assert f"Wrote 2 rows to {output}" in text
    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    assert list(rows[0]) == ["member_a", "member_b", "member_c", "score", "explanation"]
    assert {(row["member_a"], row["member_b"], row["member_c"]) for row in rows} == {
        ("ana@northwind.test", "ben@northwind.test", ""),
        ("carl@northwind.test", "dina@northwind.test", ""),
    }
    assert all(float(row["score"]) > 0 and "offers" in row["explanation"] for row in rows)
    assert all(
        line.startswith('"') and line.endswith('"') for line in output.read_text().splitlines()
    )


def test_the_command_writes_a_trio_with_its_third_member(cohort, four, tmp_path):
    enrol(
        cohort,
        "Eve",
        offers={"Fundraising": 5, "Public speaking": 5},
        needs={"Public speaking": 4, "Fundraising": 4},
    )
    output = tmp_path / "pairs.csv"

    call_command(
        "run_matching", "northwind", "autumn-2026", "--output", str(output), stdout=io.StringIO()
    )

    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    assert [row for row in rows if row["member_c"]]


def test_the_command_and_the_task_share_one_code_path(cohort, four, monkeypatch):
    calls = []
    original = services.matching_run_execute
    monkeypatch.setattr(
        services, "matching_run_execute", lambda *, run: calls.append(run.pk) or original(run=run)
    )

    call_command("run_matching", "northwind", "autumn-2026", stdout=io.StringIO())
    tasks.run_matching(services.matching_run_create(cohort=cohort, actor=None).pk)

    assert len(calls) == 2


def test_the_command_refuses_an_unknown_cohort(cohort):
    with pytest.raises(CommandError, match="No cohort 'nope' in organization 'northwind'"):
        call_command("run_matching", "northwind", "nope", stdout=io.StringIO())


def test_a_run_fails_rather_than_pair_members_paired_while_it_ran(cohort, four, monkeypatch):
    original = engine.match

    def slow_match(members, rules, **kwargs):
        make_pair(cohort, [four.ana, four.ben], status=Pair.Status.ACTIVE)  # e.g. a request
        return original(members, rules, **kwargs)

    monkeypatch.setattr(engine, "match", slow_match)
    run = run_now(cohort)

    assert run.status == MatchRun.Status.FAILED
    assert "paired while the matching ran" in run.error
    assert not proposals(cohort).exists()


def test_a_run_fails_rather_than_propose_a_pair_forbidden_while_it_ran(cohort, four, monkeypatch):
    original = engine.match

    def slow_match(members, rules, **kwargs):
        a, b = sorted([four.carl.pk, four.dina.pk])
        PairRule.objects.create(cohort=cohort, user_a_id=a, user_b_id=b)
        return original(members, rules, **kwargs)

    monkeypatch.setattr(engine, "match", slow_match)
    run = run_now(cohort)

    assert run.status == MatchRun.Status.FAILED
    assert "forbidden while the matching ran" in run.error
