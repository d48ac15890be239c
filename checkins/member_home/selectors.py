"""The facts `rules.next_step` decides on, for every cohort of one member, in a fixed number of
queries (at most seven, however many cohorts, pairs, contracts and meetings), and the words and
links of each step."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Enrolment, User
from contracts.models import Contract, ContractSection, Goal, Signature
from matching.models import Pair, PairMember
from profiles.models import Need, Offer, Profile

from ..models import CheckIn, Meeting, PartnershipReview
from . import rules


@dataclass(frozen=True)
class NextStep:
    key: str  # one of the step constants in `rules`
    text: str
    url: str
    label: str  # the button's words


def _complete_profile_orgs(user: User, org_ids: set[int]) -> set[int]:
    in_profile = {"profile": OuterRef("pk")}
    return set(
        Profile.objects.filter(user=user, organization_id__in=org_ids)
        .exclude(languages=[])
        .exclude(timezone="")
        .filter(Exists(Offer.objects.filter(**in_profile)))
        .filter(Exists(Need.objects.filter(**in_profile)))
        .values_list("organization_id", flat=True)
    )


def _my_pairs(user: User, cohort_ids: set[int]) -> dict[int, tuple[int, str, str]]:
    """{cohort id: (pair id, pair status, my answer)} of their published or active pairs."""
    rows = (
        PairMember.objects.filter(
            user=user,
            pair__cohort_id__in=cohort_ids,
            pair__status__in=[Pair.Status.PUBLISHED, Pair.Status.ACTIVE],
        )
        .order_by("pair_id")  # the newest pair of a cohort wins
        .values_list("pair__cohort_id", "pair_id", "pair__status", "response")
    )
    return {cohort_id: (pair_id, status, answer) for cohort_id, pair_id, status, answer in rows}


def _contracts(user: User, pair_ids: list[int]) -> dict[int, dict]:
    """Per active pair: the latest version's id and status, whether a signed version is in
    force, and whether the member wrote their part of and signed the latest version."""
    found: dict[int, dict] = {}
    for pk, pair_id, status in (
        Contract.objects.filter(pair_id__in=pair_ids)
        .order_by("pair_id", "version")
        .values_list("pk", "pair_id", "status")
    ):
        entry = found.setdefault(pair_id, {"signed": False})
        entry.update(id=pk, status=status)  # the latest version comes last
        entry["signed"] = entry["signed"] or status == Contract.Status.SIGNED
    latest = [entry["id"] for entry in found.values()]
    # Their part is written when it has what marking ready needs of it: a goal with a
    # strategy and an indicator (the texts start prefilled from the profile).
    complete_goal = Goal.objects.filter(
        section=OuterRef("pk"), strategies__isnull=False, indicators__isnull=False
    )
    written = set(
        ContractSection.objects.filter(contract_id__in=latest, user=user)
        .filter(Exists(complete_goal))
        .values_list("contract_id", flat=True)
    )
    signed = set(
        Signature.objects.filter(
            contract_id__in=latest, user=user, withdrawn_at__isnull=True
        ).values_list("contract_id", flat=True)
    )
    for entry in found.values():
        entry["written"] = entry["id"] in written
        entry["i_signed"] = entry["id"] in signed
    return found


def _meetings(user: User, pair_ids: list[int], now: datetime.datetime) -> dict[int, dict]:
    """Per pair: its last meeting that has started (and whether the member checked in on it)
    and its next scheduled one."""
    scheduled = Meeting.objects.filter(pair=OuterRef("pk"), status=Meeting.Status.SCHEDULED)
    last = scheduled.filter(starts_at__lte=now).order_by("-starts_at")
    rows = (
        Pair.objects.filter(pk__in=pair_ids)
        .annotate(
            last_id=Subquery(last.values("pk")[:1]),
            next_id=Subquery(
                scheduled.filter(starts_at__gt=now).order_by("starts_at").values("pk")[:1]
            ),
        )
        .annotate(
            checked_in=Exists(CheckIn.objects.filter(user=user, meeting_id=OuterRef("last_id")))
        )
        .values_list("pk", "last_id", "next_id", "checked_in")
    )
    return {
        pk: {"last": last_id, "next": next_id, "checked_in": checked_in}
        for pk, last_id, next_id, checked_in in rows
    }


def _reviews_due(user: User, pair_ids: list[int], today: datetime.date) -> set[int]:
    """The pairs whose signed contract in force reached its review date, with no decided
    review and no choice of the member's yet."""
    due = (
        Contract.objects.filter(
            pair_id__in=pair_ids,
            status=Contract.Status.SIGNED,
            ends_on__lte=today,
        )
        .exclude(review__outcome__in=PartnershipReview.Choice.values)
        .exclude(review__choices__user=user)
        .values_list("pair_id", flat=True)
    )
    return set(due)


