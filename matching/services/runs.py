"""Settings and runs: a cohort's matching settings, and runs of the engine that store proposals.

A run is created queued (one at a time per cohort; one left queued or running past
`RUN_TIMEOUT_SECONDS` is taken for lost and marked failed), then executed by the Celery task
or the `run_matching` command: `matching_run_execute` commits each step's progress so that the
coordinator's page can show it, and saves the result in one transaction under the cohort's
lock, replacing the unlocked proposals of a cohort-wide run.
"""

import datetime
import logging
import time
from functools import partial
from itertools import combinations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.language import current_language, user_language
from accounts.models import Cohort, User
from accounts.services import audit

from .. import engine, limits, selectors, tasks
from ..models import (
    MatchRun,
    MatchSettings,
    Pair,
    PairMember,
    SuggestedPartners,
    UnmatchedMember,
)
from ..wording import current_wording
from .common import _in_current_pair, _lock_cohort

logger = logging.getLogger(__name__)

# A run still queued or running after this long is taken for lost (e.g. a worker died).
RUN_TIMEOUT_SECONDS = 60 * 60
INCOMPLETE_PROFILE_REASON = gettext_lazy(
    "profile is not complete (it needs a one-year goal, an offer, a need, a language and a "
    "time zone)"
)


def _run_action(scope: str) -> str:
    return "run_matching" if scope == MatchRun.Scope.COHORT else "rematch_unpaired"


# Settings --------------------------------------------------------------------------------


@transaction.atomic
def match_settings_update(
    *,
    cohort: Cohort,
    actor: User,
    share_language: bool,
    different_department: bool,
    exclude_previous_partners: bool,
    allow_requests: bool,
    keep_stages_close: bool = True,
    max_stage_distance: int = 1,
    honour_wishes: bool = True,
    allow_pair_again: bool = True,
) -> MatchSettings:
    _lock_cohort(cohort, "edit_cohort")
    match_settings = selectors.match_settings_for(cohort=cohort)
    values = {
        "share_language": share_language,
        "different_department": different_department,
        "exclude_previous_partners": exclude_previous_partners,
        "allow_requests": allow_requests,
        "keep_stages_close": keep_stages_close,
        "max_stage_distance": max_stage_distance,
        "honour_wishes": honour_wishes,
        "allow_pair_again": allow_pair_again,
    }
    changed = {
        name: value for name, value in values.items() if getattr(match_settings, name) != value
    }
    for name, value in values.items():
        setattr(match_settings, name, value)
    match_settings.full_clean()
    match_settings.save()
    if changed:
        audit(
            organization=cohort.organization,
            actor=actor,
            action="matching.settings_updated",
            cohort=cohort.pk,
            changed=changed,
        )
    return match_settings


# Runs ------------------------------------------------------------------------------------


@transaction.atomic
def matching_run_create(
    *, cohort: Cohort, actor: User | None, scope: str = MatchRun.Scope.COHORT
) -> MatchRun:
    """A queued run for the cohort; one run at a time per cohort."""
    if scope not in MatchRun.Scope.values:
        raise ValidationError(_("Unknown matching scope."))
    cohort = _lock_cohort(cohort, _run_action(scope))
    now = timezone.now()
    unfinished = MatchRun.objects.filter(
        cohort=cohort, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]
    )
    unfinished.filter(created_at__lt=now - datetime.timedelta(seconds=RUN_TIMEOUT_SECONDS)).update(
        status=MatchRun.Status.FAILED,
        error=_("The run did not finish in time."),
        finished_at=now,
    )
    if unfinished.exists():
        raise ValidationError(
            _("A matching is already running for this cohort. Wait for it to finish.")
        )
    run = MatchRun.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        scope=scope,
        started_by=actor,
        progress_note=_("Waiting to start"),
    )
    audit(
        organization=cohort.organization,
        actor=actor,
        action="matching.run_started",
        run=run.pk,
        cohort=cohort.pk,
        scope=scope,
    )
    return run


