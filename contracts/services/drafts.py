"""Starting and editing a draft: a pair's first version, and what the partners write in it.

`contract_start` creates the first draft of an active pair once (pre-filled from the partners'
profiles). While a version is a draft, either partner edits its shared terms
(`contract_terms_update`), and each partner their own section (`contract_section_update`) and
its goals (`goal_save`, `goal_delete`), each goal with its strategies and indicators given as
`StrategyInput` and `IndicatorInput`, at most `MAX_ROWS_PER_GOAL` of each, kept in that order.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.dates import validate_date_in_window
from accounts.lifecycle import cohort_lock_allowing
from accounts.models import User
from matching.models import Pair
from profiles.models import validate_timezone

from .. import canonical, limits, selectors
from ..dates import contract_dates_errors
from ..models import Contract, ContractSection, Goal, Indicator, Strategy
from .common import _audit, _locked, _own_section, _require_draft, _require_partner, _touch

MAX_ROWS_PER_GOAL = 20


@dataclass(frozen=True)
class StrategyInput:
    description: str
    id: int | None = None


@dataclass(frozen=True)
class IndicatorInput:
    description: str
    kind: str = Indicator.Kind.NUMBER
    target_value: Decimal | None = None
    unit: str = ""
    due_on: datetime.date | None = None
    id: int | None = None


# Starting ----------------------------------------------------------------------------------


@transaction.atomic
def contract_start(*, pair: Pair, actor: User) -> Contract:
    """The pair's current version; the first draft is created (pre-filled from the partners'
    profiles) when an active pair has none yet. Idempotent; only the first draft needs a
    cohort whose state allows writing contracts."""
    current = selectors.pair_current_contract(pair=pair)
    if current is not None:
        return current
    cohort_lock_allowing(cohort=pair.cohort_id, action="write_contracts")
    Pair.objects.select_for_update().filter(pk=pair.pk).first()
    current = selectors.pair_current_contract(pair=pair)
    if current is not None:
        return current
    pair = Pair.objects.select_related("organization", "cohort").get(pk=pair.pk)
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError(
            _("Your contract can start once every partner has accepted the pairing.")
        )
    if not selectors.is_pair_partner(pair=pair, user=actor):
        raise ValidationError(_("Only the partners can start their contract."))
    terms, sections = selectors.contract_prefill(pair=pair)
    goals = selectors.partner_profile_goals(pair=pair)
    contract = Contract(
        organization=pair.organization, cohort=pair.cohort, pair=pair, version=1, **terms
    )
    contract.full_clean()
    contract.save()
    for user_id, texts in sections.items():
        section = ContractSection(contract=contract, user_id=user_id, **texts)
        section.full_clean()
        section.save()
        if goals.get(user_id):  # the profile's goal becomes the partner's one-year goal
            goal = Goal(section=section, horizon=Goal.Horizon.ONE_YEAR, statement=goals[user_id])
            goal.full_clean()
            goal.save()
    _audit(contract, actor, "contract.started")
    return contract


# Editing a draft ---------------------------------------------------------------------------


@transaction.atomic
def contract_terms_update(
    *,
    contract: Contract,
    actor: User,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    cadence: str,
    medium: str,
    meeting_minutes: int,
    meeting_weekday: int,
    meeting_time: datetime.time | None,
    timezone: str,
    agenda: str,
    help_measure: str,
    boundaries: str,
    confidentiality: str,
    why: str = "",
) -> Contract:
    """Either partner edits the shared terms of a draft."""
    contract = _locked(contract, "write_contracts")
    _require_partner(contract, actor)
    _require_draft(contract)
    if starts_on and ends_on and ends_on <= starts_on:
        raise ValidationError(
            {"ends_on": _("The review / end date must come after the start date.")}
        )
    date_errors = contract_dates_errors(
        cohort=contract.cohort, starts_on=starts_on, ends_on=ends_on
    )
    if date_errors:
        raise ValidationError(date_errors)
    try:
        validate_timezone(timezone)
    except ValidationError as error:
        raise ValidationError({"timezone": error.messages}) from error
    terms = {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "cadence": cadence,
        "medium": medium,
        "meeting_minutes": meeting_minutes,
        "meeting_weekday": meeting_weekday,
        "meeting_time": meeting_time,
        "timezone": timezone,
        "agenda": agenda.strip(),
        "help_measure": help_measure.strip(),
        "boundaries": boundaries.strip(),
        "confidentiality": confidentiality.strip(),
        "why": why.strip(),
    }
    changed = sorted(name for name, value in terms.items() if getattr(contract, name) != value)
    for name, value in terms.items():
        setattr(contract, name, value)
    contract.full_clean()
    contract.save()
    _audit(contract, actor, "contract.terms_updated", fields=changed)
    return contract


@transaction.atomic
def contract_section_update(
    *, section: ContractSection, actor: User, assets: str, needs: str, will_help_with: str
) -> ContractSection:
    """A partner edits what they bring, need and will help with, in their own section."""
    contract = _locked(section.contract, "write_contracts")
    _require_draft(contract)
    section = _own_section(contract, section, actor)
    section.assets = assets.strip()
    section.needs = needs.strip()
    section.will_help_with = will_help_with.strip()
    section.full_clean()
    section.save()
    _touch(contract)
    _audit(contract, actor, "contract.section_updated", section=section.pk)
    return section


def _clean_indicator(item: IndicatorInput) -> IndicatorInput:
    description = " ".join(item.description.split())
    try:
        validate_date_in_window(item.due_on)
    except ValidationError as error:
        raise ValidationError(
            {"indicators": f"“{description}”: {' '.join(error.messages)}"}
        ) from error
    if item.kind == Indicator.Kind.YES_NO:
        return IndicatorInput(
            description=description, kind=item.kind, due_on=item.due_on, id=item.id
        )
    if item.target_value is None:
        raise ValidationError(
            {
                "indicators": _(
                    "“%(indicator)s” needs a target number (with its unit), or choose yes/no."
                )
                % {"indicator": description}
            }
        )
    return IndicatorInput(
        description=description,
        kind=item.kind,
        target_value=item.target_value,
        unit=item.unit.strip(),
        due_on=item.due_on,
        id=item.id,
    )


def _sync_rows(model, goal: Goal, items, fields: Sequence[str], errors_key: str) -> None:
    """Make `goal`'s rows of `model` be `items`, in that order: rows named by id are updated,
    the others created, and rows not named any more deleted."""
    existing = {row.pk: row for row in model.objects.filter(goal=goal)}
    for position, item in enumerate(items):
        row = existing.pop(item.id, None) if item.id else None
        row = row or model(goal=goal)
        for name in fields:
            setattr(row, name, getattr(item, name))
        row.position = position
        try:
            row.full_clean()
        except ValidationError as error:
            raise ValidationError({errors_key: error.messages}) from error
        row.save()
    model.objects.filter(pk__in=existing).delete()


@transaction.atomic
def goal_save(
    *,
    section: ContractSection,
    actor: User,
    horizon: str,
    statement: str,
    strategies: Sequence[StrategyInput],
    indicators: Sequence[IndicatorInput],
    goal: Goal | None = None,
    serves: Goal | None = None,
) -> Goal:
    """Add a goal to one's own section, or replace an existing goal's content: its horizon,
    statement, strategies and indicators (kept in the order given), and for a short-term goal
    the one-year goal of the same section it serves (`serves`)."""
    contract = _locked(section.contract, "write_contracts")
    _require_draft(contract)
    section = _own_section(contract, section, actor)
    strategies = [
        StrategyInput(description=item.description.strip(), id=item.id)
        for item in strategies
        if item.description.strip()
    ]
    indicators = [_clean_indicator(item) for item in indicators if item.description.strip()]
    if len(strategies) > MAX_ROWS_PER_GOAL or len(indicators) > MAX_ROWS_PER_GOAL:
        raise ValidationError(
            _("A goal holds at most %(count)d strategies and %(count)d indicators.")
            % {"count": MAX_ROWS_PER_GOAL}
        )
    if goal is None:
        if section.goals.count() >= limits.GOALS_PER_SECTION_MAX:
            raise ValidationError(
                _("A section holds at most %(count)d goals; edit or remove one first.")
                % {"count": limits.GOALS_PER_SECTION_MAX}
            )
        last = section.goals.aggregate(last=Max("position"))["last"]
        goal = Goal(section=section, position=0 if last is None else last + 1)
        action = "contract.goal_added"
    else:
        goal = Goal.objects.filter(pk=goal.pk, section=section).first()
        if goal is None:
            raise ValidationError(_("This goal is not in your section."))
        action = "contract.goal_updated"
    goal.horizon = horizon
    goal.statement = statement.strip()
    goal.serves = serves
    goal.full_clean()
    goal.save()
    if horizon != Goal.Horizon.ONE_YEAR:  # no longer a one-year goal: its steps serve nothing
        Goal.objects.filter(serves=goal).update(serves=None)
    _sync_rows(Strategy, goal, strategies, canonical.STRATEGY_FIELDS, "strategies")
    _sync_rows(Indicator, goal, indicators, canonical.INDICATOR_FIELDS, "indicators")
    _touch(contract)
    _audit(contract, actor, action, goal=goal.pk)
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal, actor: User) -> None:
    contract = _locked(goal.section.contract, "write_contracts")
    _require_draft(contract)
    section = _own_section(contract, goal.section, actor)
    deleted, _rows = Goal.objects.filter(pk=goal.pk, section=section).delete()
    if not deleted:
        raise ValidationError(_("This goal is not in your section."))
    _touch(contract)
    _audit(contract, actor, "contract.goal_deleted", goal=goal.pk)
