"""When does a partner's check-in call for a gentle nudge to the other partner? The rules, on
plain data: no Django in here.

A partner's check-ins in one pair, oldest first, end with the one just logged. It triggers a
nudge to the *other* partner (never to the coordinator) when

  * **confidence is dropping**: their confidence fell in two check-ins in a row, i.e. over
    their last three check-ins c1 > c2 > c3 (strictly; a rating that stays the same breaks
    the run), or
  * **a blocker is back**: one of the blockers they wrote in it was also written in one of
    their earlier check-ins. Each line of the blockers field is one blocker (list markers such
    as "-", "*", "•" or "1." are dropped); two blockers are the same when their normalised
    texts are equal: case-folded, accents and punctuation kept, runs of spaces made one,
    surrounding spaces and final full stops removed. "Fear of  presenting." and
    "fear of presenting" are the same blocker; "fear of presenting to the board" is not.

Each check-in triggers at most one nudge (it may carry both reasons); the reminders
machinery sends it once (`checkins.reminders`).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

CONFIDENCE_DROPPING = "confidence_dropping"
BLOCKER_BACK = "blocker_back"

_MARKER = re.compile(r"^(?:[-*•–]|\d+[.)])\s+")


@dataclass(frozen=True)
class CheckInFacts:
    """What the rules read of one check-in."""

    confidence: int
    blockers: str = ""


def normalised_blocker(text: str) -> str:
    """One blocker's text as compared: case-folded, spaces collapsed, no marker or final dot."""
    text = _MARKER.sub("", text.strip())
    text = " ".join(text.split()).casefold()
    return text.rstrip(".").strip()


def blockers_of(text: str) -> set[str]:
    """The distinct blockers a check-in names: one per non-empty line."""
    return {blocker for line in text.splitlines() if (blocker := normalised_blocker(line))}


def confidence_dropping(history: Sequence[CheckInFacts]) -> bool:
    if len(history) < 3:
        return False
    first, second, third = (facts.confidence for facts in history[-3:])
    return first > second > third


def blockers_back(history: Sequence[CheckInFacts]) -> list[str]:
    """The latest check-in's blockers that an earlier one named too (normalised, sorted)."""
    if not history:
        return []
    latest = blockers_of(history[-1].blockers)
    earlier = set().union(*(blockers_of(facts.blockers) for facts in history[:-1]))
    return sorted(latest & earlier)


def nudge_reasons(history: Sequence[CheckInFacts]) -> list[str]:
    """Why the latest check-in (the last of `history`) calls for a nudge; [] when it doesn't."""
    reasons = []
    if confidence_dropping(history):
        reasons.append(CONFIDENCE_DROPPING)
    if blockers_back(history):
        reasons.append(BLOCKER_BACK)
    return reasons
