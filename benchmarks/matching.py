"""Benchmark the matching engine on a synthetic cohort.

Run from the repository root:

    python benchmarks/matching.py --members 2000 --exact

The cohort is realistic in shape: a few hundred tags with skewed popularity (what people
need is not what most people offer), 2-6 offers and 2-6 needs per member, 1-3 languages out
of a handful, about 12 departments of uneven size, a spread of UTC offsets, and some
previous partners. The engine is run once for the timings, once under tracemalloc for its
peak memory (tracemalloc slows allocation-heavy code, so it would skew the timings), and,
with --exact, once more on the full allowed graph to compare with the exact optimum.
"""

import argparse
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

# The benchmark is run as a script, so the repository root is not on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.engine import MatchResult, MemberInput, Rules, match  # noqa: E402

LANGUAGES = [("en", 0.75), ("fr", 0.3), ("de", 0.2), ("es", 0.25), ("pt", 0.1), ("ja", 0.05)]
DEPARTMENTS = 12
# Offsets in minutes with rough weights: the Americas, Europe/Africa, India, East Asia.
UTC_OFFSETS = [
    (-480, 2),
    (-360, 2),
    (-300, 4),
    (-180, 1),
    (0, 5),
    (60, 8),
    (120, 3),
    (330, 3),
    (480, 2),
    (540, 1),
    (600, 1),
]
CADENCES = ["weekly", "fortnightly", "monthly", ""]
TAG_SKEW = 1.1
NEEDS_FOLLOW_OFFERS = 0.7


def zipf_weights(count: int, exponent: float, rng: random.Random) -> list[float]:
    """Popularity per tag: a Zipf law over a random ranking of the tags."""
    ranking = list(range(count))
    rng.shuffle(ranking)
    weights = [0.0] * count
    for rank, tag in enumerate(ranking):
        weights[tag] = 1 / (rank + 1) ** exponent
    return weights


def distinct_sample(
    population: list[int], weights: list[float], count: int, rng: random.Random
) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < count:
        tag = rng.choices(population, weights)[0]
        if tag not in chosen:
            chosen.append(tag)
    return chosen


def synthetic_cohort(
    members: int, tags: int, seed: int
) -> tuple[list[MemberInput], frozenset[frozenset[int]]]:
    """The cohort and a set of previous pairs."""
    rng = random.Random(seed)
    tag_ids = list(range(tags))
    # Needs lean towards the commonly offered skills (people in one programme share a
    # field) but follow their own ranking too, so sought-after skills can be scarce.
    offer_weights = zipf_weights(tags, TAG_SKEW, rng)
    own_need_weights = zipf_weights(tags, TAG_SKEW, rng)
    need_weights = [
        NEEDS_FOLLOW_OFFERS * offer + (1 - NEEDS_FOLLOW_OFFERS) * own
        for offer, own in zip(offer_weights, own_need_weights, strict=True)
    ]
    department_weights = [1 / (d + 1) ** 0.6 for d in range(DEPARTMENTS)]
    offsets, offset_weights = zip(*UTC_OFFSETS, strict=True)
    cohort = []
    for member_id in range(1, members + 1):
        offered = distinct_sample(tag_ids, offer_weights, rng.randint(2, 6), rng)
        needed = distinct_sample(
            [t for t in tag_ids if t not in offered],
            [w for t, w in enumerate(need_weights) if t not in offered],
            rng.randint(2, 6),
            rng,
        )
        languages = {lang for lang, share in LANGUAGES if rng.random() < share}
        while not languages or len(languages) > 3:
            languages = {lang for lang, share in LANGUAGES if rng.random() < share}
        cohort.append(
            MemberInput(
                id=member_id,
                offers={t: rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 3, 2])[0] for t in offered},
                needs={t: rng.randint(1, 5) for t in needed},
                languages=frozenset(languages),
                department=f"dept-{rng.choices(range(DEPARTMENTS), department_weights)[0]}",
                utc_offset_minutes=(
                    None if rng.random() < 0.1 else rng.choices(offsets, offset_weights)[0]
                ),
                cadence=rng.choice(CADENCES),
                name=f"Member {member_id}",
            )
        )
    previous = frozenset(
        frozenset(rng.sample(range(1, members + 1), 2)) for _ in range(members // 2)
    )
    return cohort, previous


def summary(result: MatchResult) -> str:
    stats = result.stats
    return (
        f"pairs {stats['pairs']}, trios {stats['trios']}, unmatched {stats['unmatched']}; "
        f"total score {result.total_score:,.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--exact", action="store_true", help="compare with the exact optimum")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tags", type=int, default=300)
    args = parser.parse_args()

    generation_started = time.perf_counter()
    members, previous = synthetic_cohort(args.members, args.tags, args.seed)
    rules = Rules(previous_pairs=previous)
    generation_seconds = time.perf_counter() - generation_started
    print(
        f"cohort: {args.members} members, {args.tags} tags, seed {args.seed}, "
        f"{len(previous)} previous pairs (built in {generation_seconds:.2f} s)"
    )

    result = match(members, rules)
    stats = result.stats
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"graph: {stats['graph']} ({stats['pool']} members in the pool)")
    print(f"score time: {stats['score_seconds']:.2f} s")
    print(
        f"candidate edges: {stats['candidate_edges']:,} "
        f"(built in {stats['candidates_seconds']:.2f} s)"
    )
    print(
        f"matching time: {stats['matching_seconds']:.2f} s "
        f"(second pass added {stats['second_pass_pairs']} pairs)"
    )
    print(f"total time: {stats['total_seconds']:.2f} s")
    print(summary(result))

    tracemalloc.start()
    match(members, rules)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak memory: tracemalloc {traced_peak / 2**20:.0f} MB, "
        f"ru_maxrss {rss_mb:.0f} MB (process, after the timed run)"
    )

    if args.exact:
        exact = match(members, rules, exact_below=len(members))
        print(
            f"exact optimum: {summary(exact)} "
            f"(full graph: {exact.stats['candidate_edges']:,} edges, "
            f"matching {exact.stats['matching_seconds']:.2f} s)"
        )
        print(
            f"ratio to the exact optimum: {100 * result.total_score / exact.total_score:.2f} % "
            f"(matcher objective: "
            f"{100 * stats['matching_score'] / exact.stats['matching_score']:.2f} %)"
        )


if __name__ == "__main__":
    main()
