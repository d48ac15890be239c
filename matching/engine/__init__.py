"""Pure matching engine: pairs the members of a peer-mentoring cohort.

Every member is both a mentor and a protégé, so this is not a bipartite mentor→mentee
assignment: pairs are chosen by a maximum-weight matching on the general graph of the
whole cohort. The package imports no Django: plain dataclasses in, plain dataclasses out.

Score
-----
What member A can do for member B, over B's needs (tag t with priority p_t in 1..5) and
A's offer level on each of them (level_A(t) in 1..5, 0 when A does not offer t)::

    coverage(A→B) = Σ_t p_t · level_A(t)/5  /  Σ_t p_t        (0..1; 0 when B needs nothing)

Both directions are combined with their harmonic mean, so a pair only scores well when
each member can do something for the other; a one-sided pair scores far below a mutual
one even when its one-way value is larger::

    mutual(A, B) = 2·x·y / (x + y),   x = coverage(A→B), y = coverage(B→A)   (0 if x or y is 0)

The pair score is out of 100 points::

    score(A, B) = 90 · mutual(A, B)
                +  5 · max(0, 1 − Δtz / 8 h)      Δtz: clock distance between the two UTC
                                                   offsets, modulo 24 h; 0 if either unknown
                +  2 · [same preferred cadence]   both set and equal
                +  3 · [same role]                both set and equal once case and spaces
                                                   are tidied (peers with similar challenges)

The score is symmetric. A trio scores the mean of its three pairwise scores.

Rules
-----
A pair is not allowed when the two members share no language (``share_language``), are in
the same non-empty department (``different_department``), are more than
``max_stage_distance`` career stages apart (both stages known; None: no limit), were partners
before (``exclude_previous_partners``; unless the two are in ``pair_again``: both said they
would pair again), or are a forbidden pair. Locked pairs and trios are kept exactly as given,
even when they break a rule, and their members take no further part. A preferred pair (two
members who named each other) is kept together when every rule allows it, and takes no
further part either; otherwise its members are matched as usual.

Matching
--------
Maximum cardinality first (as many members as possible get a partner, on the full graph of
allowed pairs), then maximum total score. Weights are integers
(``round(score / 100 · 10⁶) + 1``, so an allowed pair of score 0 is still an edge).

* A pool of at most ``exact_below`` members (``DEFAULT_EXACT_BELOW``) is matched on the full
  graph of allowed pairs with rustworkx's exact blossom algorithm: the result is optimal.
* A larger pool is matched on a candidate graph: every member keeps its ``k`` best partners
  (``DEFAULT_CANDIDATES_PER_MEMBER``) ranked by the normalised score ``w_ab / sqrt(t_a · t_b)``,
  where ``t`` is each member's own k-th best score. Raw top-k lists fill up with the same few
  popular members in big cohorts and leave others without candidates; the normalisation ranks
  partners by how good the pair is for both of them relative to their own prospects. The
  matcher still optimises the raw scores, in four steps (`graph` module):

  1. *Relaxation.* Every member is assigned one partner or nobody so that the assigned
     weights add up to the most, each candidate edge usable in both directions (a sparse
     assignment problem, scipy's ``min_weight_full_bipartite_matching``). A matching is such
     an assignment made of two-cycles, so half its value bounds every matching of the
     candidate graph from above (``stats["relaxation_bound"]``). In the benchmark's cohorts 91
     to 99 % of the members come out in two-cycles, A assigned to B and B to A: those pairs
     are kept.
  2. *Blossom on the rest.* The exact blossom algorithm, weight first, runs on the candidate
     edges among the members left in longer cycles or alone (1 to 9 % of the pool).
  3. *Leftovers.* Members still unmatched who have allowed partners among themselves are
     matched on their full allowed graph.
  4. *Maximum cardinality on the full graph.* Augmenting paths through one matched pair
     (u – a = b – v becomes u – a, b – v) are applied, each the best by the change of score
     among the partners of u whose pair loses least, while two unmatched members have
     allowed partners. Then the matching is proved maximum: with at
     most one unmatched member who has an allowed partner, the matched members and that one
     are an odd set, so some component of the full graph is odd and leaves one member alone
     (Tutte–Berge); otherwise the components of the full graph are counted, and if there
     are more unmatched members than odd components, the exact blossom with maximum
     cardinality re-matches the components that hold two unmatched members.

  Why this method (benchmarks/matching.py, README's table). The blossom algorithm's time
  grows much faster than the graph: with maximum cardinality on the 30-candidate graph it
  took 13.6 s at 5,000 members and 413 s at 20,000, so the old engine could not afford the
  candidate lists that large cohorts need. Forcing maximum cardinality on the sparse
  candidate graph also made the matcher give up strong pairs to place members whose
  candidates happened to be taken, although on the full graph those members could pair
  among themselves; weight first on the candidate graph, then cardinality on the full graph,
  avoids that. The relaxation is solved in about a second at 5,000 members and leaves the
  blossom a few hundred members, so the matching step went from 11.7 s to about a second at
  5,000, and the relaxation bound shows how far from the candidate graph's optimum the
  result can be. On a 10,000-member uniform cohort 10, 20 and 30 candidates reached 99.24,
  99.85 and 100 % of the 30-candidate total; the skewed cohort (a few tags needed by most and
  offered by few) needs deeper lists: at 5,000 members 30, 45 and 60 candidates reached
  99.83, 99.97 and 100.00 % of the 60-candidate total, at 20,000 members 30 reached 99.28 %
  of the best known and 45 reached 99.71 %, hence 45. Growing the lists of members matched
  below their own k-th candidate (their best candidates taken by others) was measured and
  dropped: on the skewed cohort of 5,000 it touched 156 members and changed the total by
  less than 0.01 %, while a deeper list for everyone gained 0.15 %. Checking the solution's
  dual prices against the edges outside the candidate graph was not built: the assignment
  solver does not return its prices, and deeper lists, which the relaxation makes cheap,
  reach those edges more simply.

A member left over (odd counts, or partners all taken) who is allowed with both members of
an unlocked pair joins the pair where ``score(x, a) + score(x, b)`` is highest, making a
trio; each pair takes at most one extra member. Members no rule allows to pair are reported
with the reason.

The result only depends on the input set, not its order: members are sorted by id and ties
are broken by id.

The package
-----------
The engine lives in submodules by role: `data` (what it takes and returns: members, rules,
pairs and trios with their reasons, unmatched members), `phrases` (the wording of explanations
and reasons: `Wording` and `ENGLISH`), `parameters` (the score's points and the matching's
limits), `scores` (the members as arrays, and the score matrix with the rules applied, by row
blocks), `graph` (the full or candidate graph, and the matching on it: relaxation, blossom,
leftovers and maximum cardinality),
`trios` (leftovers joining a pair, for odd counts), `unmatched` (why a member has no partner),
`suggestions` (each member's best partners, kept from a run for the members' suggestions),
`explanations` (each group's reasons, and `explain` putting them in words) and `pipeline`
(`match`, which runs the phases in order). None of them imports Django (a test imports each
in a fresh interpreter). Callers import from `matching.engine` only: every public name is
re-exported here.
"""

