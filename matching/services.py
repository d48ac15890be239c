"""Writes for matching: runs, proposals, publication, answers and partner requests.

Every function here is keyword-only, validates before it writes, raises ValidationError with
a message a person can act on, and records who did it in the audit log. Services that create
or publish pairs first lock the cohort's row, so that two of them (a run being saved, a
publication, a request being accepted) never pair the same member twice.
"""

import datetime
import logging
import time
from collections.abc import Sequence
from functools import partial
from itertools import combinations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.emails import send_templated_email
from accounts.language import current_language, user_language
from accounts.lifecycle import cohort_lock_allowing
from accounts.models import Cohort, Enrolment, User
from accounts.services import audit

from . import engine, selectors, tasks
from .models import (
    MatchRun,
    MatchSettings,
    Pair,
    PairMember,
    PairRule,
    PartnerRequest,
    UnmatchedMember,
)
from .wording import current_wording

logger = logging.getLogger(__name__)

# A run still queued or running after this long is taken for lost (e.g. a worker died).
RUN_TIMEOUT_SECONDS = 60 * 60
INCOMPLETE_PROFILE_REASON = gettext_lazy(
    "profile is not complete (it needs an offer, a need, a language and a time zone)"
)


def _lock_cohort(cohort: Cohort | int, action: str) -> Cohort:
    """Lock the cohort first (see accounts.lifecycle) and refuse unless its state allows it."""
    return cohort_lock_allowing(cohort=cohort, action=action)


def _run_action(scope: str) -> str:
    return "run_matching" if scope == MatchRun.Scope.COHORT else "rematch_unpaired"


