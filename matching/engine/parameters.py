"""The score's points and the matching's parameters (see the package docstring)."""

import numpy as np

# --- Score and matching parameters. ---

COMPLEMENTARITY_POINTS = 90.0
TIMEZONE_POINTS = 5.0
CADENCE_POINTS = 2.0
# Small on purpose: members in the same role face similar challenges, but what they can do
# for each other still decides the pair.
ROLE_POINTS = 3.0
TIMEZONE_ZERO_AT_MINUTES = 8 * 60
MAX_LEVEL = 5
MAX_REASON_TAGS = 3

# The skewed cohort of the benchmark (a few tags most need and few offer) needs the deepest
# lists: at 20,000 members 30 candidates reached 99.28 % of the best known total and 45
# reached 99.71 % (see the package docstring).
DEFAULT_CANDIDATES_PER_MEMBER = 45
# The full graph of 500 members is solved exactly in about 0.25 s; beyond that the
# blossom algorithm's cost grows quickly while the candidate graph stays within 0.1 %.
DEFAULT_EXACT_BELOW = 500

# An unmatched member's augmenting path is searched first through the pairs of these many
# of their partners, those whose pair loses least: the full search for each of 300 unmatched
# members took 20 s at 20,000 members.
AUGMENTING_SHORTLIST = 64

NOT_ALLOWED = np.float32(-1.0)
WEIGHT_SCALE = 1_000_000
# Bounds the float32 temporaries of one row block (elements, i.e. 8 MB each): at 20,000
# members the score matrix alone takes 1.6 GB, so the temporaries must stay small.
BLOCK_ELEMENTS = 1 << 21
# A member whose k-th best score is 0 would divide by zero when normalising; this floor
# (0.01 points) instead puts them high in the lists of everyone they score above 0 with,
# which is what a member with few good partners needs.
NORMALISATION_FLOOR = 1e-4
MINUTES_PER_DAY = 24 * 60
