"""Scoped lookups for contract views.

A contract (and its pair) is visible to its partners and to the coordinators of its
organization; anyone else, in the organization or not, gets a 404 that says nothing about
whether it exists. Writing is for partners only: a coordinator who isn't one gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import get_membership
from matching.models import Pair, PairMember

from .models import Contract, ContractSection, Goal


def _contract_in_organization(request, org_slug, contract_id):
    membership = get_membership(request, org_slug)
    contract = get_object_or_404(
        Contract.objects.for_organization(membership.organization).select_related(
            "organization", "cohort", "pair"
        ),
        pk=contract_id,
    )
    is_partner = ContractSection.objects.filter(contract=contract, user=request.user).exists()
    return membership, contract, is_partner


def get_contract_for_viewer(request, org_slug, contract_id) -> Contract:
    """A version the requesting user may read: they are one of its partners or coordinate
    its organization."""
    membership, contract, is_partner = _contract_in_organization(request, org_slug, contract_id)
    if not (is_partner or membership.is_coordinator):
        raise Http404
    return contract


def get_contract_for_partner(request, org_slug, contract_id) -> Contract:
    """A version the requesting user may change or sign: they are one of its partners."""
    membership, contract, is_partner = _contract_in_organization(request, org_slug, contract_id)
    if is_partner:
        return contract
    if membership.is_coordinator:
        raise PermissionDenied
    raise Http404


def get_section_for_partner(request, org_slug, contract_id) -> ContractSection:
    """The requesting partner's own section of a version."""
    contract = get_contract_for_partner(request, org_slug, contract_id)
    section = ContractSection.objects.select_related("user").get(
        contract=contract, user=request.user
    )
    section.contract = contract
    return section


def get_goal_for_partner(request, org_slug, contract_id, goal_id) -> Goal:
    """A goal of the requesting partner's own section; a partner's goal is a 404 to the other
    partners (they read it on the contract page, they don't edit it)."""
    section = get_section_for_partner(request, org_slug, contract_id)
    goal = get_object_or_404(Goal.objects.filter(section=section), pk=goal_id)
    goal.section = section
    return goal


def get_pair_for_viewer(request, org_slug, pair_id) -> Pair:
    """A pair whose contract the requesting user may see: one of its members (once the pair
    has been shown to them) or a coordinator of its organization. Sets `pair.viewer_is_partner`."""
    membership = get_membership(request, org_slug)
    pair = get_object_or_404(
        Pair.objects.for_organization(membership.organization).select_related(
            "organization", "cohort"
        ),
        pk=pair_id,
    )
    pair.viewer_is_partner = (
        pair.status != Pair.Status.PROPOSED
        and PairMember.objects.filter(pair=pair, user=request.user).exists()
    )
    if not (pair.viewer_is_partner or membership.is_coordinator):
        raise Http404
    return pair
