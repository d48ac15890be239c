"""Reads for contracts: a pair's versions, one version with its content, what a viewer may do
with it, what it still lacks before signature, and the coordinators' overview of a cohort."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.lifecycle import cohort_allows, refusal_message
from accounts.models import Cohort, User
from matching.models import Pair, PairMember
from profiles.models import LEVEL_LABELS, Need, Offer, Profile

from .dates import CONTRACT_MAX_SPAN_DAYS, contract_dates_errors
from .models import Contract, ContractSection, Goal, Indicator, Signature, Strategy

# A version that no longer changes: what partners agreed on.
FINAL_STATUSES = (Contract.Status.SIGNED, Contract.Status.SUPERSEDED)


# A pair's versions ---------------------------------------------------------------------------


def pair_versions(*, pair: Pair) -> QuerySet[Contract]:
    return Contract.objects.filter(pair=pair).order_by("version")


def pair_current_contract(*, pair: Pair) -> Contract | None:
    """The newest version: the one being written or signed (an amendment in progress is newer
    than the signed version it will replace)."""
    return Contract.objects.filter(pair=pair).order_by("-version").first()


def pair_partners(*, pair: Pair) -> list[User]:
    members = pair.members.select_related("user").order_by("user_id")
    return [member.user for member in members]


def is_pair_partner(*, pair: Pair, user: User) -> bool:
    return PairMember.objects.filter(pair=pair, user=user).exists()


# One version ---------------------------------------------------------------------------------


def contract_sections(*, contract: Contract) -> list[ContractSection]:
    """Sections in user-id order with their user, goals, strategies and indicators: four
    queries whatever the number of rows."""
    sections = (
        ContractSection.objects.filter(contract=contract)
        .select_related("user")
        .order_by("user_id")
        .prefetch_related(
            Prefetch(
                "goals", queryset=Goal.objects.select_related("serves").order_by("position", "pk")
            ),
            Prefetch("goals__strategies", queryset=Strategy.objects.order_by("position", "pk")),
            Prefetch("goals__indicators", queryset=Indicator.objects.order_by("position", "pk")),
        )
    )
    return list(sections)


def contract_signatures(*, contract: Contract) -> list[Signature]:
    """Every signature given to this version, withdrawn ones included, oldest first."""
    return list(contract.signatures.select_related("user").order_by("signed_at", "pk"))


def active_signer_ids(*, contract: Contract) -> set[int]:
    return set(
        contract.signatures.filter(withdrawn_at__isnull=True).values_list("user_id", flat=True)
    )


def section_for_user(*, contract: Contract, user: User) -> ContractSection | None:
    return contract.sections.filter(user=user).select_related("user").first()


def missing_for_signature(*, contract: Contract, sections) -> list[str]:
    """What the version still lacks before it can be marked ready, one sentence each.

    Every section needs a goal, every goal a strategy (the how) and a success indicator, and
    the shared terms need their start and review/end dates. `sections` come from
    `contract_sections` (or anything with the same prefetches).
    """
    missing = []
    for section in sections:
        name = section.user.display_name
        goals = list(section.goals.all())
        if not goals:
            missing.append(_("%(name)s's section has no goal yet.") % {"name": name})
        for goal in goals:
            goal_name = {"name": name, "goal": _short(goal.statement)}
            if not goal.strategies.all():
                missing.append(
                    _("%(name)s's goal “%(goal)s” has no strategy (the how) yet.") % goal_name
                )
            if not goal.indicators.all():
                missing.append(
                    _("%(name)s's goal “%(goal)s” has no success indicator yet.") % goal_name
                )
    if contract.starts_on is None:
        missing.append(_("The shared terms have no start date yet."))
    if contract.ends_on is None:
        missing.append(_("The shared terms have no review / end date yet."))
    date_errors = contract_dates_errors(
        cohort=contract.cohort, starts_on=contract.starts_on, ends_on=contract.ends_on
    )
    if date_errors:
        missing.append(
            _("The shared terms' dates need changing: %(problems)s")
            % {"problems": " ".join(date_errors.values())}
        )
    return missing


def _short(text: str, length: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


@dataclass(frozen=True)
class ContractViewer:
    """Who is looking at a version and which actions the page offers them."""

    is_partner: bool
    is_coordinator: bool
    has_signed: bool
    can_edit: bool
    can_mark_ready: bool
    can_reopen: bool
    can_sign: bool
    can_withdraw: bool
    can_amend: bool
    state_note: str = ""  # why the cohort's state holds back what the version's status allows


def contract_viewer(
    *, contract: Contract, user: User, is_coordinator: bool, sections, signatures, versions
) -> ContractViewer:
    """The actions the page shows; the services check the same rules again on submit."""
    is_partner = any(section.user_id == user.pk for section in sections)
    active = {s.user_id for s in signatures if s.withdrawn_at is None}
    has_signed = user.pk in active
    status = contract.status
    has_amendment = any(version.previous_id == contract.pk for version in versions)
    may_write = cohort_allows(contract.cohort, "write_contracts")
    may_sign = cohort_allows(contract.cohort, "sign_contracts")
    draft = is_partner and status == Contract.Status.DRAFT
    ready = is_partner and status == Contract.Status.READY
    amendable = (
        is_partner
        and status == Contract.Status.SIGNED
        and not has_amendment
        and contract.pair.status == Pair.Status.ACTIVE
    )
    note = ""
    if (draft or amendable or (ready and not active)) and not may_write:
        note = refusal_message(contract.cohort, "write_contracts")
    elif ready and not may_sign:
        note = refusal_message(contract.cohort, "sign_contracts")
    return ContractViewer(
        is_partner=is_partner,
        is_coordinator=is_coordinator,
        has_signed=has_signed,
        can_edit=draft and may_write,
        can_mark_ready=draft and may_write,
        can_reopen=ready and not active and may_write,
        can_sign=ready and not has_signed and may_sign,
        can_withdraw=ready and has_signed and may_sign,
        can_amend=amendable and may_write,
        state_note=note,
    )


def sections_for_display(sections, user: User) -> list[ContractSection]:
    """The viewer's own section first, then the others in name order."""
    return sorted(
        sections,
        key=lambda s: (s.user_id != user.pk, s.user.get_full_name().casefold(), s.user_id),
    )


