"""Demo contracts: the demo cohort's active pairs write and (mostly) sign their contracts.

Called by `seed_demo` after the matching is seeded. Everything goes through the services a
partner's clicks would call (start, terms, goals, ready, sign), so the demo data obeys the same
rules and leaves the same audit trail; only the password check, which lives in the sign view,
is skipped. No emails are sent. Idempotent: a pair that already has a contract is left as it is.
"""

import datetime
from decimal import Decimal

from accounts.models import Cohort
from matching.models import Pair
from profiles.models import Profile

from . import selectors, services
from .models import Contract, Goal, Indicator
from .services import IndicatorInput, StrategyInput

HELP_MEASURE = (
    "At the start of each meeting we each rate the help we got since the last one from 1 to "
    "5 and name one example. Every three months we compare the ratings and adjust."
)
BOUNDARIES = (
    "No talk about salaries or about named colleagues' performance. Either of us can say "
    "“pass” on any topic, no explanation needed."
)
CONFIDENTIALITY = (
    "What we share in our meetings stays between us unless we both agree otherwise. Our "
    "coordinators can read this contract, not our conversations."
)


WHY = (
    "We both want to grow into the next step of our careers, and we learn fastest from a peer "
    "who is facing the same questions right now."
)


def _top_need(profile: Profile | None) -> str:
    need = profile.needs.select_related("tag").first() if profile else None
    return need.tag.name if need else "leading my team"


def _goals(user, partner, profile: Profile | None, starts_on: datetime.date, ends_on):
    """A one-year goal and a one-month step toward it, each with strategies and indicators."""
    need = _top_need(profile)
    partner_name = partner.first_name or partner.display_name
    one_month = starts_on + datetime.timedelta(days=30)
    yearly = (profile.goal if profile and profile.goal else "") or (
        f"Become confident in {need.lower()} and use it in my work every week."
    )
    return [
        {
            "horizon": Goal.Horizon.ONE_YEAR,
            "statement": yearly,
            "strategies": [
                StrategyInput(
                    description=f"Use our teach-each-other slot to learn {need.lower()} from "
                    f"{partner_name}, one topic per meeting."
                ),
                StrategyInput(description="Block two hours in my calendar every week to practise."),
                StrategyInput(
                    description="Ask my manager for one real assignment that needs it by month "
                    "three."
                ),
            ],
            "indicators": [
                IndicatorInput(
                    description="Practice sessions done",
                    kind=Indicator.Kind.NUMBER,
                    target_value=Decimal("30"),
                    unit="sessions",
                    due_on=ends_on,
                ),
                IndicatorInput(
                    description=f"My manager confirms I handle {need.lower()} on my own",
                    kind=Indicator.Kind.YES_NO,
                    due_on=ends_on,
                ),
            ],
        },
        {
            "horizon": Goal.Horizon.ONE_MONTH,
            "statement": f"Finish a first small piece of work that uses {need.lower()}, "
            f"with feedback from {partner_name}.",
            "strategies": [
                StrategyInput(description="Choose the piece of work in our first meeting."),
                StrategyInput(
                    description=f"Send {partner_name} a draft a week before our second meeting."
                ),
            ],
            "indicators": [
                IndicatorInput(
                    description="Piece of work delivered and discussed",
                    kind=Indicator.Kind.YES_NO,
                    due_on=one_month,
                ),
                IndicatorInput(
                    description="Points of feedback acted on",
                    kind=Indicator.Kind.NUMBER,
                    target_value=Decimal("3"),
                    unit="points",
                    due_on=one_month,
                ),
            ],
        },
    ]


def _write(contract: Contract, partners, profiles) -> None:
    starts_on = contract.starts_on
    services.contract_terms_update(
        contract=contract,
        actor=partners[0],
        starts_on=starts_on,
        ends_on=contract.ends_on or starts_on + datetime.timedelta(days=365),
        cadence=contract.cadence,
        medium=contract.medium,
        meeting_minutes=60,
        meeting_weekday=Contract.Weekday.TUESDAY,
        meeting_time=datetime.time(16, 0),
        timezone=contract.timezone or "Europe/Copenhagen",
        agenda=contract.agenda,
        help_measure=HELP_MEASURE,
        boundaries=BOUNDARIES,
        confidentiality=CONFIDENTIALITY,
        why=WHY,
    )
    contract.refresh_from_db()
    for index, user in enumerate(partners):
        section = contract.sections.get(user=user)
        partner = partners[(index + 1) % len(partners)]
        # The one-year goal carried from the profile is the one filled in; the step serves it.
        year = section.goals.filter(horizon=Goal.Horizon.ONE_YEAR).first()
        for goal in _goals(
            user, partner, profiles.get(user.pk), contract.starts_on, contract.ends_on
        ):
            if goal["horizon"] == Goal.Horizon.ONE_YEAR:
                year = services.goal_save(section=section, actor=user, goal=year, **goal)
            else:
                services.goal_save(section=section, actor=user, serves=year, **goal)


def seed_contracts(*, cohort: Cohort) -> list[Contract]:
    """Write a contract for each active pair of `cohort` that has none; all but the last are
    signed by every partner, the last waits for its second signature. Returns the contracts
    written."""
    pairs = list(
        Pair.objects.filter(cohort=cohort, status=Pair.Status.ACTIVE)
        .exclude(contracts__isnull=False)
        .select_related("organization", "cohort")
        .order_by("pk")
    )
    written = []
    for index, pair in enumerate(pairs):
        partners = selectors.pair_partners(pair=pair)
        profiles = {
            profile.user_id: profile
            for profile in Profile.objects.for_organization(pair.organization).filter(
                user__in=partners
            )
        }
        contract = services.contract_start(pair=pair, actor=partners[0])
        _write(contract, partners, profiles)
        contract = services.contract_mark_ready(contract=contract, actor=partners[0], notify=False)
        last = index == len(pairs) - 1 and len(pairs) > 1
        for user in partners[:1] if last else partners:
            services.contract_sign(
                contract=contract,
                user=user,
                typed_name=user.get_full_name() or user.email,
                content_hash=contract.content_hash,
                notify=False,
            )
        contract.refresh_from_db()
        written.append(contract)
    return written