from .data import Direction, MatchResult, MemberInput, PairResult, Rules, TagMatch, Unmatched
from .explanations import explain
from .graph import candidate_edges, full_graph_edges, solve
from .parameters import (
    BLOCK_ELEMENTS,
    CADENCE_POINTS,
    COMPLEMENTARITY_POINTS,
    DEFAULT_CANDIDATES_PER_MEMBER,
    DEFAULT_EXACT_BELOW,
    MAX_LEVEL,
    MAX_REASON_TAGS,
    MINUTES_PER_DAY,
    NORMALISATION_FLOOR,
    NOT_ALLOWED,
    ROLE_POINTS,
    TIMEZONE_POINTS,
    TIMEZONE_ZERO_AT_MINUTES,
    WEIGHT_SCALE,
)
from .phrases import (
    ENGLISH,
    LEVEL_LABELS,
    LIST_LAST_SEPARATOR,
    LIST_SEPARATOR,
    NOTHING_OFFERED_CLAUSE,
    OFFER_CLAUSE,
    OFFER_ITEM,
    PAIR_SENTENCE,
    PEER_SENTENCE,
    PRIORITY_PHRASE_DEFAULT,
    PRIORITY_PHRASES,
    REASON_ALL_FORBIDDEN,
    REASON_ALL_PREVIOUS,
    REASON_ALONE,
    REASON_NO_LANGUAGE_LISTED,
    REASON_NO_SHARED_LANGUAGE,
    REASON_PARTNERS_TAKEN,
    REASON_RULE_COUNT,
    REASON_RULES_COMBINED,
    REASON_SAME_DEPARTMENT,
    REASON_STAGE_TOO_FAR,
    ROLE_PHRASES,
    RULE_LABELS,
    Wording,
)
from .pipeline import match
from .scores import CohortArrays, encode, score_matrix
from .suggestions import best_partners

__all__ = [
    # Matching and explaining
    "match",
    "explain",
    # Input and output
    "MemberInput",
    "Rules",
    "TagMatch",
    "Direction",
    "PairResult",
    "Unmatched",
    "MatchResult",
    # Phases (public so they can be timed)
    "CohortArrays",
    "encode",
    "score_matrix",
    "full_graph_edges",
    "candidate_edges",
    "solve",
    "best_partners",
    # Wording
    "Wording",
    "ENGLISH",
    "LEVEL_LABELS",
    "PRIORITY_PHRASES",
    "PRIORITY_PHRASE_DEFAULT",
    "OFFER_CLAUSE",
    "OFFER_ITEM",
    "NOTHING_OFFERED_CLAUSE",
    "PAIR_SENTENCE",
    "PEER_SENTENCE",
    "ROLE_PHRASES",
    "LIST_SEPARATOR",
    "LIST_LAST_SEPARATOR",
    "REASON_ALONE",
    "REASON_NO_LANGUAGE_LISTED",
    "REASON_NO_SHARED_LANGUAGE",
    "REASON_SAME_DEPARTMENT",
    "REASON_STAGE_TOO_FAR",
    "REASON_ALL_PREVIOUS",
    "REASON_ALL_FORBIDDEN",
    "REASON_RULES_COMBINED",
    "REASON_RULE_COUNT",
    "RULE_LABELS",
    "REASON_PARTNERS_TAKEN",
    # Score and matching parameters
    "COMPLEMENTARITY_POINTS",
    "TIMEZONE_POINTS",
    "CADENCE_POINTS",
    "ROLE_POINTS",
    "TIMEZONE_ZERO_AT_MINUTES",
    "MAX_LEVEL",
    "MAX_REASON_TAGS",
    "DEFAULT_CANDIDATES_PER_MEMBER",
    "DEFAULT_EXACT_BELOW",
    "NOT_ALLOWED",
    "WEIGHT_SCALE",
    "BLOCK_ELEMENTS",
    "NORMALISATION_FLOOR",
    "MINUTES_PER_DAY",
]
