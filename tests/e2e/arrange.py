"""The journeys' cast, their files, and each journey's starting point.

Journey 1 builds the cohort in the browser from `MEMBERS_CSV`. The later journeys start where
the previous one ended, rebuilt here through the same services the pages call (the cohort
again comes from importing `MEMBERS_CSV`), so each journey runs on its own:

    after_journey_1()  coordinator, organization, program, cohort; the CSV imported
    published_to_newcomers()  Ana and Ben's profiles completed, the matching published and
                       emailed to members who have never signed in
    after_journey_2()  profiles completed, matching run and published, Ana and Ben accepted
    after_journey_3()  Ana and Ben's contract written and signed by both
    after_journey_4()  a meeting held, both checked in, the contracts ZIP built

Call them through `build(step)`: see there.
"""

import datetime
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import connections
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Cohort, Organization, User
from checkins import services as checkin_services
from checkins.models import Meeting
from checkins.oversight import lifecycle
from contracts import export
from contracts import services as contract_services
from contracts.models import Contract, Goal, Indicator
from contracts.services import IndicatorInput, StrategyInput
from matching import services as matching_services
from matching.models import Pair
from profiles import importing
from profiles import services as profile_services
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

PASSWORD = "Lantern-Corvid-4711"
WRONG_PASSWORD = "Lantern-Corvid-0000"

COORDINATOR = {"email": "cora@northwind.test", "first_name": "Cora", "last_name": "Lindqvist"}
ORGANIZATION = {"name": "Northwind Collective", "slug": "northwind"}
PROGRAM = {"name": "Peer mentoring for team leads", "description": "Team leads help each other."}
COHORT = {"name": "Autumn 2026", "slug": "autumn-2026"}

ANA, BEN = "ana@northwind.test", "ben@northwind.test"
OUTSIDER = {"email": "olu@southwind.test", "first_name": "Olu", "last_name": "Bakare"}

HEADER = "email,first_name,last_name,department,offers,needs,languages,timezone,goal"
# Ana and Ben complement each other once they add their needs and goals (journey 2); the others
# are complete already and pair up among themselves. Departments differ within each pair.
ROWS = [
    "ana@northwind.test,Ana,Silva,Marketing,Public speaking:5;Storytelling:4,,English,"
    "Europe/Copenhagen,",
    "ben@northwind.test,Ben,Okafor,Finance,Budgeting:5;Forecasting:4,,English,Europe/Copenhagen,",
    "carl@northwind.test,Carl,Berg,Engineering,Python:5,Negotiation:4,English,Europe/Berlin,"
    "Ship our first data product",
    "dina@northwind.test,Dina,Moreau,Sales,Negotiation:5,Python:4,English,Europe/Paris,"
    "Close our biggest deal yet",
    "eve@northwind.test,Eve,Ng,People,Recruiting:4,Data analysis:4,English,Europe/London,"
    "Build a hiring dashboard",
    "finn@northwind.test,Finn,Olsen,Data,Data analysis:5,Recruiting:4,English,Europe/Oslo,"
    "Hire two analysts",
]
MEMBERS_CSV = "\n".join([HEADER, *ROWS]) + "\n"
# Line 4 (Carl) claims a Python level of 9: the whole file is refused.
BAD_LINE = 4
BAD_MEMBERS_CSV = MEMBERS_CSV.replace("Python:5,Negotiation:4", "Python:9,Negotiation:4")

# What Ana and Ben add to their profiles in journey 2.
PROFILE_ADDITIONS = {
    ANA: {"need": "Budgeting", "goal": "Run my department's budget on my own"},
    BEN: {"need": "Public speaking", "goal": "Present the quarterly results to the board"},
}


