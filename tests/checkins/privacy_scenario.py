"""A member with data in every layer, for the privacy tests (export and account deletion).

`build(...)` gives Ana (`member`) and Ben (`partner`) an active pair with a signed contract
(v1, its signed PDF stored), an amendment in draft (v2), a past meeting with a check-in each and
a future meeting with its reminders; profiles for both; Ana's notification preferences,
calendar feed and a partner request; and, in another organization, the outsider's profile.
Every text names its owner, so a test can tell whose data ended up where.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import AuditEvent
from checkins import reminders
from checkins.models import CalendarFeed, CheckIn, Meeting, NotificationPreference
from contracts.models import Contract, ContractDocument, Goal, Indicator
from matching.models import Pair, PartnerRequest
from tests.checkins.factories import checkin, log_value, meeting_at, next_step, rate_goal
from tests.contracts.pdf_factories import signed_contract
from tests.factories import EnrolmentFactory
from tests.matching.factories import give_profile

SIGNED_PDF = b"%PDF-1.7 the signed contract of Ana and Ben"


@dataclass
class Scenario:
    pair: Pair
    contract: Contract  # v1, signed by both
    amendment: Contract  # v2, a draft
    past: Meeting
    future: Meeting
    ana_checkin: CheckIn
    ben_checkin: CheckIn
    feed: CalendarFeed


def build(cohort, member, partner, outsider, other_organization) -> Scenario:
    organization = cohort.organization
    give_profile(
        member,
        organization,
        offers={"Public speaking": 5},
        needs={"Fundraising": 4},
        about="Ana's own about text",
        goal="Ana wants to lead a team",
    )
    give_profile(
        partner,
        organization,
        offers={"Fundraising": 5},
        needs={"Public speaking": 4},
        about="Ben's private about text",
    )
    give_profile(outsider, other_organization, about="Southwind secret about text")

    contract = signed_contract(cohort, [member, partner], tag="alpha")
    ContractDocument.objects.create(
        contract=contract, pdf=SIGNED_PDF, sha256=hashlib.sha256(SIGNED_PDF).hexdigest()
    )
    pair = contract.pair
    Pair.objects.filter(pk=pair.pk).update(published_at=timezone.now())
    amendment = signed_contract(
        cohort,
        [member, partner],
        tag="beta",
        status=Contract.Status.DRAFT,
        version=2,
        previous=contract,
        pair=pair,
    )

    now = timezone.now()
    past = meeting_at(pair, now - datetime.timedelta(days=2), contract=contract)
    future = meeting_at(pair, now + datetime.timedelta(days=3), contract=contract)
    reminders.reminders_sync_for_meeting(meeting=future)

    ana_goal = Goal.objects.filter(section__contract=contract, section__user=member).first()
    ana_checkin = checkin(past, member, learned="Ana learned budgeting", blockers="Ana's blocker")
    rate_goal(ana_checkin, ana_goal, rating=4, note="Ana's progress note")
    log_value(
        ana_checkin,
        Indicator.objects.filter(goal=ana_goal, kind=Indicator.Kind.NUMBER).first(),
        value=3,
        note="Ana's indicator note",
    )
    next_step(ana_checkin, partner, "Ben sends the deck (from Ana's check-in)")
    ben_checkin = checkin(past, partner, learned="Ben's private lesson")
    next_step(ben_checkin, member, "Ana reviews the plan (from Ben's check-in)")

    NotificationPreference.objects.create(user=member, checkin_nudge=False)
    feed = CalendarFeed.objects.create(user=member)
    carl = EnrolmentFactory(cohort=cohort, user__first_name="Carl", user__last_name="Berg").user
    PartnerRequest.objects.create(
        cohort=cohort, from_user=member, to_user=carl, message="Ana asks Carl"
    )
    AuditEvent.objects.create(
        organization=organization, actor=member, action="profile.updated", data={"user": 1}
    )
    return Scenario(pair, contract, amendment, past, future, ana_checkin, ben_checkin, feed)
