"""Each member's best partners, kept from a run so that a member's suggestions need no fresh
scoring of the whole cohort.

`best_partners` reads the run's score matrix (rules applied) and keeps, for every member of the
pool, the ``k`` allowed partners with the highest score, best first (ties by id), plus the
best ``k`` among the members the run left without a partner: those are the ones still free
after the run, and a member's overall favourites are mostly in proposals by then.
"""

from collections.abc import Sequence

import numpy as np

from .scores import _row_blocks


def best_partners(
    scores: np.ndarray, ids: Sequence[int], k: int, *, leftover_rows: Sequence[int] = ()
) -> dict[int, tuple[tuple[int, float], ...]]:
    """member id -> ((partner id, score 0..100), ...) best first, allowed partners only."""
    n = len(scores)
    ids = np.asarray(ids, dtype=np.int64)
    leftovers = np.asarray(sorted(leftover_rows), dtype=np.intp)
    result: dict[int, tuple[tuple[int, float], ...]] = {}
    if n < 2 or k < 1:
        return {int(member_id): () for member_id in ids}
    top = min(k, n - 1)
    for rows in _row_blocks(n):
        tile = scores[rows]
        chosen = np.argpartition(tile, n - top, axis=1)[:, n - top :]
        if len(leftovers):
            sub = tile[:, leftovers]
            extra = min(k, len(leftovers))
            picks = np.argpartition(sub, len(leftovers) - extra, axis=1)[:, -extra:]
            chosen = np.concatenate([chosen, leftovers[picks]], axis=1)
        for offset, columns in enumerate(chosen):
            row = rows.start + offset
            kept = {int(c) for c in columns if tile[offset, c] >= 0}
            ranked = sorted(kept, key=lambda c: (-float(tile[offset, c]), int(ids[c])))
            result[int(ids[row])] = tuple(
                (int(ids[c]), round(100 * float(tile[offset, c]), 2)) for c in ranked
            )
    return result