def _in_current_pair(cohort: Cohort, user_ids) -> set[int]:
    return set(
        PairMember.objects.filter(
            pair__cohort=cohort, pair__status__in=selectors.CURRENT_STATUSES, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )


def _forbid(*, cohort: Cohort, user_ids, actor: User | None, reason: str) -> None:
    for first, second in combinations(sorted(user_ids), 2):
        PairRule.objects.get_or_create(
            cohort=cohort,
            user_a_id=first,
            user_b_id=second,
            defaults={"kind": PairRule.Kind.FORBID, "created_by": actor, "reason": reason[:200]},
        )


def _create_pair(
    *,
    cohort: Cohort,
    users: Sequence[User],
    origin: str,
    status: str = Pair.Status.PROPOSED,
    locked: bool = False,
    response: str = PairMember.Response.PENDING,
) -> Pair:
    """A pair of `users` with the engine's score and explanation, whatever the rules say."""
    data = selectors.members_input(cohort=cohort, users=list(users))
    result = selectors.group_result(data, [user.pk for user in users])
    now = timezone.now()
    active = status == Pair.Status.ACTIVE
    pair = Pair.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        status=status,
        origin=origin,
        score=result.score,
        explanation=engine.explain(result, data.names, data.tag_names, current_wording()),
        locked=locked,
        published_at=now if active else None,
        activated_at=now if active else None,
    )
    PairMember.objects.bulk_create(
        PairMember(pair=pair, user=user, response=response, responded_at=now if active else None)
        for user in users
    )
    return pair


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
) -> MatchSettings:
    _lock_cohort(cohort, "edit_cohort")
    match_settings = selectors.match_settings_for(cohort=cohort)
    values = {
        "share_language": share_language,
        "different_department": different_department,
        "exclude_previous_partners": exclude_previous_partners,
        "allow_requests": allow_requests,
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
        _progress(run, 30, _("Scoring and matching %(n)s members") % {"n": len(data.members)})
        wording = current_wording()
        result = engine.match(data.members, data.rules, wording=wording)
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
    if run.scope == MatchRun.Scope.COHORT:
        replaced = Pair.objects.filter(
            cohort=cohort, status=Pair.Status.PROPOSED, locked=False
        ).count()
        Pair.objects.filter(cohort=cohort, status=Pair.Status.PROPOSED, locked=False).delete()
    new = [(pair, text) for pair, text in zip(result.pairs, explanations, strict=True)]
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
    if run.scope == MatchRun.Scope.COHORT:
        MatchRun.objects.filter(cohort=cohort, status=MatchRun.Status.DONE).exclude(
            pk=run.pk
        ).update(status=MatchRun.Status.SUPERSEDED)
    scores = [pair.score for pair in result.pairs]
    run.stats = {
        "members": len(data.members),
        "locked_pairs": len(data.locked_pair_ids),
        "pairs": result.stats["pairs"],
        "trios": result.stats["trios"],
        "unmatched": len(result.unmatched),
        "incomplete": len(data.incomplete_user_ids),
        "total_score": round(result.total_score, 1),
        "lowest_score": round(min(scores), 1) if scores else None,
        "mean_score": round(sum(scores) / len(scores), 1) if scores else None,
        "replaced": replaced,
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


# Reviewing proposals ---------------------------------------------------------------------


def _locked_pair(pair: Pair) -> Pair:
    return Pair.objects.select_for_update().select_related("cohort", "organization").get(pk=pair.pk)


@transaction.atomic
def pair_set_locked(*, pair: Pair, actor: User, locked: bool) -> Pair:
    """Keep a proposal as it is through re-runs (or let the next run change it again)."""
    _lock_cohort(pair.cohort_id, "review_proposals")
    pair = _locked_pair(pair)
    if pair.status != Pair.Status.PROPOSED:
        raise ValidationError(_("Only proposals can be locked or unlocked."))
    if pair.locked != locked:
        pair.locked = locked
        pair.save(update_fields=["locked"])
        audit(
            organization=pair.organization,
            actor=actor,
            action="pair.locked" if locked else "pair.unlocked",
            pair=pair.pk,
            cohort=pair.cohort_id,
        )
    return pair


@transaction.atomic
def pair_forbid(*, pair: Pair, actor: User, reason: str = "") -> Pair:
    """Dissolve a proposal and make sure its members are never paired again in the cohort."""
    _lock_cohort(pair.cohort_id, "review_proposals")
    pair = _locked_pair(pair)
    if pair.status != Pair.Status.PROPOSED:
        raise ValidationError(
            _("Only proposals can be forbidden; members answer published pairs themselves.")
        )
    user_ids = list(pair.members.values_list("user_id", flat=True))
    pair.status = Pair.Status.DISSOLVED
    pair.locked = False
    pair.save(update_fields=["status", "locked"])
    _forbid(cohort=pair.cohort, user_ids=user_ids, actor=actor, reason=reason.strip())
    audit(
        organization=pair.organization,
        actor=actor,
        action="pair.forbidden",
        pair=pair.pk,
        cohort=pair.cohort_id,
        users=user_ids,
        reason=reason.strip(),
    )
    return pair


@transaction.atomic
def pair_create_manual(*, cohort: Cohort, actor: User, users: Sequence[User]) -> Pair:
    """Pair enrolled members without a partner by hand: a locked proposal, scored as usual."""
    cohort = _lock_cohort(cohort, "review_proposals")
    ids = [user.pk for user in users]
    if len(set(ids)) != len(ids) or len(ids) not in (2, 3):
        raise ValidationError(_("Choose two different members."))
    enrolled = set(
        Enrolment.objects.filter(cohort=cohort, user_id__in=ids).values_list("user_id", flat=True)
    )
    busy = _in_current_pair(cohort, ids)
    for user in users:
        if user.pk not in enrolled:
            raise ValidationError(
                _("%(name)s is not enrolled in this cohort.") % {"name": user.display_name}
            )
        if user.pk in busy:
            raise ValidationError(
                _("%(name)s already has a partner in this cohort.") % {"name": user.display_name}
            )
    pair = _create_pair(cohort=cohort, users=users, origin=Pair.Origin.MANUAL, locked=True)
    audit(
        organization=cohort.organization,
        actor=actor,
        action="pair.created_manually",
        pair=pair.pk,
        cohort=cohort.pk,
        users=ids,
    )
    return pair


@transaction.atomic
def matching_publish(*, cohort: Cohort, actor: User, notify: bool = True) -> list[Pair]:
    """Show the cohort's proposals to their members, who are emailed to accept or decline."""
    cohort = _lock_cohort(cohort, "review_proposals")
    if selectors.run_in_progress(cohort=cohort):
        raise ValidationError(_("Wait for the running matching to finish before publishing."))
    pairs = list(
        Pair.objects.select_for_update().filter(cohort=cohort, status=Pair.Status.PROPOSED)
    )
    if not pairs:
        raise ValidationError(_("There are no proposals to publish."))
    now = timezone.now()
    Pair.objects.filter(pk__in=[pair.pk for pair in pairs]).update(
        status=Pair.Status.PUBLISHED, published_at=now
    )
    MatchRun.objects.filter(cohort=cohort, status=MatchRun.Status.DONE).update(
        status=MatchRun.Status.PUBLISHED, published_at=now
    )
    for pair in pairs:
        pair.status, pair.published_at = Pair.Status.PUBLISHED, now
        if notify:
            transaction.on_commit(partial(tasks.send_pair_published_emails.delay, pair.pk))
    audit(
        organization=cohort.organization,
        actor=actor,
        action="matching.published",
        cohort=cohort.pk,
        pairs=len(pairs),
    )
    return pairs


# Members' answers ------------------------------------------------------------------------


@transaction.atomic
def pair_respond(
    *, pair: Pair, user: User, accept: bool, reason: str = "", notify: bool = True
) -> Pair:
    """A member accepts or declines their published pair.

    When every member has accepted, the pair is active. One decline ends the pair, and its
    members are never proposed to each other again in this cohort.
    """
    _lock_cohort(pair.cohort_id, "answer_pairing")
    pair = _locked_pair(pair)
    if pair.status == Pair.Status.ACTIVE:
        raise ValidationError(_("This pair is already active."))
    if pair.status != Pair.Status.PUBLISHED:
        raise ValidationError(_("This pair can no longer be answered."))
    members = list(pair.members.all())
    me = next((member for member in members if member.user_id == user.pk), None)
    if me is None:
        raise ValidationError(_("You are not in this pair."))
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError(
            {"reason": _("Please say why, so that your next proposal fits better.")}
        )
    now = timezone.now()
    me.response = PairMember.Response.ACCEPTED if accept else PairMember.Response.DECLINED
    me.decline_reason = "" if accept else reason
    me.responded_at = now
    me.save(update_fields=["response", "decline_reason", "responded_at"])
    common = {"organization": pair.organization, "actor": user, "pair": pair.pk}
    if not accept:
        pair.status = Pair.Status.DECLINED
        pair.save(update_fields=["status"])
        _forbid(
            cohort=pair.cohort,
            user_ids=[member.user_id for member in members],
            actor=user,
            reason=_("Declined by %(name)s") % {"name": user.display_name},
        )
        audit(action="pair.declined", reason=reason, **common)
        if notify:
            transaction.on_commit(partial(tasks.send_pair_declined_email.delay, pair.pk))
        return pair
    audit(action="pair.accepted", **common)
    if all(member.response == PairMember.Response.ACCEPTED for member in members):
        pair.status = Pair.Status.ACTIVE
        pair.activated_at = now
        pair.save(update_fields=["status", "activated_at"])
        audit(action="pair.activated", **common)
        if notify:
            transaction.on_commit(partial(tasks.send_pair_active_emails.delay, pair.pk))
    return pair


# Partner requests ------------------------------------------------------------------------


@transaction.atomic
def partner_request_create(
    *, cohort: Cohort, from_user: User, to_user: User, message: str = ""
) -> PartnerRequest:
    """Ask a suggested member to pair up (when the cohort allows requests)."""
    cohort = _lock_cohort(cohort, "answer_pairing")
    if not selectors.match_settings_for(cohort=cohort).allow_requests:
        raise ValidationError(_("Members of this cohort can't request partners."))
    name = {"name": to_user.display_name}
    pending = PartnerRequest.objects.filter(cohort=cohort, status=PartnerRequest.Status.PENDING)
    if pending.filter(from_user=to_user, to_user=from_user).exists():
        raise ValidationError(_("%(name)s has already asked you: answer their request.") % name)
    if pending.filter(from_user=from_user, to_user=to_user).exists():
        raise ValidationError(_("You have already asked %(name)s.") % name)
    if not selectors.may_request(cohort=cohort, from_user=from_user, to_user=to_user):
        raise ValidationError(
            _(
                "You can't ask %(name)s: one of you already has a partner, a profile is not "
                "complete, or the cohort's rules don't allow this pair."
            )
            % name
        )
    partner_request = PartnerRequest(
        cohort=cohort, from_user=from_user, to_user=to_user, message=message.strip()
    )
    partner_request.full_clean()
    partner_request.save()
    audit(
        organization=cohort.organization,
        actor=from_user,
        action="partner_request.created",
        request=partner_request.pk,
        to=to_user.pk,
    )
    transaction.on_commit(partial(tasks.send_partner_request_email.delay, partner_request.pk))
    return partner_request


@transaction.atomic
def partner_request_answer(
    *, partner_request: PartnerRequest, user: User, accept: bool
) -> PartnerRequest:
    """The member asked accepts (the two become an active pair) or declines."""
    cohort = _lock_cohort(partner_request.cohort_id, "answer_pairing")
    partner_request = (
        PartnerRequest.objects.select_for_update()
        .select_related("from_user", "to_user")
        .get(pk=partner_request.pk)
    )
    if partner_request.to_user_id != user.pk:
        raise ValidationError(_("Only the member who was asked can answer this request."))
    if partner_request.status != PartnerRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered or withdrawn."))
    now = timezone.now()
    partner_request.answered_at = now
    if not accept:
        partner_request.status = PartnerRequest.Status.DECLINED
        partner_request.save(update_fields=["status", "answered_at"])
        audit(
            organization=cohort.organization,
            actor=user,
            action="partner_request.declined",
            request=partner_request.pk,
        )
        return partner_request
    asker = partner_request.from_user
    users = [asker, user]
    busy = _in_current_pair(cohort, [asker.pk, user.pk])
    if user.pk in busy:
        raise ValidationError(_("You already have a partner in this cohort."))
    if asker.pk in busy:
        raise ValidationError(
            _("%(name)s has found a partner in the meantime.") % {"name": asker.display_name}
        )
    enrolled = Enrolment.objects.filter(cohort=cohort, user__in=users).count()
    if enrolled != len(users):
        raise ValidationError(_("%(name)s has left the cohort.") % {"name": asker.display_name})
    pair = _create_pair(
        cohort=cohort,
        users=users,
        origin=Pair.Origin.REQUEST,
        status=Pair.Status.ACTIVE,
        response=PairMember.Response.ACCEPTED,
    )
    partner_request.status = PartnerRequest.Status.ACCEPTED
    partner_request.save(update_fields=["status", "answered_at"])
    # Both now have a partner: their other open requests in the cohort are closed.
    PartnerRequest.objects.filter(
        cohort=cohort, status=PartnerRequest.Status.PENDING, from_user__in=users
    ).update(status=PartnerRequest.Status.WITHDRAWN, answered_at=now)
    PartnerRequest.objects.filter(
        cohort=cohort, status=PartnerRequest.Status.PENDING, to_user__in=users
    ).update(status=PartnerRequest.Status.WITHDRAWN, answered_at=now)
    audit(
        organization=cohort.organization,
        actor=user,
        action="partner_request.accepted",
        request=partner_request.pk,
        pair=pair.pk,
    )
    transaction.on_commit(partial(tasks.send_partner_request_email.delay, partner_request.pk))
    return partner_request


# Emails ----------------------------------------------------------------------------------


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _partner_url(pair: Pair) -> str:
    return _url("my_partner", org_slug=pair.organization.slug, cohort_id=pair.cohort_id)


def _send_to_each_member(pair: Pair, template: str) -> None:
    members = list(pair.members.select_related("user"))
    for member in members:
        partners = [other.user for other in members if other.user_id != member.user_id]
        send_templated_email(
            template=template,
            to=[member.user.email],
            context={
                "pair": pair,
                "member": member.user,
                "partners": partners,
                "partner_names": [partner.display_name for partner in partners],
                "cohort": pair.cohort,
                "organization": pair.organization,
                "partner_url": _partner_url(pair),
            },
        )


def pair_published_email_send(*, pair: Pair) -> None:
    """Each member learns who their proposed partner is, why, and where to answer."""
    _send_to_each_member(pair, "pair_published")


def pair_active_email_send(*, pair: Pair) -> None:
    _send_to_each_member(pair, "pair_active")


def pair_declined_email_send(*, pair: Pair) -> None:
    """The cohort's coordinators learn that a pair was declined, and why."""
    coordinators = [user.email for user in selectors.cohort_coordinators(cohort=pair.cohort)]
    if not coordinators:
        return
    members = list(pair.members.select_related("user"))
    send_templated_email(
        template="pair_declined",
        to=coordinators,
        context={
            "pair": pair,
            "names": [member.user.display_name for member in members],
            "declined": [m for m in members if m.response == PairMember.Response.DECLINED],
            "cohort": pair.cohort,
            "organization": pair.organization,
            "matching_url": _url(
                "matching_cohort", org_slug=pair.organization.slug, cohort_id=pair.cohort_id
            ),
        },
    )


def partner_request_email_send(*, partner_request: PartnerRequest) -> None:
    """Received (to the member asked) while pending; accepted (to the asker) once accepted."""
    cohort = partner_request.cohort
    context = {
        "partner_request": partner_request,
        "asker": partner_request.from_user,
        "asked": partner_request.to_user,
        "cohort": cohort,
        "organization": cohort.organization,
        "suggestions_url": _url(
            "matching_suggestions", org_slug=cohort.organization.slug, cohort_id=cohort.pk
        ),
        "partner_url": _url("my_partner", org_slug=cohort.organization.slug, cohort_id=cohort.pk),
    }
    if partner_request.status == PartnerRequest.Status.PENDING:
        send_templated_email(
            template="partner_request_received", to=[partner_request.to_user.email], context=context
        )
    elif partner_request.status == PartnerRequest.Status.ACCEPTED:
        send_templated_email(
            template="partner_request_accepted",
            to=[partner_request.from_user.email],
            context=context,
        )
