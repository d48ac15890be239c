"""Unmatched reasons: why a member has no partner, naming the rule that excluded them
(`_unmatched`), or the rules together with how many members each excluded (`_rule_reason`).
"""

from collections.abc import Mapping

import numpy as np

from .data import Rules, Unmatched
from .phrases import Wording
from .scores import (
    CohortArrays,
    _close_stage,
    _other_department,
    _pair_rules,
    _shares_language,
)


def _unmatched(
    cohort: CohortArrays, rules: Rules, scores: np.ndarray, rows: list[int], wording: Wording
) -> list[Unmatched]:
    """Why each pool member at ``rows`` has no partner, naming the rule that excluded them."""
    n = len(cohort.ids)
    pair_rules = _pair_rules(cohort, rules)
    everyone = slice(0, n)
    result = []
    for row in rows:
        if n == 1:
            reason = wording.reason_alone
        elif (scores[row] >= 0).any():
            reason = wording.reason_partners_taken
        elif rules.share_language and not cohort.languages[row].any():
            reason = wording.reason_no_language_listed
        else:
            # For each rule, which of the other members it excludes.
            here = np.array([row], dtype=np.intp)
            excluded: dict[str, np.ndarray] = {}
            if rules.share_language:
                excluded["language"] = ~_shares_language(cohort, here, everyone)[0]
            if rules.different_department:
                excluded["department"] = ~_other_department(cohort, here, everyone)[0]
            if rules.max_stage_distance is not None:
                distance = rules.max_stage_distance
                excluded["stage"] = ~_close_stage(cohort, here, everyone, distance)[0]
            for rule, (first, second) in pair_rules.items():
                partner = np.zeros(n, dtype=bool)
                partner[second[first == row]] = True
                partner[first[second == row]] = True
                excluded[rule] = partner
            others = np.arange(n) != row
            reason = _rule_reason({rule: mask[others] for rule, mask in excluded.items()}, wording)
        result.append(Unmatched(int(cohort.ids[row]), reason))
    return result


def _rule_reason(excluded: Mapping[str, np.ndarray], wording: Wording) -> str:
    """The reason for a member every other member is excluded from by at least one rule."""
    order = ("language", "department", "stage", "previous", "forbidden")
    sole_reason = {
        "language": wording.reason_no_shared_language,
        "department": wording.reason_same_department,
        "stage": wording.reason_stage_too_far,
        "previous": wording.reason_all_previous,
        "forbidden": wording.reason_all_forbidden,
    }
    for rule in order:
        if rule in excluded and excluded[rule].all():
            return sole_reason[rule]
    details = wording.list_separator.join(
        wording.reason_rule_count.format(
            rule=wording.rule_labels[rule], count=int(excluded[rule].sum())
        )
        for rule in order
        if rule in excluded and excluded[rule].any()
    )
    return wording.reason_rules_combined.format(details=details)
