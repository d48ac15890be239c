"""Two-factor authentication: who has it, and organizations that require it of coordinators.

The authenticators themselves (TOTP and recovery codes) are allauth's (`allauth.mfa`, pages under
`accounts/2fa/`). This module adds the organization's rule: when `require_coordinator_mfa` is
on, its coordinators reach its pages only with an active TOTP authenticator (enforced by
`accounts.middleware.CoordinatorMFAMiddleware`).
"""

from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Membership, Organization, User
from .services import audit


def user_has_totp(*, user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def coordinator_lacks_required_mfa(membership: Membership) -> bool:
    """True when the membership is a coordinator's in an organization that requires MFA and the
    user has no TOTP authenticator. A query only in that case: members' pages cost nothing."""
    if not (
        membership.role == Membership.Role.COORDINATOR
        and membership.organization.require_coordinator_mfa
    ):
        return False
    return not Authenticator.objects.filter(
        user_id=membership.user_id, type=Authenticator.Type.TOTP
    ).exists()


@transaction.atomic
def organization_set_coordinator_mfa(
    *, organization: Organization, actor: User, required: bool
) -> Organization:
    """Turn the organization's two-factor requirement for coordinators on or off.

    Only someone who uses two-factor authentication may turn it on, so that nobody locks
    themselves out of the organization by requiring what they don't have.
    """
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.require_coordinator_mfa == required:
        return organization
    if required and not user_has_totp(user=actor):
        raise ValidationError(
            _(
                "Set up two-factor authentication for your own account first: otherwise "
                "requiring it would lock you out."
            ),
            code="actor_without_mfa",
        )
    organization.require_coordinator_mfa = required
    organization.save(update_fields=["require_coordinator_mfa"])
    audit(
        organization=organization,
        actor=actor,
        action="organization.coordinator_mfa_changed",
        required=required,
    )
    return organization
