"""Reviewing proposals and publishing: what a coordinator does between a run and the members.

A coordinator locks a proposal (so that re-runs keep it) or unlocks it, forbids one (its
members are never paired again in the cohort), pairs members by hand, and publishes the
cohort's proposals, whose members are then emailed to accept or decline.
"""

from collections.abc import Sequence
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.idempotency import AlreadyDone
from accounts.models import Cohort, Enrolment, User
from accounts.services import audit

from .. import selectors, tasks
from ..models import MatchRun, Pair
from .common import _create_pair, _forbid, _in_current_pair, _lock_cohort, _locked_pair

# Reviewing proposals ---------------------------------------------------------------------


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
        if Pair.objects.filter(cohort=cohort, published_at__isnull=False).exists():
            raise AlreadyDone(
                _("These proposals are already published: there are no new ones to publish.")
            )
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
