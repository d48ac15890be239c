"""Explanations: what each member of a group can do for each other one (`_pair_result`,
`_direction`: the coverage and the tags that matter most), and `explain`, which puts it in
words.
"""

from collections.abc import Mapping, Sequence
from itertools import combinations

from .data import Direction, MemberInput, PairResult, TagMatch
from .parameters import MAX_LEVEL, MAX_REASON_TAGS
from .phrases import ENGLISH, Wording
from .scores import _role_key


def explain(
    pair: PairResult,
    names: Mapping[int, str],
    tag_names: Mapping[int, str],
    wording: Wording | None = None,
) -> str:
    """One sentence per two members of the group, covering both directions.

    e.g. "Ana offers Public speaking (expert), which Ben needs most; Ben offers Fundraising
    (advanced), which Ana needs." Unknown ids are shown as "#<id>". A sentence on what makes
    them peers follows when it applies ("Both lead small teams and are at the same career
    stage."), and one when they named each other as wished partners.
    """
    w = wording or ENGLISH
    directions = {(d.giver, d.receiver): d for d in pair.reasons}

    def name(member_id: int) -> str:
        return names.get(member_id, f"#{member_id}")

    def clause(direction: Direction) -> str:
        giver, receiver = name(direction.giver), name(direction.receiver)
        if not direction.tags:
            return w.nothing_offered_clause.format(giver=giver, receiver=receiver)
        items = [
            w.offer_item.format(
                tag=tag_names.get(tag.tag_id, f"#{tag.tag_id}"),
                level=w.level_labels[tag.level],
                receiver=receiver,
                need=w.priority_phrases.get(tag.priority, w.priority_phrase_default),
            )
            for tag in direction.tags
        ]
        if len(items) > 1:
            listed = w.list_separator.join(items[:-1]) + w.list_last_separator + items[-1]
        else:
            listed = items[0]
        return w.offer_clause.format(giver=giver, items=listed)

    sentences = [
        w.pair_sentence.format(first=clause(directions[a, b]), second=clause(directions[b, a]))
        for a, b in combinations(pair.members, 2)
    ]
    peers = []
    if pair.shared_role:
        peers.append(w.role_phrases.get(_role_key(pair.shared_role), w.role_phrase_default))
    if pair.stage_gap == 0:
        peers.append(w.same_stage_phrase)
    elif pair.stage_gap == 1:
        peers.append(w.neighbouring_stage_phrase)
    if peers:
        sentences.append(w.peer_sentence.format(items=w.peer_join.join(peers)))
    if pair.wished:
        sentences.append(w.wished_sentence)
    return " ".join(sentences)


# --- Helpers. ---


def _pair_result(
    members: Sequence[MemberInput],
    rows: tuple[int, ...],
    score: float,
    *,
    locked: bool,
    wished: bool = False,
) -> PairResult:
    group = [members[row] for row in sorted(rows)]
    reasons = []
    for a, b in combinations(group, 2):
        reasons.append(_direction(a, b))
        reasons.append(_direction(b, a))
    roles = {_role_key(member.role) for member in group}
    stages = [member.career_stage for member in group]
    return PairResult(
        members=tuple(member.id for member in group),
        score=100 * score,
        locked=locked,
        reasons=tuple(reasons),
        shared_role=group[0].role if len(roles) == 1 and "" not in roles else "",
        stage_gap=None if None in stages else max(stages) - min(stages),
        wished=wished,
    )


def _direction(giver: MemberInput, receiver: MemberInput) -> Direction:
    matches = [
        TagMatch(tag_id=tag, level=giver.offers[tag], priority=priority)
        for tag, priority in receiver.needs.items()
        if tag in giver.offers
    ]
    total_priority = sum(receiver.needs.values())
    covered = sum(m.priority * m.level / MAX_LEVEL for m in matches)
    matches.sort(key=lambda m: (-m.priority * m.level, -m.priority, m.tag_id))
    return Direction(
        giver=giver.id,
        receiver=receiver.id,
        coverage=covered / total_priority if total_priority else 0.0,
        tags=tuple(matches[:MAX_REASON_TAGS]),
    )
