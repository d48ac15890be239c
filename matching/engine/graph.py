"""The graph and the matching: the full graph of allowed pairs (`full_graph_edges`) or each
member's best candidates (`candidate_edges`), and the matching on it (`solve`).

On the full graph `solve` runs the exact blossom algorithm with maximum cardinality. On the
candidate graph it runs, in order (see the package docstring for why):

1. the relaxation: a maximum-weight assignment of every member to a partner or to nobody,
   on the candidate graph counted in both directions (`_relaxation`). Its value is an upper
   bound of the best matching on the candidate graph, and most members come out in
   two-cycles (A is assigned B and B is assigned A): those pairs are kept;
2. the exact blossom algorithm, weight first, on the candidate edges among the members the
   relaxation left in longer cycles or alone;
3. the members still unmatched who have allowed partners among themselves are matched on
   their full allowed graph (maximum cardinality, then weight);
4. maximum cardinality on the full allowed graph (`_maximum_cardinality`): augmenting paths
   through one matched pair (searched first among the partners whose pair loses least),
   then a proof (no two unmatched members with a partner left, or as many unmatched members
   as the full graph has odd components), else the exact blossom on the full graph of the
   components that still hold two unmatched members.
"""

import numpy as np
import rustworkx as rx
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from .parameters import AUGMENTING_SHORTLIST, BLOCK_ELEMENTS, NORMALISATION_FLOOR, WEIGHT_SCALE
from .scores import _row_blocks

# --- Phases. match() runs them in order; they are public so they can be timed. ---


def full_graph_edges(scores: np.ndarray) -> np.ndarray:
    """Every allowed pair (i < j) as rows of an (edges, 2) array."""
    return np.argwhere(np.triu(scores >= 0, 1))


