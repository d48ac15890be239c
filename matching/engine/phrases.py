"""The engine's wording: the English phrases of explanations and unmatched reasons.

`Wording` gathers them as `explain` and the unmatched reasons use them, and `ENGLISH` is the
default; the Django layer builds a translated copy (`matching.wording.current_wording`) and
passes it in.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

# --- Wording. Kept together so the Django layer can wrap each string for translation. ---

LEVEL_LABELS = {1: "basic", 2: "developing", 3: "proficient", 4: "advanced", 5: "expert"}
PRIORITY_PHRASES = {5: "needs most", 4: "needs a lot"}
PRIORITY_PHRASE_DEFAULT = "needs"

OFFER_CLAUSE = "{giver} offers {items}"
OFFER_ITEM = "{tag} ({level}), which {receiver} {need}"
NOTHING_OFFERED_CLAUSE = "{giver} has nothing {receiver} asked for"
PAIR_SENTENCE = "{first}; {second}."
LIST_SEPARATOR = ", "
LIST_LAST_SEPARATOR = ", and "

ROLE_PHRASES = {
    "individual": "work as individual contributors",
    "specialist": "work as specialists or advisers",
    "team_lead": "lead small teams",
    "manager": "manage managers or a department",
    "executive": "are executives or directors",
    "founder": "run their own business",
    "student": "are students or trainees",
}
ROLE_PHRASE_DEFAULT = "have the same role"
SAME_STAGE_PHRASE = "are at the same career stage"
NEIGHBOURING_STAGE_PHRASE = "are one career stage apart"
PEER_SENTENCE = "Both {items}."
PEER_JOIN = " and "
WISHED_SENTENCE = "They named each other as wished partners."

REASON_ALONE = "no other member is available to pair with"
REASON_NO_LANGUAGE_LISTED = "has no language listed, so shares none with any other member"
REASON_NO_SHARED_LANGUAGE = "shares no language with any other member"
REASON_SAME_DEPARTMENT = "every possible partner is in the same department"
REASON_ALL_PREVIOUS = "has already been paired with every possible partner"
REASON_ALL_FORBIDDEN = "every possible partner is in a forbidden pair with them"
REASON_STAGE_TOO_FAR = "every possible partner is too many career stages away"
REASON_RULES_COMBINED = "no partner allowed by the rules is left ({details})"
REASON_RULE_COUNT = "{rule}: {count}"
RULE_LABELS = {
    "language": "no shared language",
    "department": "same department",
    "previous": "previous partner",
    "forbidden": "forbidden pair",
    "stage": "career stage too far apart",
}
REASON_PARTNERS_TAKEN = (
    "every partner the rules allow is already paired, and no pair can take them as a third member"
)


@dataclass(frozen=True)
class Wording:
    """The phrases above, as explain() and the unmatched reasons use them. English by default;
    the Django layer passes a translated copy (`matching.wording.current_wording`)."""

    level_labels: Mapping[int, str] = field(default_factory=lambda: dict(LEVEL_LABELS))
    priority_phrases: Mapping[int, str] = field(default_factory=lambda: dict(PRIORITY_PHRASES))
    priority_phrase_default: str = PRIORITY_PHRASE_DEFAULT
    offer_clause: str = OFFER_CLAUSE
    offer_item: str = OFFER_ITEM
    nothing_offered_clause: str = NOTHING_OFFERED_CLAUSE
    pair_sentence: str = PAIR_SENTENCE
    list_separator: str = LIST_SEPARATOR
    list_last_separator: str = LIST_LAST_SEPARATOR
    role_phrases: Mapping[str, str] = field(default_factory=lambda: dict(ROLE_PHRASES))
    role_phrase_default: str = ROLE_PHRASE_DEFAULT
    same_stage_phrase: str = SAME_STAGE_PHRASE
    neighbouring_stage_phrase: str = NEIGHBOURING_STAGE_PHRASE
    peer_sentence: str = PEER_SENTENCE
    peer_join: str = PEER_JOIN
    wished_sentence: str = WISHED_SENTENCE
    reason_alone: str = REASON_ALONE
    reason_no_language_listed: str = REASON_NO_LANGUAGE_LISTED
    reason_no_shared_language: str = REASON_NO_SHARED_LANGUAGE
    reason_same_department: str = REASON_SAME_DEPARTMENT
    reason_all_previous: str = REASON_ALL_PREVIOUS
    reason_all_forbidden: str = REASON_ALL_FORBIDDEN
    reason_stage_too_far: str = REASON_STAGE_TOO_FAR
    reason_rules_combined: str = REASON_RULES_COMBINED
    reason_rule_count: str = REASON_RULE_COUNT
    rule_labels: Mapping[str, str] = field(default_factory=lambda: dict(RULE_LABELS))
    reason_partners_taken: str = REASON_PARTNERS_TAKEN


ENGLISH = Wording()
