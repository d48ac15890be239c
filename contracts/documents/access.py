"""Scoped lookups for the contract document views.

As in `accounts.access`: anything outside the requesting user's organization is a 404; inside
it, a contract's PDF is for its partners and the organization's coordinators (anyone else: 404,
never a hint that it exists); coordinator work by a member is a 403.
"""

from django.shortcuts import get_object_or_404

from accounts.access import get_membership, require_coordinator
from accounts.models import Membership
from matching.models import PairMember

from ..models import Contract, ContractExport


def get_contract_for_document(request, org_slug, contract_id) -> Contract:
    """A contract of the organization whose pair the user is in, or any one for coordinators."""
    membership = get_membership(request, org_slug)
    contracts = Contract.objects.for_organization(membership.organization).select_related(
        "organization", "cohort"
    )
    if not membership.is_coordinator:
        contracts = contracts.filter(pair__members__user=request.user)
    return get_object_or_404(contracts, pk=contract_id)


def get_export_for_coordinator(request, org_slug, export_id) -> ContractExport:
    membership = get_membership(request, org_slug)
    export = get_object_or_404(
        ContractExport.objects.filter(organization=membership.organization).select_related(
            "organization", "cohort__organization", "requested_by"
        ),
        pk=export_id,
    )
    require_coordinator(membership)
    return export


def contracts_visible_to(user, contracts) -> set[int]:
    """Ids of the contracts whose content and partners `user` may see: their own pair's, and
    every contract of an organization they coordinate."""
    if not user.is_authenticated or not contracts:
        return set()
    coordinated = set(
        Membership.objects.filter(
            user=user,
            role=Membership.Role.COORDINATOR,
            organization_id__in={contract.organization_id for contract in contracts},
        ).values_list("organization_id", flat=True)
    )
    own_pairs = set(
        PairMember.objects.filter(
            user=user, pair_id__in={contract.pair_id for contract in contracts}
        ).values_list("pair_id", flat=True)
    )
    return {
        contract.pk
        for contract in contracts
        if contract.organization_id in coordinated or contract.pair_id in own_pairs
    }
