"""Helpers shared by the selectors' submodules: `_members_with_users` is the queryset of pair
members with their users, prefetched onto pairs by the meeting reads and by the cohort's pairs
with their health, so that listing partners' names costs one query however many pairs there are.
"""

from matching.models import PairMember


def _members_with_users():
    return PairMember.objects.select_related("user")