# Pre-filling a new contract from the partners' profiles -----------------------------------


def _agreed(values):
    """The value every partner with a preference gave, or "" when they differ or none did."""
    chosen = {value for value in values if value}
    return chosen.pop() if len(chosen) == 1 else ""


def _lines(items) -> str:
    return "\n".join(f"- {item}" for item in items)


def partner_profile_goals(*, pair: Pair) -> dict[int, str]:
    """Each partner's one-year goal from their profile, by user id (partners without one are
    left out)."""
    return dict(
        Profile.objects.for_organization(pair.organization_id)
        .filter(user__in=pair_partners(pair=pair))
        .exclude(goal="")
        .values_list("user_id", "goal")
    )


def one_year_goals(*, section) -> QuerySet[Goal]:
    """The section's one-year goals: what its short-term goals may serve."""
    return Goal.objects.filter(section=section, horizon=Goal.Horizon.ONE_YEAR).order_by(
        "position", "pk"
    )


def contract_prefill(*, pair: Pair) -> tuple[dict, dict[int, dict]]:
    """Initial shared terms and, per partner's user id, their section's texts.

    Terms: start today (or on the cohort's start if later), end at the cohort's end; cadence,
    medium and time zone where the partners' profiles agree. Sections: each partner's assets
    are their profile's offers; what they need from the partner are their needs that a partner
    offers; what they will help with are the partners' needs that they offer.
    """
    partners = pair_partners(pair=pair)
    profiles = {
        profile.user_id: profile
        for profile in Profile.objects.for_organization(pair.organization_id)
        .filter(user__in=partners)
        .prefetch_related(
            Prefetch("offers", queryset=Offer.objects.select_related("tag")),
            Prefetch("needs", queryset=Need.objects.select_related("tag")),
        )
    }
    cohort = pair.cohort
    starts_on = max(timezone.localdate(), cohort.starts_on)
    ends_on = min(cohort.ends_on, starts_on + datetime.timedelta(days=CONTRACT_MAX_SPAN_DAYS))
    terms = {
        "starts_on": starts_on,
        "ends_on": ends_on if ends_on > starts_on else None,
    }
    for field in ("cadence", "medium", "timezone"):
        agreed = _agreed(getattr(profiles.get(u.pk), field, "") for u in partners)
        if agreed:
            terms[field] = agreed

    offers = {
        u.pk: {o.tag_id: o for o in profiles[u.pk].offers.all()} if u.pk in profiles else {}
        for u in partners
    }
    needs = {u.pk: list(profiles[u.pk].needs.all()) if u.pk in profiles else [] for u in partners}
    sections = {}
    for user in partners:
        others = [other for other in partners if other.pk != user.pk]
        assets = [
            f"{offer.tag.name} ({LEVEL_LABELS[offer.level]})"
            + (f": {offer.note}" if offer.note else "")
            for offer in offers[user.pk].values()
        ]
        from_partner = [
            _("%(need)s, from %(name)s") % {"need": need.tag.name, "name": other.display_name}
            for need in needs[user.pk]
            for other in others
            if need.tag_id in offers[other.pk]
        ]
        for_partner = [
            _("%(need)s, for %(name)s") % {"need": need.tag.name, "name": other.display_name}
            for other in others
            for need in needs[other.pk]
            if need.tag_id in offers[user.pk]
        ]
        sections[user.pk] = {
            "assets": _lines(assets),
            "needs": _lines(from_partner),
            "will_help_with": _lines(for_partner),
        }
    return terms, sections


