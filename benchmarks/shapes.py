"""Synthetic cohorts of different shapes for the matching benchmark and the engine's tests.

Every generator is deterministic by seed and returns the members and the previous pairs:

* ``uniform``: a few hundred tags with skewed popularity (what people need is not what most
  people offer), 2-6 offers and 2-6 needs per member, 1-3 languages out of a handful, about
  12 departments of uneven size, a spread of UTC offsets, and some previous partners.
* ``planted``: the uniform cohort's noise, among which pairs were planted whose members each
  offer what the other needs (on tags of their own), one-sided "giants" (one department) who
  offer a little of everything but need only what nobody offers, and decoys who offer one
  side of a planted pair and need a little of the other. Planted members speak a language
  only the giants and their decoys also speak, so they have few allowed partners.
* ``skewed``: a few tags needed by most members and offered by few, on top of the uniform
  cohort's long tail.
"""

import random

from matching.engine import MemberInput

SHAPES = ("uniform", "planted", "skewed")
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
DEFAULT_TAGS = 300

# The planted cohort: shares of the members in planted pairs, giants and decoys (the rest is
# noise), and how many tags each side of a planted pair covers.
PLANTED_SHARE = 0.4
GIANT_SHARE = 0.05
DECOY_SHARE = 0.15
PLANTED_TAGS_PER_SIDE = 3
# The planted pairs draw their tags from their own pool, so each pair's combination is
# nearly unique while planted members still partly suit each other.
PLANTED_TAG_POOL = 300
# The planted pairs speak languages of their own, which only the giants and their decoys
# also speak: few members are allowed with them.
PLANTED_LANGUAGES = ("pl", "nl", "sv")
# The giants share one department, so they cannot pair among themselves.
GIANTS_DEPARTMENT = "giants"
GIANT_OFFERS = 60

# The skewed cohort: a few tags most members need and few offer.
SCARCE_TAGS = 5
SCARCE_NEEDED_BY = 0.8
SCARCE_OFFERED_BY = 0.04


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


def cohort(
    shape: str, members: int, seed: int = 1, tags: int = DEFAULT_TAGS
) -> tuple[list[MemberInput], frozenset[frozenset[int]]]:
    """The cohort of the given shape and a set of previous pairs."""
    if shape == "uniform":
        return uniform_cohort(members, tags, seed)
    if shape == "planted":
        return planted_cohort(members, tags, seed)
    if shape == "skewed":
        return skewed_cohort(members, tags, seed)
    raise ValueError(f"unknown shape {shape!r}; one of {', '.join(SHAPES)}")


def uniform_cohort(
    members: int, tags: int, seed: int
) -> tuple[list[MemberInput], frozenset[frozenset[int]]]:
    rng = random.Random(seed)
    draw = _TagDraw(tags, rng)
    result = [_noise_member(member_id, draw, rng) for member_id in range(1, members + 1)]
    return result, _previous_pairs(members, rng)


def planted_cohort(
    members: int, tags: int, seed: int
) -> tuple[list[MemberInput], frozenset[frozenset[int]]]:
    cohort_members, previous, _ = planted_cohort_with_pairs(members, tags, seed)
    return cohort_members, previous


def planted_cohort_with_pairs(
    members: int, tags: int = DEFAULT_TAGS, seed: int = 1
) -> tuple[list[MemberInput], frozenset[frozenset[int]], list[frozenset[int]]]:
    """The planted cohort, its previous pairs and the ids of its planted pairs."""
    rng = random.Random(seed)
    draw = _TagDraw(tags, rng)
    planted_pairs = int(members * PLANTED_SHARE) // 2
    giants = int(members * GIANT_SHARE)
    decoys = int(members * DECOY_SHARE)
    # Planted pairs use their own tags, beyond the noise's; so does the giants' need.
    nobody_offers = tags
    next_tag = tags + 1
    result: list[MemberInput] = []
    sides: list[tuple[list[int], list[int]]] = []
    pool = list(range(next_tag, next_tag + PLANTED_TAG_POOL))
    next_tag += PLANTED_TAG_POOL
    for _ in range(planted_pairs):
        chosen = rng.sample(pool, 2 * PLANTED_TAGS_PER_SIDE)
        first_gives, second_gives = chosen[:PLANTED_TAGS_PER_SIDE], chosen[PLANTED_TAGS_PER_SIDE:]
        sides.append((first_gives, second_gives))
        language = rng.choice(PLANTED_LANGUAGES)
        for gives, needs in ((first_gives, second_gives), (second_gives, first_gives)):
            result.append(
                _member(
                    len(result) + 1,
                    offers={t: rng.choice([4, 5]) for t in gives},
                    needs={t: rng.choice([4, 5]) for t in needs},
                    languages=frozenset({language}),
                    rng=rng,
                )
            )
        if result[-1].department == result[-2].department:
            # A planted pair is allowed: its members work in different departments.
            result[-1] = _with(result[-1], department=f"{result[-1].department}-other")
    all_tags = list(range(next_tag))
    for _ in range(giants):
        result.append(
            _member(
                len(result) + 1,
                offers={t: 5 for t in rng.sample(all_tags, min(GIANT_OFFERS, len(all_tags)))}
                | {t: 5 for t in rng.choice(sides)[0]},
                needs={nobody_offers: 5},
                languages=frozenset({"en", "fr", "es", *PLANTED_LANGUAGES}),
                rng=rng,
                department=GIANTS_DEPARTMENT,
            )
        )
    for _ in range(decoys):
        pair = rng.randrange(planted_pairs)
        first_gives, second_gives = sides[pair]
        # Offers what the pair's first member needs, and needs one of the things they offer.
        result.append(
            _member(
                len(result) + 1,
                offers={t: 5 for t in second_gives} | {t: 3 for t in draw.offers(2)},
                needs={rng.choice(first_gives): 3} | {t: 3 for t in draw.needs(2, ())},
                languages=frozenset({"en", *result[2 * pair].languages}),
                rng=rng,
            )
        )
    while len(result) < members:
        result.append(_noise_member(len(result) + 1, draw, rng))
    # Shuffle the ids so that the planted pairs are not neighbours in id order.
    ids = list(range(1, members + 1))
    rng.shuffle(ids)
    pairs = [frozenset((ids[2 * p], ids[2 * p + 1])) for p in range(planted_pairs)]
    result = [_with_id(member, ids[row]) for row, member in enumerate(result)]
    result.sort(key=lambda member: member.id)
    return result, _previous_pairs(members, rng), pairs


