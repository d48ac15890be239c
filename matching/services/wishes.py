"""Wished partners and pairing again: a coordinator keeps a mutual wish or sets it aside, and a
member says, with their name, that they would pair with their partner of a cohort again.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Cohort, User
from accounts.services import audit

from .. import selectors
from ..models import Pair, PairAgain, PairMember, PairRule
from .common import _lock_cohort


@transaction.atomic
def wish_set_honoured(
    *, cohort: Cohort, actor: User, user_ids: tuple[int, int], honoured: bool
) -> None:
    """Keep two members who named each other together in the next runs, or match them like
    any other two members (a coordinator's override, recorded in the audit log)."""
    cohort = _lock_cohort(cohort, "edit_cohort")
    pair = frozenset(user_ids)
    if len(pair) != 2 or pair not in selectors.mutual_wish_pairs(cohort=cohort):
        raise ValidationError(_("These two members have not named each other in this cohort."))
    first, second = sorted(pair)
    rule = PairRule.objects.filter(cohort=cohort, user_a_id=first, user_b_id=second).first()
    if rule is not None and rule.kind == PairRule.Kind.FORBID:
        raise ValidationError(
            _("A coordinator forbade this pair, so no matching keeps them together.")
        )
    if honoured == (rule is None):
        return  # already so: a second click changes nothing
    if honoured:
        rule.delete()
    else:
        PairRule.objects.create(
            cohort=cohort,
            kind=PairRule.Kind.IGNORE_WISH,
            user_a_id=first,
            user_b_id=second,
            created_by=actor,
        )
    audit(
        organization=cohort.organization,
        actor=actor,
        action="matching.wish_honoured" if honoured else "matching.wish_set_aside",
        cohort=cohort.pk,
        users=[first, second],
    )


@transaction.atomic
def pair_again_record(*, cohort: Cohort, user: User) -> PairAgain:
    """Record that `user` would pair with their partner of `cohort` again (idempotent)."""
    worked_together = PairMember.objects.filter(
        pair__cohort=cohort, user=user, pair__activated_at__isnull=False
    ).exclude(pair__status=Pair.Status.DECLINED)
    if not worked_together.exists():
        raise ValidationError(_("You had no partner to pair with again in this cohort."))
    record, created = PairAgain.objects.get_or_create(cohort=cohort, user=user)
    if created:
        audit(
            organization=cohort.organization,
            actor=user,
            action="matching.pair_again",
            cohort=cohort.pk,
        )
    return record