def member_next_steps(
    *, user: User, enrolments: list[Enrolment], now: datetime.datetime | None = None
) -> dict[int, NextStep]:
    """{cohort id: NextStep} for the member's enrolments (cohorts with nothing to do left out).

    `enrolments` come with their cohort and its organization loaded (`user_enrolments`).
    """
    now = now or timezone.now()
    cohorts = {enrolment.cohort_id: enrolment.cohort for enrolment in enrolments}
    live = {pk for pk, cohort in cohorts.items() if cohort.status in rules.LIVE}
    if not live:
        return {}
    complete = _complete_profile_orgs(user, {cohorts[pk].organization_id for pk in live})
    pairs = _my_pairs(user, live)
    active = [
        pair_id for pair_id, status, _answer in pairs.values() if status == Pair.Status.ACTIVE
    ]
    contracts = _contracts(user, active) if active else {}
    signed = [pair_id for pair_id, entry in contracts.items() if entry["signed"]]
    meetings = _meetings(user, signed, now) if signed else {}
    reviews = _reviews_due(user, signed, timezone.localdate(now)) if signed else set()

    steps = {}
    for cohort_id in live:
        cohort = cohorts[cohort_id]
        pair_id, pair_status, answer = pairs.get(cohort_id, (None, None, None))
        contract = contracts.get(pair_id, {})
        meeting = meetings.get(pair_id, {})
        facts = rules.CohortFacts(
            cohort_status=cohort.status,
            profile_complete=cohort.organization_id in complete,
            pair_status=pair_status,
            my_answer=answer,
            contract_status=contract.get("status"),
            has_signed_contract=contract.get("signed", False),
            my_part_written=contract.get("written", False),
            i_signed=contract.get("i_signed", False),
            meeting_to_check_in=bool(meeting.get("last")) and not meeting.get("checked_in"),
            has_next_meeting=bool(meeting.get("next")),
            review_due=pair_id in reviews,
        )
        key = rules.next_step(facts)
        if key is not None:
            steps[cohort_id] = _worded(
                key, cohort=cohort, pair_id=pair_id, contract=contract, meeting=meeting
            )
    return steps


def _worded(key: str, *, cohort, pair_id, contract: dict, meeting: dict) -> NextStep:
    org = {"org_slug": cohort.organization.slug}
    partner_url = reverse("my_partner", kwargs={**org, "cohort_id": cohort.pk})
    contract_url = (
        reverse("contract_detail", kwargs={**org, "contract_id": contract["id"]})
        if contract
        else ""
    )
    pair_url = reverse("pair_detail", kwargs={**org, "pair_id": pair_id}) if pair_id else ""
    words = {
        rules.COMPLETE_PROFILE: (
            _("Complete your profile, so that you can be matched with a partner."),
            reverse("profile_edit", kwargs=org),
            _("Complete your profile"),
        ),
        rules.WAIT_MATCHING: (
            _("Your profile is complete. Your coordinator will propose a partner to you."),
            partner_url,
            _("See your partner page"),
        ),
        rules.ANSWER_PARTNER: (
            _("A partner has been proposed to you: read their profile and accept or decline."),
            partner_url,
            _("Answer the proposed partner"),
        ),
        rules.WAIT_PARTNER_ANSWER: (
            _("You accepted. Your proposed partner hasn't answered yet; we'll email you."),
            reverse("pair_conversation", kwargs={**org, "pair_id": pair_id})
            if pair_id
            else partner_url,
            _("Write to your proposed partner"),
        ),
        rules.WRITE_CONTRACT: (
            _("You have a partner: write your part of the contract."),
            reverse("contract_section_edit", kwargs={**org, "contract_id": contract["id"]})
            if contract.get("status") == Contract.Status.DRAFT
            else reverse("pair_contract", kwargs={**org, "pair_id": pair_id or 0}),
            _("Write your part"),
        ),
        rules.MARK_READY: (
            _("Your part is written. When you both agree, mark the contract ready to sign."),
            contract_url,
            _("Review the contract"),
        ),
        rules.SIGN: (
            _("Your contract is ready: read it and sign."),
            reverse("contract_sign", kwargs={**org, "contract_id": contract.get("id", 0)}),
            _("Sign the contract"),
        ),
        rules.WAIT_PARTNER_SIGNATURE: (
            _("You signed. Your partner's signature is the last one missing; we'll email you."),
            contract_url,
            _("See the contract"),
        ),
        rules.WAIT_COHORT_ACTIVE: (
            _(
                "Your contract is signed. Your meetings are planned as soon as your "
                "coordinator starts the cohort: it is the first item on their list."
            ),
            contract_url,
            _("See the contract"),
        ),
        rules.LOG_CHECKIN: (
            _("You met: log your check-in for the meeting."),
            reverse("checkin_create", kwargs={**org, "meeting_id": meeting.get("last") or 0}),
            _("Log your check-in"),
        ),
        rules.PREPARE_MEETING: (
            _("Prepare your next meeting: look at the agenda and your open next steps."),
            pair_url,
            _("Prepare the meeting"),
        ),
        rules.REVIEW_PARTNERSHIP: (
            _("Your contract reached its review date: renew it, continue together or end."),
            reverse("partnership_review", kwargs={**org, "pair_id": pair_id or 0}),
            _("Review your partnership"),
        ),
        rules.ADD_MEETING: (
            _("No meeting is planned. Add one, or record one you already held."),
            pair_url,
            _("Plan a meeting"),
        ),
    }
    text, url, label = words[key]
    return NextStep(key=key, text=text, url=url, label=label)