# Coordinators' overview ----------------------------------------------------------------------


def cohort_contract_pairs(*, cohort: Cohort) -> QuerySet[Pair]:
    """The cohort's active pairs and any pair with a contract, each with `members` (and their
    users) and `contract_versions` (newest first, each with `active_signatures`): a constant
    number of queries per page."""
    signatures = Signature.objects.filter(withdrawn_at__isnull=True).select_related("user")
    versions = Contract.objects.order_by("-version").prefetch_related(
        Prefetch(
            "signatures", queryset=signatures.order_by("signed_at"), to_attr="active_signatures"
        )
    )
    with_contract = Contract.objects.filter(cohort=cohort).values("pair_id")
    return (
        Pair.objects.filter(cohort=cohort)
        .filter(Q(status=Pair.Status.ACTIVE) | Q(pk__in=with_contract))
        .prefetch_related(
            Prefetch("members", queryset=PairMember.objects.select_related("user")),
            Prefetch("contracts", queryset=versions, to_attr="contract_versions"),
        )
        .order_by("pk")
    )


def cohort_contract_counts(*, cohort: Cohort) -> dict[str, int]:
    """How many of the overview's pairs stand at each status of their newest version, with
    "none" for pairs that haven't started a contract: one query."""
    newest = Contract.objects.filter(pair=OuterRef("pk")).order_by("-version").values("status")
    statuses = (
        cohort_contract_pairs(cohort=cohort)
        .prefetch_related(None)
        .annotate(newest_status=Subquery(newest[:1]))
        .values_list("newest_status", flat=True)
    )
    counts = Counter(status or "none" for status in statuses)
    return {
        key: counts.get(key, 0)
        for key in ("none", *(status for status, _label in Contract.Status.choices))
    }


def contract_page(*, contract: Contract, user: User, is_coordinator: bool) -> dict:
    """Everything the contract page shows, in a fixed number of queries whatever the number
    of goals, strategies, indicators, signatures or versions."""
    sections = contract_sections(contract=contract)
    signatures = contract_signatures(contract=contract)
    versions = list(pair_versions(pair=contract.pair))
    active = {s.user_id: s for s in signatures if s.withdrawn_at is None}
    for section in sections:
        section.signature = active.get(section.user_id)
    draft = contract.status == Contract.Status.DRAFT
    return {
        "contract": contract,
        "organization": contract.organization,
        "cohort": contract.cohort,
        "sections": sections_for_display(sections, user),
        "signatures": signatures,
        "versions": versions,
        "amendment": next((v for v in versions if v.previous_id == contract.pk), None),
        "missing": missing_for_signature(contract=contract, sections=sections) if draft else [],
        "viewer": contract_viewer(
            contract=contract,
            user=user,
            is_coordinator=is_coordinator,
            sections=sections,
            signatures=signatures,
            versions=versions,
        ),
    }


def section_page(*, section: ContractSection) -> dict:
    """The section edit page: one's goals and the partners' sections beside them."""
    sections = contract_sections(contract=section.contract)
    own = next(s for s in sections if s.pk == section.pk)
    return {
        "contract": section.contract,
        "organization": section.contract.organization,
        "section": own,
        "goals": list(own.goals.all()),
        "others": [s for s in sections if s.pk != section.pk],
    }
