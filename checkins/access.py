"""Scoped lookups for the meetings and check-in views.

A pair and its meetings belong to its partners. The organization's coordinators may look
(read-only: a write is a 403) but never at what the partners wrote in their check-ins; anyone
else, members of the organization included, gets a 404, as do objects of other organizations.
A check-in's thread of replies is the partners' alone: everyone else gets a 404, coordinators
included.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import get_membership
from matching.models import Pair

from .models import CalendarFeed, CheckIn, Meeting


def _with_role(request, membership, rows, object_id, *, pair_id_of):
    """(row, is_partner) for a row of the organization the user may see, or 404."""
    found = get_object_or_404(rows.for_organization(membership.organization), pk=object_id)
    is_partner = Pair.objects.filter(pk=pair_id_of(found), members__user=request.user).exists()
    if not is_partner and not membership.is_coordinator:
        raise Http404
    return found, is_partner


def _pk(pair):
    return pair.pk


def _pair_id(meeting):
    return meeting.pair_id


# The cohort's organization too: the pages link to the cohort (Cohort.get_absolute_url).
def _pairs():
    return Pair.objects.select_related("cohort__organization", "organization")


def _meetings():
    return Meeting.objects.select_related(
        "pair", "cohort__organization", "organization", "contract"
    )


def get_pair_for_viewer(request, org_slug, pair_id) -> tuple[Pair, bool]:
    """The pair and whether the user is one of its partners (else a coordinator)."""
    membership = get_membership(request, org_slug)
    return _with_role(request, membership, _pairs(), pair_id, pair_id_of=_pk)


def get_pair_for_partner(request, org_slug, pair_id) -> Pair:
    membership = get_membership(request, org_slug)
    pair, is_partner = _with_role(request, membership, _pairs(), pair_id, pair_id_of=_pk)
    if not is_partner:
        raise PermissionDenied
    return pair


def get_meeting_for_viewer(request, org_slug, meeting_id) -> tuple[Meeting, bool]:
    membership = get_membership(request, org_slug)
    return _with_role(request, membership, _meetings(), meeting_id, pair_id_of=_pair_id)


def get_meeting_for_partner(request, org_slug, meeting_id) -> Meeting:
    membership = get_membership(request, org_slug)
    meeting, is_partner = _with_role(
        request, membership, _meetings(), meeting_id, pair_id_of=_pair_id
    )
    if not is_partner:
        raise PermissionDenied
    return meeting


def get_checkin_for_partner(request, org_slug, checkin_id) -> CheckIn:
    """A check-in of one of the user's pairs in the organization; 404 for anyone else."""
    membership = get_membership(request, org_slug)
    return get_object_or_404(
        CheckIn.objects.select_related(
            "user", "meeting__pair", "meeting__organization", "meeting__cohort"
        ),
        pk=checkin_id,
        meeting__organization=membership.organization,
        meeting__pair__members__user=request.user,
    )


def get_feed_by_token(token: str) -> CalendarFeed:
    """The feed the secret token opens (no login: the token is the credential), or 404."""
    return get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