@transaction.atomic
def matching_run_start(
    *, cohort: Cohort, actor: User, scope: str = MatchRun.Scope.COHORT
) -> MatchRun:
    """Queue a run in the background; the page polls its progress."""
    run = matching_run_create(cohort=cohort, actor=actor, scope=scope)
    transaction.on_commit(partial(tasks.run_matching.delay, run.pk))
    return run


def _progress(run: MatchRun, progress: int, note: str, **fields) -> None:
    # Committed at once (outside any transaction), so the status endpoint sees it.
    MatchRun.objects.filter(pk=run.pk).update(progress=progress, progress_note=note, **fields)
    run.progress, run.progress_note = progress, note
    for name, value in fields.items():
        setattr(run, name, value)


def matching_run_execute(*, run: MatchRun) -> MatchRun:
    """Run the engine for a queued run and store its proposals.

    The Celery task and the `run_matching` command both call this. It is not one transaction
    on purpose: each step's progress is committed so that the coordinator's page can show it
    while the engine works; the result itself is saved in one transaction. A run that fails
    is marked failed with the error, and never leaves half its proposals behind. Its texts
    (progress, explanations, reasons) are in the language of the coordinator who started it.
    """
    language = user_language(run.started_by) if run.started_by_id else current_language()
    with translation.override(language):
        return _matching_run_execute(run)


def _matching_run_execute(run: MatchRun) -> MatchRun:
    claimed = MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING
    )
    if not claimed:  # already taken by another worker, or finished
        run.refresh_from_db()
        return run
    run.status = MatchRun.Status.RUNNING
    started = time.perf_counter()
    try:
        _progress(run, 10, _("Loading profiles"))
        data = selectors.matching_input(cohort=run.cohort, scope=run.scope)
        _progress(
            run,
            30,
            ngettext(
                "Scoring and matching %(n)s member",
                "Scoring and matching %(n)s members",
                len(data.members),
            )
            % {"n": len(data.members)},
        )
        wording = current_wording()
        result = engine.match(
            data.members,
            data.rules,
            wording=wording,
            suggestions_per_member=selectors.SUGGESTIONS_KEPT,
        )
        _progress(run, 60, _("Explaining the pairs"))
        explanations = [
            engine.explain(pair, data.names, data.tag_names, wording) for pair in result.pairs
        ]
        _progress(run, 90, _("Saving the proposals"))
        _save_run_result(
            run=run, data=data, result=result, explanations=explanations, started=started
        )
    except Exception as error:  # any failure is shown on the run instead of lost in a log
        logger.exception("Matching run %s failed", run.pk)
        message = " ".join(error.messages) if isinstance(error, ValidationError) else repr(error)
        message = message[: limits.RUN_ERROR_MAX]
        _progress(
            run,
            run.progress,
            _("Failed"),
            status=MatchRun.Status.FAILED,
            error=message,
            finished_at=timezone.now(),
        )
        audit(
            organization=run.organization,
            actor=run.started_by,
            action="matching.run_failed",
            run=run.pk,
            cohort=run.cohort_id,
            error=message,
        )
    return run


def _proposed_groups(cohort: Cohort) -> set[frozenset[int]]:
    """The members of each proposal the cohort has now, locked or not."""
    groups: dict[int, set[int]] = {}
    rows = PairMember.objects.filter(pair__cohort=cohort, pair__status=Pair.Status.PROPOSED)
    for pair_id, user_id in rows.values_list("pair_id", "user_id"):
        groups.setdefault(pair_id, set()).add(user_id)
    return {frozenset(members) for members in groups.values()}


def _compared(before: set[frozenset[int]], after: list[frozenset[int]]) -> dict:
    """What a re-run changed against the proposals before it: the same groups proposed again
    (`kept`), groups not proposed before (`new`), earlier proposals not proposed again
    (`dropped`). Empty for a first run."""
    if not before:
        return {}
    kept = sum(1 for group in after if group in before)
    return {"kept": kept, "new": len(after) - kept, "dropped": len(before - set(after))}


