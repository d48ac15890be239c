"""Scoped lookups for matching views.

Everything is fetched within the requesting user's organization (404 otherwise); objects a
member reaches must be theirs (404 otherwise); coordinator work by a member is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import get_membership, require_coordinator

from .models import MatchRun, Pair, PartnerRequest


def _pairs():
    return Pair.objects.select_related("cohort", "organization")


def get_pair_for_member(request, org_slug, pair_id) -> Pair:
    """A pair of the organization that the requesting user is in."""
    membership = get_membership(request, org_slug)
    return get_object_or_404(
        _pairs().for_organization(membership.organization).filter(members__user=request.user),
        pk=pair_id,
    )


def get_pair_for_conversation(request, org_slug, pair_id) -> Pair:
    """A pair whose thread the requesting user may open: they are one of its members and the
    members have seen it (published, active, or ended after publication). Members of the
    organization outside the pair get a 404; its coordinators a 403, since the thread is the
    partners' alone."""
    membership = get_membership(request, org_slug)
    pair = get_object_or_404(
        _pairs()
        .for_organization(membership.organization)
        .exclude(status=Pair.Status.PROPOSED)
        .exclude(published_at__isnull=True, status=Pair.Status.DISSOLVED),
        pk=pair_id,
    )
    if not pair.members.filter(user=request.user).exists():
        if membership.is_coordinator:
            raise PermissionDenied
        raise Http404
    return pair


def get_pair_for_coordinator(request, org_slug, pair_id) -> Pair:
    membership = get_membership(request, org_slug)
    pair = get_object_or_404(_pairs().for_organization(membership.organization), pk=pair_id)
    require_coordinator(membership)
    return pair


def get_run_for_coordinator(request, org_slug, run_id) -> MatchRun:
    membership = get_membership(request, org_slug)
    run = get_object_or_404(
        MatchRun.objects.for_organization(membership.organization).select_related("cohort"),
        pk=run_id,
    )
    require_coordinator(membership)
    return run


def get_partner_request_for_member(request, org_slug, request_id) -> PartnerRequest:
    """A partner request of the organization that the requesting user sent or received."""
    membership = get_membership(request, org_slug)
    requests = PartnerRequest.objects.filter(
        Q(from_user=request.user) | Q(to_user=request.user),
        cohort__organization=membership.organization,
    ).select_related("cohort__organization", "from_user", "to_user")
    return get_object_or_404(requests, pk=request_id)
