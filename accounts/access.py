"""Scoped lookups for views.

Every object a view touches is fetched here, filtered by the requesting user's organization.
Anything outside it is a 404 (never a hint that it exists); role checks come after and raise
PermissionDenied.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .audit import access_denied_record
from .models import Cohort, Invitation, Membership, Organization, Program
from .selectors import user_memberships

CURRENT_ORGANIZATION_SESSION_KEY = "current_organization"


def request_memberships(request) -> list[Membership]:
    """The signed-in user's memberships with their organizations, read once per request: the
    two-factor rule, the view's access check and the organization switcher all need them."""
    memberships = getattr(request, "_memberships", None)
    if memberships is None:
        memberships = request._memberships = user_memberships(user=request.user)
    return memberships


def membership_in(request, org_slug) -> Membership | None:
    """The requesting user's membership in the organization with this slug, or None."""
    if not request.user.is_authenticated:
        return None
    return next((m for m in request_memberships(request) if m.organization.slug == org_slug), None)


def get_membership(request, org_slug) -> Membership:
    """The requesting user's membership in the organization named by the URL, or 404."""
    if not request.user.is_authenticated:
        raise Http404
    membership = membership_in(request, org_slug)
    if membership is None:
        _record_denied_access(request, org_slug)
        raise Http404
    if request.session.get(CURRENT_ORGANIZATION_SESSION_KEY) != membership.organization.slug:
        # Set only when it changes: an assignment marks the session modified, and a modified
        # session is written back (a database write) at the end of every request.
        request.session[CURRENT_ORGANIZATION_SESSION_KEY] = membership.organization.slug
    request.membership = membership
    return membership


def _record_denied_access(request, org_slug) -> None:
    """An `access.denied` event for the coordinators of the organization the URL names, when it
    exists. Only on this path (a lookup and one insert), so members' pages cost nothing more.
    Views run outside transactions (ATOMIC_REQUESTS is off), so the row is kept although the
    request ends in a 404."""
    organization_id = (
        Organization.objects.filter(slug=org_slug).values_list("pk", flat=True).first()
    )
    if organization_id is not None:
        access_denied_record(
            organization_id=organization_id,
            actor=request.user,
            path=request.path,
            method=request.method,
        )


def require_coordinator(membership: Membership) -> None:
    if not membership.can_manage_cohort:
        raise PermissionDenied


def get_coordinator_membership(request, org_slug) -> Membership:
    membership = get_membership(request, org_slug)
    require_coordinator(membership)
    return membership


def get_program_for_coordinator(request, org_slug, program_id) -> Program:
    membership = get_membership(request, org_slug)
    program = get_object_or_404(
        Program.objects.for_organization(membership.organization).select_related("organization"),
        pk=program_id,
    )
    require_coordinator(membership)
    return program


def get_cohort_for_member(request, org_slug, cohort_id) -> Cohort:
    """A cohort the user coordinates or is enrolled in."""
    membership = get_membership(request, org_slug)
    cohorts = Cohort.objects.for_organization(membership.organization).select_related(
        "organization", "program"
    )
    if not membership.is_coordinator:
        cohorts = cohorts.filter(enrolments__user=request.user)
    return get_object_or_404(cohorts, pk=cohort_id)


def get_cohort_for_coordinator(request, org_slug, cohort_id) -> Cohort:
    membership = get_membership(request, org_slug)
    cohort = get_object_or_404(
        Cohort.objects.for_organization(membership.organization).select_related(
            "organization", "program"
        ),
        pk=cohort_id,
    )
    require_coordinator(membership)
    return cohort


def get_invitation_for_coordinator(request, org_slug, invitation_id) -> Invitation:
    membership = get_membership(request, org_slug)
    invitation = get_object_or_404(
        Invitation.objects.for_organization(membership.organization).select_related(
            "cohort", "organization"
        ),
        pk=invitation_id,
    )
    require_coordinator(membership)
    return invitation


def get_membership_in(organization, membership_id) -> Membership:
    return get_object_or_404(
        Membership.objects.filter(organization=organization).select_related("user"),
        pk=membership_id,
    )