def build(step, *args, **kwargs):
    """Run `step` in a thread of its own. Playwright's sync API keeps an asyncio loop in the
    test's thread, and some work the services start after commit (signing a contract's PDF)
    calls asyncio.run(), which refuses to run inside a running loop."""

    def run():
        try:
            return step(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def cohort_dates(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=30), today + datetime.timedelta(days=180)


@dataclass
class Cast:
    coordinator: User
    organization: Organization
    cohort: Cohort

    def member(self, email: str) -> User:
        return User.objects.get(email=email)

    @property
    def pair(self) -> Pair:
        return Pair.objects.get(cohort=self.cohort, members__user__email=ANA)

    @property
    def contract(self) -> Contract:
        return Contract.objects.get(pair=self.pair, status=Contract.Status.SIGNED)


def can_log_in(user: User) -> User:
    """An imported member who has set a password and verified the address (as in journey 2)."""
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def after_journey_1() -> Cast:
    coordinator = UserFactory(**COORDINATOR, password=PASSWORD)
    organization = account_services.organization_create(user=coordinator, **ORGANIZATION)
    program = account_services.program_create(
        organization=organization, actor=coordinator, **PROGRAM
    )
    starts_on, ends_on = cohort_dates()
    cohort = account_services.cohort_create(
        program=program,
        actor=coordinator,
        starts_on=starts_on,
        ends_on=ends_on,
        status=Cohort.Status.OPEN,
        **COHORT,
    )
    importing.members_import(cohort=cohort, actor=coordinator, data=MEMBERS_CSV.encode())
    return Cast(coordinator=coordinator, organization=organization, cohort=cohort)


def complete_profile(cast: Cast, email: str) -> None:
    user = cast.member(email)
    profile = profile_services.profile_get_or_create(organization=cast.organization, user=user)
    additions = PROFILE_ADDITIONS[email]
    profile_services.profile_update(
        profile=profile,
        actor=user,
        about="",
        goal=additions["goal"],
        languages=profile.languages,
        timezone=profile.timezone,
        cadence="weekly",
        medium="",
        offers=[
            {"tag": o.tag.name, "level": o.level, "note": o.note, "kind": o.tag.kind}
            for o in profile.offers.select_related("tag")
        ],
        needs=[{"tag": additions["need"], "priority": 5, "note": "", "kind": "skill"}],
    )


def published_to_newcomers() -> Cast:
    """The CSV imported with the welcome left to the matching; Ana and Ben's profiles complete
    (as a coordinator could fill them), the matching run and published with its emails: each
    member's first email is the one that introduces their partner."""
    cast = after_journey_1()
    for email in (ANA, BEN):
        complete_profile(cast, email)
    lifecycle.cohort_advance(cohort=cast.cohort, actor=cast.coordinator)  # open → matching
    matching_services.matching_run_start(cohort=cast.cohort, actor=cast.coordinator)
    matching_services.matching_publish(cohort=cast.cohort, actor=cast.coordinator)
    return cast


def after_journey_2() -> Cast:
    cast = after_journey_1()
    for email in (ANA, BEN):
        can_log_in(cast.member(email))
        complete_profile(cast, email)
    lifecycle.cohort_advance(cohort=cast.cohort, actor=cast.coordinator)  # open → matching
    matching_services.matching_run_start(cohort=cast.cohort, actor=cast.coordinator)
    matching_services.pair_set_locked(pair=cast.pair, actor=cast.coordinator, locked=True)
    matching_services.matching_run_start(cohort=cast.cohort, actor=cast.coordinator)
    matching_services.matching_publish(cohort=cast.cohort, actor=cast.coordinator, notify=False)
    for email in (ANA, BEN):
        matching_services.pair_respond(
            pair=cast.pair, user=cast.member(email), accept=True, reason=""
        )
    lifecycle.cohort_advance(cohort=cast.cohort, actor=cast.coordinator)  # matching → active
    return cast


def goal_input(user: User) -> dict:
    """One goal with a strategy and a number indicator due at the cohort's end."""
    return {
        "horizon": Goal.Horizon.ONE_YEAR,
        "statement": f"{user.first_name}: {PROFILE_ADDITIONS[user.email]['goal']}",
        "strategies": [StrategyInput(description="Prepare one part each week with my partner")],
        "indicators": [
            IndicatorInput(
                description="Parts done",
                kind=Indicator.Kind.NUMBER,
                target_value=Decimal("10"),
                unit="parts",
                due_on=cohort_dates()[1],
            )
        ],
    }


def after_journey_3() -> Cast:
    cast = after_journey_2()
    ana, ben = cast.member(ANA), cast.member(BEN)
    contract = contract_services.contract_start(pair=cast.pair, actor=ana)
    for user in (ana, ben):
        section = contract.sections.get(user=user)
        # The one-year goal the contract carried over from the profile is the one filled in.
        carried = section.goals.filter(horizon=Goal.Horizon.ONE_YEAR).first()
        contract_services.goal_save(section=section, actor=user, goal=carried, **goal_input(user))
    contract_services.contract_terms_update(
        contract=contract,
        actor=ben,
        # From the cohort's first day, so the meeting held two weeks ago lies in the contract.
        starts_on=cast.pair.cohort.starts_on,
        ends_on=contract.ends_on,
        cadence=Contract.Cadence.WEEKLY,
        medium=Contract.Medium.VIDEO,
        meeting_minutes=45,
        meeting_weekday=Contract.Weekday.THURSDAY,
        meeting_time=datetime.time(9, 0),
        timezone="Europe/Copenhagen",
        agenda=contract.agenda,
        help_measure="We rate the help from 1 to 5 each meeting.",
        boundaries="No salaries.",
        confidentiality="What we say stays between us.",
    )
    contract = contract_services.contract_mark_ready(contract=contract, actor=ben, notify=False)
    for user in (ben, ana):
        contract.refresh_from_db()
        contract_services.contract_sign(
            contract=contract,
            user=user,
            typed_name=user.get_full_name(),
            content_hash=contract.content_hash,
            notify=False,
        )
    return cast


def held_meeting(cast: Cast, *, days_ago: int = 15) -> Meeting:
    """A meeting the pair held `days_ago` days ago, added the day before it took place: the
    pages only let partners add meetings in the future, so the clock is moved back for it."""
    starts_at = timezone.now().replace(microsecond=0) - datetime.timedelta(days=days_ago)
    return checkin_services.meeting_add(
        pair=cast.pair,
        actor=cast.member(ANA),
        starts_at=starts_at,
        minutes=45,
        note="Our first meeting",
        now=starts_at - datetime.timedelta(days=1),
    )


def after_journey_4() -> tuple[Cast, Meeting]:
    cast = after_journey_3()
    meeting = held_meeting(cast)
    for email in (ANA, BEN):
        checkin_services.checkin_save(
            meeting=meeting,
            user=cast.member(email),
            checkin=None,
            time_effectiveness=4,
            confidence=4,
            learned="How to read a budget",
        )
    export.contract_export_request(cohort=cast.cohort, actor=cast.coordinator)
    return cast, meeting


def outsider() -> User:
    """A member of another organization, with a cohort of their own there."""
    user = UserFactory(**OUTSIDER, password=PASSWORD)
    MembershipFactory(
        organization=OrganizationFactory(name="Southwind Guild", slug="southwind"), user=user
    )
    return user