def skewed_cohort(
    members: int, tags: int, seed: int
) -> tuple[list[MemberInput], frozenset[frozenset[int]]]:
    rng = random.Random(seed)
    draw = _TagDraw(tags, rng)
    scarce = list(range(tags, tags + SCARCE_TAGS))
    result = []
    for member_id in range(1, members + 1):
        member = _noise_member(member_id, draw, rng)
        offers, needs = dict(member.offers), dict(member.needs)
        if rng.random() < SCARCE_NEEDED_BY:
            for tag in rng.sample(scarce, rng.randint(1, 2)):
                needs[tag] = rng.choice([4, 5])
        if rng.random() < SCARCE_OFFERED_BY:
            for tag in rng.sample(scarce, rng.randint(1, 3)):
                offers[tag] = rng.choice([3, 4, 5])
                needs.pop(tag, None)
        result.append(_with(member, offers=offers, needs=needs))
    return result, _previous_pairs(members, rng)


# --- Helpers. ---


class _TagDraw:
    """Offers and needs over the noise tags, following their popularity."""

    def __init__(self, tags: int, rng: random.Random) -> None:
        self.rng = rng
        self.tag_ids = list(range(tags))
        # Needs lean towards the commonly offered skills (people in one programme share a
        # field) but follow their own ranking too, so sought-after skills can be scarce.
        self.offer_weights = zipf_weights(tags, TAG_SKEW, rng)
        own_need_weights = zipf_weights(tags, TAG_SKEW, rng)
        self.need_weights = [
            NEEDS_FOLLOW_OFFERS * offer + (1 - NEEDS_FOLLOW_OFFERS) * own
            for offer, own in zip(self.offer_weights, own_need_weights, strict=True)
        ]

    def offers(self, count: int) -> list[int]:
        return distinct_sample(self.tag_ids, self.offer_weights, count, self.rng)

    def needs(self, count: int, offered: list[int] | tuple[int, ...]) -> list[int]:
        return distinct_sample(
            [t for t in self.tag_ids if t not in offered],
            [w for t, w in enumerate(self.need_weights) if t not in offered],
            count,
            self.rng,
        )


def _noise_member(member_id: int, draw: _TagDraw, rng: random.Random) -> MemberInput:
    offered = draw.offers(rng.randint(2, 6))
    needed = draw.needs(rng.randint(2, 6), offered)
    languages = {lang for lang, share in LANGUAGES if rng.random() < share}
    while not languages or len(languages) > 3:
        languages = {lang for lang, share in LANGUAGES if rng.random() < share}
    return _member(
        member_id,
        offers={t: rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 3, 2])[0] for t in offered},
        needs={t: rng.randint(1, 5) for t in needed},
        languages=frozenset(languages),
        rng=rng,
    )


def _member(
    member_id: int,
    *,
    offers: dict[int, int],
    needs: dict[int, int],
    languages: frozenset[str],
    rng: random.Random,
    department: str = "",
) -> MemberInput:
    department_weights = [1 / (d + 1) ** 0.6 for d in range(DEPARTMENTS)]
    offsets, offset_weights = zip(*UTC_OFFSETS, strict=True)
    drawn = f"dept-{rng.choices(range(DEPARTMENTS), department_weights)[0]}"
    return MemberInput(
        id=member_id,
        offers=offers,
        needs=needs,
        languages=languages,
        department=department or drawn,
        utc_offset_minutes=(
            None if rng.random() < 0.1 else rng.choices(offsets, offset_weights)[0]
        ),
        cadence=rng.choice(CADENCES),
        name=f"Member {member_id}",
    )


def _with(member: MemberInput, **changes: object) -> MemberInput:
    fields = {
        "id": member.id,
        "offers": member.offers,
        "needs": member.needs,
        "languages": member.languages,
        "department": member.department,
        "utc_offset_minutes": member.utc_offset_minutes,
        "cadence": member.cadence,
        "name": member.name,
    }
    return MemberInput(**(fields | changes))


def _with_id(member: MemberInput, member_id: int) -> MemberInput:
    return _with(member, id=member_id, name=f"Member {member_id}")


def _previous_pairs(members: int, rng: random.Random) -> frozenset[frozenset[int]]:
    return frozenset(frozenset(rng.sample(range(1, members + 1), 2)) for _ in range(members // 2))
