"""Which one thing a member does next in a cohort, decided from plain facts.

The order follows the member's path: profile, partner, contract, signature, meetings and
check-ins. A step the member can't take yet because someone else must act first is a
`WAIT_*` step: it says who is on the move, so that nobody waits without knowing why.
"""

from dataclasses import dataclass

# Steps the member takes
COMPLETE_PROFILE = "complete_profile"
ANSWER_PARTNER = "answer_partner"
WRITE_CONTRACT = "write_contract"
MARK_READY = "mark_ready"
SIGN = "sign"
LOG_CHECKIN = "log_checkin"
PREPARE_MEETING = "prepare_meeting"
ADD_MEETING = "add_meeting"
REVIEW_PARTNERSHIP = "review_partnership"
# Steps someone else takes; the member is told who
WAIT_MATCHING = "wait_matching"
WAIT_PARTNER_ANSWER = "wait_partner_answer"
WAIT_PARTNER_SIGNATURE = "wait_partner_signature"
WAIT_COHORT_ACTIVE = "wait_cohort_active"

# Cohort states (the values of accounts.models.Cohort.Status), pair states and answers
# (matching.models), contract states (contracts.models): plain strings here.
OPEN, MATCHING, ACTIVE = "open", "matching", "active"
LIVE = (OPEN, MATCHING, ACTIVE)  # the states in which members have something to do
PUBLISHED = "published"
PENDING, ACCEPTED = "pending", "accepted"
DRAFT, READY, SIGNED = "draft", "ready", "signed"


@dataclass(frozen=True)
class CohortFacts:
    """What the decision needs about one member in one cohort."""

    cohort_status: str
    profile_complete: bool
    pair_status: str | None = None  # of their published or active pair, if any
    my_answer: str | None = None  # their answer to a published pair
    contract_status: str | None = None  # of the pair's latest contract version, if any
    has_signed_contract: bool = False  # a signed version is in force
    my_part_written: bool = False  # their section of the latest version has a complete goal
    i_signed: bool = False  # their signature stands on the latest version
    meeting_to_check_in: bool = False  # the last meeting has started and has no check-in of theirs
    has_next_meeting: bool = False  # a scheduled meeting is ahead
    review_due: bool = False  # the contract reached its review date and they haven't chosen


def next_step(facts: CohortFacts) -> str | None:
    """The step (one of the constants above), or None when there is nothing to do here (a
    draft or closed cohort)."""
    if facts.cohort_status not in LIVE:
        return None
    if facts.pair_status is None:
        return WAIT_MATCHING if facts.profile_complete else COMPLETE_PROFILE
    if facts.pair_status == PUBLISHED:
        return ANSWER_PARTNER if facts.my_answer == PENDING else WAIT_PARTNER_ANSWER
    # An active pair: a version waiting for their signature comes first (an amendment too).
    if facts.contract_status == READY and not facts.i_signed:
        return SIGN
    if facts.has_signed_contract:
        if facts.cohort_status != ACTIVE:
            return WAIT_COHORT_ACTIVE
        if facts.review_due:
            return REVIEW_PARTNERSHIP
        if facts.meeting_to_check_in:
            return LOG_CHECKIN
        return PREPARE_MEETING if facts.has_next_meeting else ADD_MEETING
    if facts.contract_status == READY:
        return WAIT_PARTNER_SIGNATURE
    if facts.contract_status == DRAFT and facts.my_part_written:
        return MARK_READY
    return WRITE_CONTRACT
