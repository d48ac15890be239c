"""The canonical content of a contract version, and its SHA-256.

What the partners sign is the content, not the rows that hold it: the same words give the same
bytes whatever order the rows were created in and whatever their ids. So the serialization

* holds every field a partner can write: the shared terms, then one entry per section in
  user-id order (the i-th section is the i-th partner's), each with its goals, and each goal
  with its strategies and indicators, in position order;
* leaves out row ids, foreign keys, positions (the order of the lists carries them), status
  and bookkeeping (timestamps, the hash itself);
* writes dates and times in ISO 8601, decimals without trailing zeros ("5", "2.5"), text with
  "\\n" line endings in Unicode NFC;
* is JSON with sorted keys, no whitespace and UTF-8 characters as they are.

`FORMAT` names the layout. Changing what goes in must change `FORMAT`, so that a hash
computed by one layout is never compared with another; signed versions keep the hash they
were signed with. The one exception keeps every older content's bytes: a field added later
(`OPTIONAL_TERMS_FIELDS`, a goal's `serves`) is written only when it is set, so a contract
that never had it hashes exactly as it did before the field existed. A short-term goal's
`serves` is written as the index, in its section's goal list, of the one-year goal it serves.
"""

import datetime
import hashlib
import json
import unicodedata
from decimal import Decimal

from django.db.models import Prefetch

from .models import Contract, ContractSection, Goal, Indicator, Strategy

FORMAT = "peermentor.contract/1"

# Every field a partner writes, per part. tests/contracts/test_canonical.py checks that these
# lists cover every concrete field of the models except EXCLUDED, so a new field can't be left
# out of the hash by accident.
TERMS_FIELDS = (
    "starts_on",
    "ends_on",
    "cadence",
    "medium",
    "meeting_minutes",
    "meeting_weekday",
    "meeting_time",
    "timezone",
    "agenda",
    "help_measure",
    "boundaries",
    "confidentiality",
)
# Added after contracts were signed: written only when set (see the module docstring).
OPTIONAL_TERMS_FIELDS = ("why",)
SECTION_FIELDS = ("assets", "needs", "will_help_with")
GOAL_FIELDS = ("horizon", "statement")
OPTIONAL_GOAL_FIELDS = ("serves",)
STRATEGY_FIELDS = ("description",)
INDICATOR_FIELDS = ("description", "kind", "target_value", "unit", "due_on")

# Fields that are not content, with the reason in the module docstring.
EXCLUDED = {
    Contract: {
        "id",
        "organization",
        "cohort",
        "pair",
        "version",
        "previous",
        "status",
        "content_hash",
        "created_at",
        "updated_at",
        "ready_at",
        "signed_at",
    },
    ContractSection: {"id", "contract", "user"},
    Goal: {"id", "section", "position"},
    Strategy: {"id", "goal", "position"},
    Indicator: {"id", "goal", "position"},
}


def _value(value):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)  # an IntegerChoices member becomes a plain int
    if isinstance(value, Decimal):
        # normalize() drops trailing zeros ("5.00" -> "5"); "f" avoids "5E+1" for 50.
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _fields(obj, names) -> dict:
    return {name: _value(getattr(obj, name)) for name in names}


def _ordered(rows):
    return sorted(rows, key=lambda row: (row.position, row.pk))


def _terms(contract: Contract) -> dict:
    terms = _fields(contract, TERMS_FIELDS)
    for name in OPTIONAL_TERMS_FIELDS:
        if getattr(contract, name):
            terms[name] = _value(getattr(contract, name))
    return terms


def _goal(goal: Goal, index: dict[int, int]) -> dict:
    content = _fields(goal, GOAL_FIELDS)
    if goal.serves_id is not None and goal.serves_id in index:
        content["serves"] = index[goal.serves_id]
    return content


def _section_goals(section) -> list[dict]:
    goals = _ordered(section.goals.all())
    index = {goal.pk: number for number, goal in enumerate(goals)}
    return [
        {
            **_goal(goal, index),
            "strategies": [
                _fields(strategy, STRATEGY_FIELDS) for strategy in _ordered(goal.strategies.all())
            ],
            "indicators": [
                _fields(indicator, INDICATOR_FIELDS)
                for indicator in _ordered(goal.indicators.all())
            ],
        }
        for goal in goals
    ]


def sections_with_content(contract: Contract):
    """The contract's sections in user-id order, with goals, strategies and indicators."""
    return contract.sections.order_by("user_id").prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("position", "pk")),
        Prefetch("goals__strategies", queryset=Strategy.objects.order_by("position", "pk")),
        Prefetch("goals__indicators", queryset=Indicator.objects.order_by("position", "pk")),
    )


def contract_content(contract: Contract, sections=None) -> dict:
    """The content as plain data. `sections` may be given already prefetched (any order)."""
    sections = sections_with_content(contract) if sections is None else sections
    return {
        "format": FORMAT,
        "terms": _terms(contract),
        "sections": [
            {**_fields(section, SECTION_FIELDS), "goals": _section_goals(section)}
            for section in sorted(sections, key=lambda section: section.user_id)
        ],
    }


def canonical_bytes(contract: Contract, sections=None) -> bytes:
    content = contract_content(contract, sections)
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def content_hash(contract: Contract, sections=None) -> str:
    """SHA-256 (hex) of the canonical content: what a signature is bound to."""
    return hashlib.sha256(canonical_bytes(contract, sections)).hexdigest()