@transaction.atomic
def _save_run_result(
    *,
    run: MatchRun,
    data: selectors.MatchingInput,
    result: engine.MatchResult,
    explanations: list[str],
    started: float,
) -> None:
    cohort = _lock_cohort(run.cohort, _run_action(run.scope))
    replaced = 0
    before = _proposed_groups(cohort) if run.scope == MatchRun.Scope.COHORT else set()
    if run.scope == MatchRun.Scope.COHORT:
        replaced = Pair.objects.filter(
            cohort=cohort, status=Pair.Status.PROPOSED, locked=False
        ).count()
        Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED, locked=False).delete()
    new = [
        (pair, text[: limits.EXPLANATION_MAX])
        for pair, text in zip(result.pairs, explanations, strict=True)
    ]
    new_ids = {user_id for pair, _text in new if not pair.locked for user_id in pair.members}
    if _in_current_pair(cohort, new_ids):
        raise ValidationError(
            _("Members were paired while the matching ran. Run the matching again.")
        )
    forbidden = selectors.forbidden_pairs(cohort=cohort)
    for pair, _text in new:
        if not pair.locked and any(
            frozenset(two) in forbidden for two in combinations(pair.members, 2)
        ):
            raise ValidationError(
                _("A pair was forbidden while the matching ran. Run the matching again.")
            )
    for pair, text in new:
        if pair.locked:
            Pair.objects.filter(pk=data.locked_pair_ids[pair.members]).update(
                score=pair.score, explanation=text, run=run
            )
    created = Pair.objects.bulk_create(
        Pair(
            organization=cohort.organization,
            cohort=cohort,
            run=run,
            origin=Pair.Origin.MATCHING,
            score=pair.score,
            explanation=text,
            wished=pair.wished,
        )
        for pair, text in new
        if not pair.locked
    )
    groups = [pair.members for pair, _text in new if not pair.locked]
    PairMember.objects.bulk_create(
        PairMember(pair=pair, user_id=user_id)
        for pair, members in zip(created, groups, strict=True)
        for user_id in members
    )
    reasons = [(item.member_id, item.reason) for item in result.unmatched]
    reasons += [(user_id, str(INCOMPLETE_PROFILE_REASON)) for user_id in data.incomplete_user_ids]
    UnmatchedMember.objects.bulk_create(
        UnmatchedMember(run=run, user_id=user_id, reason=reason[:300])
        for user_id, reason in reasons
    )
    SuggestedPartners.objects.bulk_create(
        (
            SuggestedPartners(run=run, user_id=user_id, partners=[list(p) for p in partners])
            for user_id, partners in result.suggestions.items()
        ),
        batch_size=2000,
    )
    if run.scope == MatchRun.Scope.COHORT:
        MatchRun.objects.filter(cohort=cohort, status=MatchRun.Status.DONE).exclude(
            pk=run.pk
        ).update(status=MatchRun.Status.SUPERSEDED)
    scores = [pair.score for pair in result.pairs]
    run.stats = {
        "members": len(data.members),
        "locked_pairs": len(data.locked_pair_ids),
        "wished_pairs": result.stats.get("wished_pairs", 0),
        "pairs": result.stats["pairs"],
        "trios": result.stats["trios"],
        "unmatched": len(result.unmatched),
        "incomplete": len(data.incomplete_user_ids),
        "total_score": round(result.total_score, 1),
        "lowest_score": round(min(scores), 1) if scores else None,
        "mean_score": round(sum(scores) / len(scores), 1) if scores else None,
        "replaced": replaced,
        **_compared(before, [frozenset(pair.members) for pair in result.pairs]),
        "graph": result.stats["graph"],
        "engine_seconds": round(result.stats["total_seconds"], 3),
        "seconds": round(time.perf_counter() - started, 3),
    }
    run.status = MatchRun.Status.DONE
    run.progress = 100
    run.progress_note = _("Done")
    run.finished_at = timezone.now()
    run.save(update_fields=["stats", "status", "progress", "progress_note", "finished_at"])
    audit(
        organization=cohort.organization,
        actor=run.started_by,
        action="matching.run_finished",
        run=run.pk,
        cohort=cohort.pk,
        scope=run.scope,
        pairs=run.stats["pairs"],
        trios=run.stats["trios"],
        unmatched=run.stats["unmatched"],
        replaced=replaced,
    )
