"""Benchmark the matching engine on synthetic cohorts of several shapes.

Run from the repository root, one shape and size per process so that each figure is its own:

    python benchmarks/matching.py --shape planted --members 5000
    python benchmarks/matching.py --shape uniform --members 2000 --best-known

The shapes are described in `benchmarks/shapes.py`. The engine is run once with its defaults
and timed; the peak memory is the process's (ru_maxrss, after that run, cohort included).
The cardinality is checked against the full allowed graph: no matching can place more members
than there are, less one for each component of odd size (Tutte–Berge, with an empty set).

The share is of the best known total score of the same cohort, read from
`benchmarks/matching_best_known.json`. ``--best-known`` computes it first and stores it: the
exact optimum on the full graph (maximum cardinality, then score) up to 2,000 members, and
beyond, the best of the engine with larger candidate lists (slower settings), next to the
bound of the assignment relaxation on the largest one.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

# The benchmark is run as a script, so the repository root is not on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import shapes  # noqa: E402
from matching.engine import MatchResult, Rules, encode, match, score_matrix  # noqa: E402
from matching.engine.graph import _full_components  # noqa: E402

BEST_KNOWN = Path(__file__).resolve().parent / "matching_best_known.json"
EXACT_UP_TO = 2000
SLOWER_CANDIDATES = (60, 100)


def summary(result: MatchResult) -> str:
    stats = result.stats
    return (
        f"pairs {stats['pairs']}, trios {stats['trios']}, unmatched {stats['unmatched']}; "
        f"total score {result.total_score:,.1f}"
    )


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def best_known(members: int, cohort, rules) -> dict:
    """The best known total of the cohort, computed with the slower settings."""
    started = time.perf_counter()
    if members <= EXACT_UP_TO:
        exact = match(cohort, rules, exact_below=members)
        entry = {"total": exact.total_score, "how": "exact: full graph, maximum cardinality"}
    else:
        runs = {k: match(cohort, rules, candidates_per_member=k) for k in SLOWER_CANDIDATES}
        best = max(runs, key=lambda k: runs[k].total_score)
        largest = runs[max(SLOWER_CANDIDATES)]
        entry = {
            "total": runs[best].total_score,
            "how": (
                f"best of the engine with {' and '.join(map(str, SLOWER_CANDIDATES))} "
                f"candidates per member ({best}); relaxation bound with "
                f"{max(SLOWER_CANDIDATES)}: {largest.stats['relaxation_bound']:,.1f}"
            ),
        }
    entry["seconds"] = round(time.perf_counter() - started, 1)
    entry["load"] = load()
    return entry


def maximum_placed(members, rules) -> int:
    """Upper bound on the members any matching of the full allowed graph places."""
    ordered = sorted(members, key=lambda member: member.id)
    scores = score_matrix(encode(ordered), rules)
    labels = _full_components(scores, np.full(len(scores), -1, dtype=np.intp))
    return len(scores) - int((np.bincount(labels) % 2 == 1).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=[*shapes.SHAPES, "all"], default="uniform")
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tags", type=int, default=shapes.DEFAULT_TAGS)
    parser.add_argument(
        "--best-known", action="store_true", help="compute and store the best known total"
    )
    args = parser.parse_args()
    for shape in shapes.SHAPES if args.shape == "all" else (args.shape,):
        run(shape, args)


def run(shape: str, args: argparse.Namespace) -> None:
    print(f"== {shape}, {args.members} members; load average before: {load()}")
    members, previous = shapes.cohort(shape, args.members, args.seed, args.tags)
    rules = Rules(previous_pairs=previous)
    key = f"{shape}/{args.members}/seed {args.seed}/tags {args.tags}"
    known = json.loads(BEST_KNOWN.read_text()) if BEST_KNOWN.exists() else {}
    if args.best_known:
        known[key] = best_known(args.members, members, rules)
        BEST_KNOWN.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n")
        print(f"best known: {known[key]['total']:,.1f} ({known[key]['how']})")

    result = match(members, rules)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stats = result.stats
    print(
        f"time: {stats['total_seconds']:.2f} s (score {stats['score_seconds']:.2f} s, "
        f"candidates {stats['candidates_seconds']:.2f} s, matching "
        f"{stats['matching_seconds']:.2f} s); load average after: {load()}"
    )
    print(f"peak memory: {rss_mb:,.0f} MB (ru_maxrss of the process)")
    if stats["graph"] == "candidates":
        print(
            f"candidate edges {stats['candidate_edges']:,}; relaxation kept "
            f"{stats['relaxation_pairs']} pairs, blossom on {stats['blossom_members']} "
            f"members, second pass {stats['second_pass_pairs']} pairs, augmenting paths "
            f"{stats['augmented_pairs']}, fallback {stats['cardinality_fallback_members']} "
            f"members; relaxation bound {stats['relaxation_bound']:,.1f}"
        )
    placed = 2 * (stats["pairs"] + stats["trios"])
    print(
        f"cardinality: {placed} members in the matching, at most "
        f"{maximum_placed(members, rules)} on the full allowed graph"
    )
    print(summary(result))
    if key in known:
        entry = known[key]
        print(
            f"share of the best known: {100 * result.total_score / entry['total']:.2f} % "
            f"(best known {entry['total']:,.1f}: {entry['how']})"
        )
    else:
        print("share of the best known: not computed yet (run with --best-known)")
    if shape == "planted":
        chosen = {frozenset(pair.members) for pair in result.pairs}
        planted = shapes.planted_cohort_with_pairs(args.members, args.tags, args.seed)[2]
        kept = sum(pair in chosen for pair in planted)
        print(f"planted pairs kept: {kept} of {len(planted)} ({100 * kept / len(planted):.1f} %)")


if __name__ == "__main__":
    main()
