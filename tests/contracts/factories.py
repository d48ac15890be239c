"""Builders for the contract workflow tests.

`active_pair(cohort, member, partner)` pairs people who have both accepted.
`started(pair)` is the pair's first draft, made by the same service a partner's first visit
calls; `filled(contract)` gives every section a one-year goal and a one-month step, each with a
strategy and two indicators (a number and a yes/no), and sets the shared terms, all through the
services. `ready(...)` and `signed(...)` take it further along the workflow.
"""

import datetime
from decimal import Decimal

from contracts import services
from contracts.models import Contract, Goal, Indicator
from contracts.services import IndicatorInput, StrategyInput
from matching.models import Pair, PairMember

STARTS_ON = datetime.date(2026, 9, 1)
ENDS_ON = datetime.date(2027, 6, 30)


def active_pair(cohort, *users) -> Pair:
    pair = Pair.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        status=Pair.Status.ACTIVE,
        origin=Pair.Origin.MANUAL,
    )
    for user in users:
        PairMember.objects.create(pair=pair, user=user, response=PairMember.Response.ACCEPTED)
    return pair


def partners_of(contract: Contract):
    return [section.user for section in contract.sections.select_related("user").order_by("pk")]


def started(pair: Pair, actor=None) -> Contract:
    actor = actor or pair.members.order_by("pk").first().user
    return services.contract_start(pair=pair, actor=actor)


def terms(**overrides) -> dict:
    values = {
        "starts_on": STARTS_ON,
        "ends_on": ENDS_ON,
        "cadence": Contract.Cadence.WEEKLY,
        "medium": Contract.Medium.VIDEO,
        "meeting_minutes": 45,
        "meeting_weekday": Contract.Weekday.THURSDAY,
        "meeting_time": datetime.time(8, 30),
        "timezone": "Europe/Copenhagen",
        "agenda": "Goals, indicators, time, teach each other, next steps",
        "help_measure": "We rate the help from 1 to 5 each meeting.",
        "boundaries": "No salaries, no named colleagues.",
        "confidentiality": "What we say stays between us.",
    }
    return {**values, **overrides}


def goal_kwargs(name: str, horizon=Goal.Horizon.ONE_YEAR) -> dict:
    return {
        "horizon": horizon,
        "statement": f"{name}: lead my team's quarterly planning on my own",
        "strategies": [StrategyInput(description=f"{name}: run the Monday stand-up myself")],
        "indicators": [
            IndicatorInput(
                description=f"{name}: plans presented",
                kind=Indicator.Kind.NUMBER,
                target_value=Decimal("4"),
                unit="plans",
                due_on=ENDS_ON,
            ),
            IndicatorInput(
                description=f"{name}: manager signs off the plan",
                kind=Indicator.Kind.YES_NO,
                due_on=ENDS_ON,
            ),
        ],
    }


def filled(contract: Contract) -> Contract:
    """Complete content: terms, and per partner a one-year goal and a one-month step."""
    users = partners_of(contract)
    services.contract_terms_update(contract=contract, actor=users[0], **terms())
    for user in users:
        section = contract.sections.get(user=user)
        services.contract_section_update(
            section=section,
            actor=user,
            assets=f"{user.first_name} brings budgeting",
            needs=f"{user.first_name} needs public speaking",
            will_help_with=f"{user.first_name} will review drafts",
        )
        # The one-year goal carried from the profile, if any, is the one filled in.
        carried = section.goals.filter(horizon=Goal.Horizon.ONE_YEAR).first()
        services.goal_save(
            section=section, actor=user, goal=carried, **goal_kwargs(f"{user.first_name} 1y")
        )
        services.goal_save(
            section=section,
            actor=user,
            **goal_kwargs(f"{user.first_name} 1m", horizon=Goal.Horizon.ONE_MONTH),
        )
    contract.refresh_from_db()
    return contract


def ready(pair: Pair) -> Contract:
    contract = filled(started(pair))
    users = partners_of(contract)
    return services.contract_mark_ready(contract=contract, actor=users[0], notify=False)


def sign(contract: Contract, user, **kwargs):
    contract.refresh_from_db()
    return services.contract_sign(
        contract=contract,
        user=user,
        typed_name=user.get_full_name(),
        content_hash=contract.content_hash,
        **kwargs,
    )


def signed(pair: Pair) -> Contract:
    contract = ready(pair)
    for user in partners_of(contract):
        sign(contract, user, notify=False)
    contract.refresh_from_db()
    return contract
