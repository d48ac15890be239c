"""Trios for odd counts: a member left over joins the unlocked pair where they add the most,
one per pair (`_attach_leftovers`).
"""

import numpy as np


def _attach_leftovers(
    scores: np.ndarray, pairs: list[tuple[int, int]]
) -> tuple[list[tuple[int, ...]], list[int]]:
    """Let unmatched members join the pair where they add the most, one per pair.

    Returns the groups (pairs and trios, sorted rows) and the members still unmatched.
    """
    matched = {row for pair in pairs for row in pair}
    leftovers = [row for row in range(len(scores)) if row not in matched]
    groups: list[tuple[int, ...]] = list(pairs)
    if not pairs or not leftovers:
        return groups, leftovers
    first = np.array([a for a, _ in pairs], dtype=np.intp)
    second = np.array([b for _, b in pairs], dtype=np.intp)
    gains, members, targets = [], [], []
    for row in leftovers:
        with_first, with_second = scores[row, first], scores[row, second]
        fits = np.flatnonzero((with_first >= 0) & (with_second >= 0))
        gains.append(with_first[fits].astype(np.float64) + with_second[fits])
        members.append(np.full(len(fits), row))
        targets.append(fits)
    gain, member, target = (np.concatenate(parts) for parts in (gains, members, targets))
    # Best gain first; ties go to the smaller member row, then the earlier pair.
    placed: set[int] = set()
    taken: set[int] = set()
    for option in np.lexsort((target, member, -gain)):
        row, pair = int(member[option]), int(target[option])
        if row in placed or pair in taken:
            continue
        placed.add(row)
        taken.add(pair)
        groups[pair] = tuple(sorted((*pairs[pair], row)))
    return groups, [row for row in leftovers if row not in placed]
