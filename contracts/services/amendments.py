"""Amending: a new draft version of a signed contract, holding a copy of all its content;
and carrying a contract over to the same partners' pair in another cohort.

`contract_amend` copies the signed version's terms, sections, goals, strategies and indicators
into a draft with the next version number; starting an amendment that already exists returns
it. The signed version stays in force until the amendment is signed, which supersedes it
(see `signatures`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import Pair

from .. import canonical, selectors
from ..models import Contract, ContractSection, Goal, Indicator, Strategy
from .common import SUPERSEDED_MESSAGE, _audit, _locked, _partner_ids, _require_partner

# Amending ----------------------------------------------------------------------------------


@transaction.atomic
def contract_amend(*, contract: Contract, actor: User) -> Contract:
    """Start an amendment of a signed version: a new draft version holding a copy of all its
    content. The signed version stays in force until the amendment is signed. Starting one
    that already exists returns it."""
    contract = _locked(contract, "write_contracts")
    _require_partner(contract, actor)
    if contract.status == Contract.Status.SUPERSEDED:
        raise ValidationError(SUPERSEDED_MESSAGE)
    existing = Contract.objects.filter(previous=contract).first()
    if existing is not None:
        return existing
    if contract.status != Contract.Status.SIGNED:
        raise ValidationError(
            _("Only a signed contract can be amended; edit this version directly.")
        )
    if contract.pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("This pair is no longer active, so its contract can't change."))
    newest = Contract.objects.filter(pair=contract.pair).aggregate(v=Max("version"))["v"]
    amendment = Contract(
        organization=contract.organization,
        cohort=contract.cohort,
        pair=contract.pair,
        version=newest + 1,
        previous=contract,
        status=Contract.Status.DRAFT,
        **{
            name: getattr(contract, name)
            for name in canonical.TERMS_FIELDS + canonical.OPTIONAL_TERMS_FIELDS
        },
    )
    amendment.full_clean()
    amendment.save()
    _copy_content(source=contract, target=amendment)
    _audit(amendment, actor, "contract.amendment_started", previous=contract.pk)
    return amendment


def _copy_content(*, source: Contract, target: Contract) -> None:
    """Copy the partners' sections, goals, strategies and indicators of `source` into the
    (new, empty) version `target`."""
    for section in selectors.contract_sections(contract=source):
        copy = ContractSection.objects.create(
            contract=target,
            user_id=section.user_id,
            **{name: getattr(section, name) for name in canonical.SECTION_FIELDS},
        )
        copies: dict[int, Goal] = {}
        for goal in section.goals.all():
            goal_copy = Goal.objects.create(
                section=copy,
                position=goal.position,
                **{name: getattr(goal, name) for name in canonical.GOAL_FIELDS},
            )
            copies[goal.pk] = goal_copy
            Strategy.objects.bulk_create(
                Strategy(goal=goal_copy, position=row.position, description=row.description)
                for row in goal.strategies.all()
            )
            Indicator.objects.bulk_create(
                Indicator(
                    goal=goal_copy,
                    position=row.position,
                    **{name: getattr(row, name) for name in canonical.INDICATOR_FIELDS},
                )
                for row in goal.indicators.all()
            )
        # The links between the copies mirror the links between the originals.
        for goal in section.goals.all():
            if goal.serves_id in copies:
                Goal.objects.filter(pk=copies[goal.pk].pk).update(serves=copies[goal.serves_id])


@transaction.atomic
def contract_carry_over(
    *,
    contract: Contract,
    pair: Pair,
    actor: User,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
) -> Contract:
    """The first draft of `pair` (the same partners, continuing in another cohort) as a copy of
    `contract`, with new dates. Idempotent: a pair that has a version already keeps it."""
    existing = Contract.objects.filter(pair=pair).order_by("-version").first()
    if existing is not None:
        return existing
    if {m.user_id for m in pair.members.all()} != _partner_ids(contract):
        raise ValidationError(_("Only the same partners can carry their contract over."))
    terms = {
        name: getattr(contract, name)
        for name in canonical.TERMS_FIELDS + canonical.OPTIONAL_TERMS_FIELDS
    }
    terms.update(starts_on=starts_on, ends_on=ends_on)
    draft = Contract(
        organization=pair.organization,
        cohort=pair.cohort,
        pair=pair,
        version=1,
        status=Contract.Status.DRAFT,
        **terms,
    )
    draft.full_clean()
    draft.save()
    _copy_content(source=contract, target=draft)
    _audit(draft, actor, "contract.carried_over", source=contract.pk)
    return draft