def candidate_edges(scores: np.ndarray, per_member: int) -> np.ndarray:
    """Union of every member's top ``per_member`` partners by normalised score, (edges, 2).

    See the package docstring for why the ranking is normalised.
    """
    n = len(scores)
    k = min(per_member, n - 1)
    if k < 1:
        return np.empty((0, 2), dtype=np.intp)
    kth_best = np.empty(n, dtype=np.float32)
    for rows in _row_blocks(n):
        tile = scores[rows]
        # Selecting from the left of the negated row is several times faster than from the
        # right when most of the row holds the same value (pairs not allowed).
        kth = -np.partition(-tile, k - 1, axis=1)[:, k - 1]
        # With fewer than k allowed partners all of them are candidates anyway; the weakest
        # one stands for the member's own scale.
        short = kth < 0
        if short.any():
            kth[short] = np.where(tile[short] >= 0, tile[short], np.inf).min(axis=1)
        kth_best[rows] = kth
    # Members without any allowed partner get 1: their column is never a candidate anyway.
    kth_best[~np.isfinite(kth_best)] = 1.0
    # Dividing a row by its own scale does not change its order: only the columns' count.
    inverse_scale = 1 / np.sqrt(np.maximum(kth_best, NORMALISATION_FLOOR))

    codes = []
    for rows in _row_blocks(n):
        tile = scores[rows]
        # Pairs not allowed (-1) stay negative, below every allowed one (>= 0).
        negated = tile * -inverse_scale
        # A row's k-th value, then every column up to it: cheaper than an argpartition of
        # the whole block. Rows with ties at the k-th value fall back to argpartition.
        kth = np.partition(negated, k - 1, axis=1)[:, k - 1]
        chosen = negated <= kth[:, None]
        tied = np.flatnonzero(chosen.sum(axis=1) > k)
        if len(tied):
            chosen[tied] = False
            top = np.argpartition(negated[tied], k - 1, axis=1)[:, :k]
            chosen[tied[:, None], top] = True
        local, second = np.nonzero(chosen)
        first = local + rows.start
        allowed = tile[local, second] >= 0
        low = np.minimum(first, second)[allowed]
        high = np.maximum(first, second)[allowed]
        codes.append(low.astype(np.int64) * n + high)
    unique = np.unique(np.concatenate(codes))  # sorted; empty when no pair is allowed
    return np.column_stack((unique // n, unique % n)).astype(np.intp)


def solve(
    scores: np.ndarray, edges: np.ndarray, *, exact: bool = True
) -> tuple[list[tuple[int, int]], dict[str, float]]:
    """Maximum-cardinality, maximum-score matching; rows of ``scores``.

    With ``exact`` the blossom algorithm runs on ``edges`` (the full graph). Otherwise
    ``edges`` is the candidate graph and the steps of the module docstring run. Returns the
    sorted pairs (i < j) and figures about the steps.
    """
    if exact:
        return sorted(_blossom(scores, edges, max_cardinality=True)), {}
    n = len(scores)
    weights = _weights(scores, edges)
    partner, bound = _relaxation(n, edges, weights)
    kept = (partner >= 0) & (partner[np.maximum(partner, 0)] == np.arange(n))
    pairs = [(int(a), int(partner[a])) for a in np.flatnonzero(kept & (partner > np.arange(n)))]
    rest = ~kept
    inside = rest[edges[:, 0]] & rest[edges[:, 1]]
    pairs += _blossom(scores, edges[inside], max_cardinality=False)

    matched = np.zeros(n, dtype=bool)
    matched[np.array(pairs, dtype=np.intp).ravel()] = True
    left = np.flatnonzero(~matched)
    extra: list[tuple[int, int]] = []
    if len(left) > 1:
        among_left = np.argwhere(np.triu(scores[np.ix_(left, left)] >= 0, 1))
        if len(among_left):
            extra = _blossom(scores, left[among_left], max_cardinality=True)
    pairs, augmented, fallback = _maximum_cardinality(scores, pairs + extra)
    return sorted(pairs), {
        "relaxation_bound": 100 * bound,
        "relaxation_pairs": int(kept.sum()) // 2,
        "blossom_members": int(rest.sum()),
        "second_pass_pairs": len(extra),
        "augmented_pairs": augmented,
        "cardinality_fallback_members": fallback,
    }


# --- Helpers. ---


def _weights(scores: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Integer weights: rustworkx wants integers, and +1 keeps a zero-score pair an edge."""
    weights = np.rint(scores[edges[:, 0], edges[:, 1]].astype(np.float64) * WEIGHT_SCALE)
    return weights.astype(np.int64) + 1


def _relaxation(n: int, edges: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """Each member's partner in the best assignment (-1: nobody), and its value / 2 (0..1).

    Every member is assigned exactly one partner or themselves (weight 0), each candidate
    edge being usable in both directions; a matching is such an assignment made of
    two-cycles, so half the assignment's weight bounds every matching's weight from above.
    """
    if len(edges) == 0:
        return np.full(n, -1, dtype=np.intp), 0.0
    # The solver minimises and reads a stored 0 as no edge: costs are ceiling − weight ≥ 1.
    ceiling = int(weights.max()) + 1
    rows = np.concatenate((edges[:, 0], edges[:, 1], np.arange(n)))
    cols = np.concatenate((edges[:, 1], edges[:, 0], np.arange(n)))
    costs = np.concatenate((ceiling - weights, ceiling - weights, np.full(n, ceiling)))
    graph = csr_matrix(coo_matrix((costs.astype(np.float64), (rows, cols)), shape=(n, n)))
    assigned_rows, assigned_cols = min_weight_full_bipartite_matching(graph)
    partner = np.full(n, -1, dtype=np.intp)
    partner[assigned_rows] = assigned_cols
    value = ceiling * n - float(np.asarray(graph[assigned_rows, assigned_cols]).sum())
    partner[partner == np.arange(n)] = -1
    # Each chosen edge carries the +1 of _weights; the bound is on the 0..1 score scale.
    return partner, value / 2 / WEIGHT_SCALE


def _maximum_cardinality(
    scores: np.ndarray, pairs: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], int, int]:
    """The pairs, changed if need be so that no matching of the full graph has more.

    Returns the pairs, how many augmenting paths were applied, and how many members the
    exact fallback re-matched (0 when the proof held without it).
    """
    n = len(scores)
    mate = np.full(n, -1, dtype=np.intp)
    for a, b in pairs:
        mate[a], mate[b] = b, a
    augmented = 0
    # Unmatched members with an allowed partner: all of their partners are matched (the
    # second pass matched the leftovers among themselves).
    open_rows = [int(r) for r in np.flatnonzero(mate < 0) if (scores[r] >= 0).any()]
    while len(open_rows) > 1 and (path := _short_augmenting_path(scores, mate, open_rows)):
        u, a, b, v = path
        mate[u], mate[a], mate[b], mate[v] = a, u, v, b
        open_rows = [r for r in open_rows if r not in (u, v)]
        augmented += 1
    # Zero or one unmatched member with a partner: the matched members and that one form
    # an odd set, so some component of the full graph is odd and leaves one member alone.
    fallback = 0
    if len(open_rows) > 1:
        labels = _full_components(scores, mate)
        sizes = np.bincount(labels)
        if int((mate < 0).sum()) > int((sizes % 2 == 1).sum()):
            per_label = np.bincount(labels[open_rows], minlength=len(sizes))
            redo = np.flatnonzero(np.isin(labels, np.flatnonzero(per_label > 1)))
            fallback = len(redo)
            # A component holds its members' partners too (its labels started from the pairs).
            mate[redo] = -1
            local = np.argwhere(np.triu(scores[np.ix_(redo, redo)] >= 0, 1))
            for a, b in _blossom(scores, redo[local], max_cardinality=True):
                mate[a], mate[b] = b, a
    rows = np.flatnonzero(mate > np.arange(n))
    return [(int(a), int(mate[a])) for a in rows], augmented, fallback


def _short_augmenting_path(
    scores: np.ndarray, mate: np.ndarray, open_rows: list[int]
) -> tuple[int, int, int, int] | None:
    """A path u – a = b – v from an unmatched member u through a matched pair to another
    unmatched member v, the best by the change in total score among u's
    ``AUGMENTING_SHORTLIST`` partners whose pair loses least (all partners if none of those
    leads on); None if there is none."""
    others = np.array(open_rows, dtype=np.intp)
    for u in open_rows:
        partners = np.flatnonzero(scores[u] >= 0)
        partners = partners[mate[partners] >= 0]
        if len(partners) == 0:
            continue
        ends = others[others != u]
        # The partners whose pair loses least first; all of them only if none leads on.
        loss = scores[partners, mate[partners]] - scores[u, partners]
        if len(partners) > AUGMENTING_SHORTLIST:
            short = np.argpartition(loss, AUGMENTING_SHORTLIST - 1)[:AUGMENTING_SHORTLIST]
            shortlists = (partners[np.sort(short)], partners)
        else:
            shortlists = (partners,)
        for through in shortlists:
            path = _best_path(scores, mate, u, through, ends)
            if path is not None:
                return path
    return None


def _best_path(
    scores: np.ndarray, mate: np.ndarray, u: int, partners: np.ndarray, ends: np.ndarray
) -> tuple[int, int, int, int] | None:
    """The path u – a = b – v with a among ``partners`` and v among ``ends`` that loses the
    least score, or None."""
    mates = mate[partners]
    kept = scores[u, partners] - scores[partners, mates]  # (partners,)
    best, found = -np.inf, None
    # A block of ends at a time, so the (ends, partners) temporaries stay within BLOCK_ELEMENTS.
    step = max(1, BLOCK_ELEMENTS // max(1, len(partners)))
    for start in range(0, len(ends), step):
        block = ends[start : start + step]
        reachable = scores[np.ix_(block, mates)]  # (ends, partners)
        gain = np.where(reachable >= 0, kept[None, :] + reachable, -np.inf)
        index = int(np.argmax(gain))
        end, through = np.unravel_index(index, gain.shape)
        if np.isfinite(gain[end, through]) and gain[end, through] > best:
            best = float(gain[end, through])
            found = (u, int(partners[through]), int(mates[through]), int(block[end]))
    return found


def _full_components(scores: np.ndarray, mate: np.ndarray) -> np.ndarray:
    """Connected component of every member in the full graph of allowed pairs.

    Starts from the matched pairs' components and merges, one row block at a time, the
    component of each member with the lowest component among its allowed partners, until
    nothing changes.
    """
    n = len(scores)
    rows = np.flatnonzero(mate >= 0)
    graph = coo_matrix((np.ones(len(rows)), (rows, mate[rows])), shape=(n, n))
    labels = connected_components(graph, directed=False)[1]
    while True:
        links = []
        for block in _row_blocks(n):
            tile = scores[block] >= 0
            lowest = np.where(tile, labels[None, :], n).min(axis=1)
            own = labels[block]
            differs = (lowest < n) & (lowest != own)
            links.append(np.column_stack((own[differs], lowest[differs])))
        merge = np.concatenate(links)
        if len(merge) == 0:
            return labels
        count = int(labels.max()) + 1
        joined = coo_matrix((np.ones(len(merge)), (merge[:, 0], merge[:, 1])), (count, count))
        labels = connected_components(joined, directed=False)[1][labels]


def _blossom(
    scores: np.ndarray, edges: np.ndarray, *, max_cardinality: bool
) -> list[tuple[int, int]]:
    """Exact maximum-weight matching on the given edges (maximum cardinality first if
    asked)."""
    if len(edges) == 0:
        return []
    weights = _weights(scores, edges)
    # Only the members on some edge become nodes: isolated nodes still cost the algorithm.
    nodes, local = np.unique(edges, return_inverse=True)
    local = local.reshape(edges.shape)
    # A default PyGraph (multigraph) builds fast; the edges are already unique.
    graph = rx.PyGraph()
    graph.add_nodes_from([None] * len(nodes))
    graph.add_edges_from(
        list(zip(local[:, 0].tolist(), local[:, 1].tolist(), weights.tolist(), strict=True))
    )
    matching = rx.max_weight_matching(graph, max_cardinality=max_cardinality, weight_fn=int)
    pairs = [(int(nodes[a]), int(nodes[b])) for a, b in matching]
    return [(min(a, b), max(a, b)) for a, b in pairs]
