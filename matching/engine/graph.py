"""The graph and the matching: the full graph of allowed pairs (`full_graph_edges`) or each
member's best candidates (`candidate_edges`), and the exact blossom matching on it with a
second pass for the members it leaves over (`solve`).
"""

import numpy as np
import rustworkx as rx

from .parameters import NORMALISATION_FLOOR, WEIGHT_SCALE
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
        kth = np.partition(tile, n - k, axis=1)[:, n - k]
        # With fewer than k allowed partners all of them are candidates anyway; the weakest
        # one stands for the member's own scale.
        short = kth < 0
        if short.any():
            kth[short] = np.where(tile[short] >= 0, tile[short], np.inf).min(axis=1)
        kth_best[rows] = kth
    # Members without any allowed partner get 1: their column is never a candidate anyway.
    kth_best[~np.isfinite(kth_best)] = 1.0
    scale = np.sqrt(np.maximum(kth_best, NORMALISATION_FLOOR))

    codes = []
    for rows in _row_blocks(n):
        tile = scores[rows]
        normalised = np.where(tile >= 0, tile / np.outer(scale[rows], scale), -np.inf)
        top = np.argpartition(normalised, n - k, axis=1)[:, n - k :]
        first = np.repeat(np.arange(rows.start, rows.stop), k)
        second = top.ravel()
        allowed = scores[first, second] >= 0
        low = np.minimum(first, second)[allowed]
        high = np.maximum(first, second)[allowed]
        codes.append(low.astype(np.int64) * n + high)
    unique = np.unique(np.concatenate(codes))
    return np.column_stack((unique // n, unique % n)).astype(np.intp)


def solve(scores: np.ndarray, edges: np.ndarray) -> tuple[list[tuple[int, int]], int]:
    """Maximum-cardinality, maximum-score matching on ``edges``; rows of ``scores``.

    Returns the sorted pairs (i < j) and how many of them the second pass added: members the
    candidate graph left unmatched are matched on their full allowed graph among themselves.
    """
    pairs = _blossom(scores, edges)
    matched = np.zeros(len(scores), dtype=bool)
    matched[np.array(pairs, dtype=np.intp).ravel()] = True
    left = np.flatnonzero(~matched)
    extra: list[tuple[int, int]] = []
    if len(left) > 1:
        among_left = np.argwhere(np.triu(scores[np.ix_(left, left)] >= 0, 1))
        if len(among_left):
            extra = _blossom(scores, left[among_left])
    return sorted(pairs + extra), len(extra)


# --- Helpers. ---


def _blossom(scores: np.ndarray, edges: np.ndarray) -> list[tuple[int, int]]:
    """Exact maximum-cardinality, maximum-weight matching on the given edges."""
    if len(edges) == 0:
        return []
    # rustworkx wants integer weights; +1 keeps a zero-score allowed pair an edge.
    weights = np.rint(scores[edges[:, 0], edges[:, 1]].astype(np.float64) * WEIGHT_SCALE)
    weights = weights.astype(np.int64) + 1
    # Only the members on some edge become nodes: isolated nodes still cost the algorithm.
    nodes, local = np.unique(edges, return_inverse=True)
    local = local.reshape(edges.shape)
    # A default PyGraph (multigraph) builds fast; the edges are already unique.
    graph = rx.PyGraph()
    graph.add_nodes_from([None] * len(nodes))
    graph.add_edges_from(
        list(zip(local[:, 0].tolist(), local[:, 1].tolist(), weights.tolist(), strict=True))
    )
    matching = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    pairs = [(int(nodes[a]), int(nodes[b])) for a, b in matching]
    return [(min(a, b), max(a, b)) for a, b in pairs]
