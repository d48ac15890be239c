"""Helpers shared by the services' submodules: the messages and guards every write goes through.

`_locked` locks the contract's row (after the cohort's, whose state must allow the action)
before any write; `_require_partner` and `_require_draft` refuse what the actor or the
version's state does not allow (with `SIGNED_MESSAGE`, `SUPERSEDED_MESSAGE` or
`LOCKED_MESSAGE`, which the views show too); `_own_section` finds the actor's own section,
`_partner_ids` says who the partners are, `_touch` moves the version's "last change" and
`_audit` records who did what in the audit log, with the contract's ids.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.lifecycle import cohort_lock_allowing
from accounts.models import User
from accounts.services import audit

from ..models import Contract, ContractSection

SIGNED_MESSAGE = gettext_lazy("This contract is signed; propose an amendment instead.")
SUPERSEDED_MESSAGE = gettext_lazy(
    "This version has been replaced by an amendment; it can no longer change."
)
LOCKED_MESSAGE = gettext_lazy("This contract is locked for signature; reopen it for edits first.")

# Guards ------------------------------------------------------------------------------------


def _locked(contract: Contract, action: str | None) -> Contract:
    """The contract's row, locked. With `action`, the cohort's row is locked first and its
    state must allow the action (see accounts.lifecycle); `None` is for a second contract of a
    cohort already locked and checked in this transaction."""
    if action is not None:
        cohort_lock_allowing(cohort=contract.cohort_id, action=action)
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("organization", "cohort", "pair")
        .get(pk=contract.pk)
    )


def _partner_ids(contract: Contract) -> set[int]:
    return set(contract.sections.values_list("user_id", flat=True))


def _require_partner(contract: Contract, user: User) -> None:
    if user.pk not in _partner_ids(contract):
        raise ValidationError(_("Only the partners of this contract can do that."))


def _require_draft(contract: Contract) -> None:
    """Content changes only while the version is a draft."""
    if contract.status == Contract.Status.SIGNED:
        raise ValidationError(SIGNED_MESSAGE)
    if contract.status == Contract.Status.SUPERSEDED:
        raise ValidationError(SUPERSEDED_MESSAGE)
    if contract.status == Contract.Status.READY:
        raise ValidationError(LOCKED_MESSAGE)


def _own_section(contract: Contract, section: ContractSection, actor: User) -> ContractSection:
    section = ContractSection.objects.filter(pk=section.pk, contract=contract).first()
    if section is None or section.user_id != actor.pk:
        raise ValidationError(_("You can only edit your own section."))
    return section


def _touch(contract: Contract) -> None:
    """The version's "last change" moves when any of its parts is saved."""
    Contract.objects.filter(pk=contract.pk).update(updated_at=dj_timezone.now())


def _audit(contract: Contract, actor: User | None, action: str, **data) -> None:
    audit(
        organization=contract.organization,
        actor=actor,
        action=action,
        contract=contract.pk,
        pair=contract.pair_id,
        version=contract.version,
        **data,
    )
