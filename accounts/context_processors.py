from .access import CURRENT_ORGANIZATION_SESSION_KEY, request_memberships


def organizations(request):
    """The signed-in user's organizations for the switcher, and the one in use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = request_memberships(request)
    current_slug = getattr(request, "resolver_match", None) and request.resolver_match.kwargs.get(
        "org_slug"
    )
    current_slug = current_slug or request.session.get(CURRENT_ORGANIZATION_SESSION_KEY)
    current = next((m for m in memberships if m.organization.slug == current_slug), None)
    return {
        "user_memberships": memberships,
        "current_membership": current,
        "current_organization": current.organization if current else None,
    }
