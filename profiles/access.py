"""Scoped lookups for the profile and taxonomy views.

Like `accounts.access`: anything outside the requesting user's organization (or, for people,
outside what they may see) is a 404; role checks come after and raise PermissionDenied.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import get_membership, require_coordinator
from accounts.models import Enrolment, Membership

from .models import Tag


def _membership_of(organization, user_id) -> Membership:
    return get_object_or_404(
        Membership.objects.filter(organization=organization).select_related("user"),
        user_id=user_id,
    )


def get_person_for_viewer(request, org_slug, user_id) -> Membership:
    """The membership of a person whose profile the requesting user may see.

    Coordinators see everyone in their organization, members themselves and the people they
    share a cohort with; anyone else is a 404, so a profile's existence is never disclosed.
    """
    viewer = get_membership(request, org_slug)
    person = _membership_of(viewer.organization, user_id)
    if viewer.is_coordinator or person.user_id == request.user.pk:
        return person
    shares_cohort = Enrolment.objects.filter(
        user_id=person.user_id,
        cohort__organization=viewer.organization,
        cohort__enrolments__user=request.user,
    ).exists()
    if not shares_cohort:
        raise Http404
    return person


def get_person_for_coordinator(request, org_slug, user_id) -> Membership:
    """A person of the coordinator's organization (404 otherwise; 403 for members)."""
    viewer = get_membership(request, org_slug)
    person = _membership_of(viewer.organization, user_id)
    require_coordinator(viewer)
    return person


def get_tag_for_coordinator(request, org_slug, tag_id) -> Tag:
    membership = get_membership(request, org_slug)
    tag = get_object_or_404(
        Tag.objects.for_organization(membership.organization).select_related(
            "organization", "merged_into"
        ),
        pk=tag_id,
    )
    require_coordinator(membership)
    return tag
