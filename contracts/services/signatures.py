"""Locking for signature and signing: from a complete draft to a signed version.

A partner marks a complete draft ready (`contract_mark_ready` locks its content and records
its hash), or takes it back to draft while nobody has signed (`contract_reopen`). Before
signing, the sign view checks the signer's password (`contract_sign_reauthenticate`, which
pauses signing for `SIGN_LOCKOUT_SECONDS` after `SIGN_PASSWORD_ATTEMPTS` wrong passwords
within `SIGN_PASSWORD_WINDOW_SECONDS`). `contract_sign` records a partner's signature of the
hash they read; the last one makes the version signed, supersedes the version it amends,
sends `signals.contract_signed` and queues the rendering of its PDF. Until then a partner may
take their signature back (`contract_withdraw_signature`).
"""

import datetime
import ipaddress

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _

from accounts.idempotency import AlreadyDone
from accounts.models import User

from .. import canonical, selectors, tasks
from ..models import Contract, Signature
from ..signals import contract_signed
from .common import (
    SIGNED_MESSAGE,
    SUPERSEDED_MESSAGE,
    _audit,
    _locked,
    _partner_ids,
    _require_draft,
    _require_partner,
)
from .emails import _email_on_commit

# Re-authentication before signing: this many wrong passwords within the window pause
# signing for the lockout, per user.
SIGN_PASSWORD_ATTEMPTS = 5
SIGN_PASSWORD_WINDOW_SECONDS = 15 * 60
SIGN_LOCKOUT_SECONDS = 15 * 60

USER_AGENT_LENGTH = Signature._meta.get_field("user_agent").max_length


# Locking for signature ---------------------------------------------------------------------


@transaction.atomic
def contract_mark_ready(*, contract: Contract, actor: User, notify: bool = True) -> Contract:
    """Lock a complete draft for signature and record the hash of its content."""
    contract = _locked(contract, "write_contracts")
    _require_partner(contract, actor)
    if contract.status == Contract.Status.READY:
        raise AlreadyDone(_("This contract is already waiting for signatures."))
    _require_draft(contract)
    sections = selectors.contract_sections(contract=contract)
    missing = selectors.missing_for_signature(contract=contract, sections=sections)
    if missing:
        raise ValidationError(missing)
    contract.content_hash = canonical.content_hash(contract, sections)
    contract.status = Contract.Status.READY
    contract.ready_at = dj_timezone.now()
    contract.save(update_fields=["content_hash", "status", "ready_at", "updated_at"])
    _audit(contract, actor, "contract.ready", content_hash=contract.content_hash)
    if notify:
        _email_on_commit(
            "contracts/emails/contract_ready", contract, actor, _partner_ids(contract) - {actor.pk}
        )
    return contract


@transaction.atomic
def contract_reopen(*, contract: Contract, actor: User) -> Contract:
    """Back to draft while nobody has signed. The content stays; only its hash is cleared."""
    contract = _locked(contract, "write_contracts")
    _require_partner(contract, actor)
    if contract.status == Contract.Status.DRAFT:
        raise AlreadyDone(_("This contract is already open for edits."))
    _require_draft_or_ready(contract)
    if selectors.active_signer_ids(contract=contract):
        raise ValidationError(
            _(
                "Someone has already signed this version. It can be reopened for edits once "
                "every signature has been withdrawn."
            )
        )
    contract.status = Contract.Status.DRAFT
    contract.content_hash = ""
    contract.save(update_fields=["status", "content_hash", "updated_at"])
    _audit(contract, actor, "contract.reopened")
    return contract


def _require_draft_or_ready(contract: Contract) -> None:
    if contract.status == Contract.Status.SIGNED:
        raise ValidationError(SIGNED_MESSAGE)
    if contract.status == Contract.Status.SUPERSEDED:
        raise ValidationError(SUPERSEDED_MESSAGE)


# Signing -----------------------------------------------------------------------------------


def _sign_keys(user: User) -> tuple[str, str]:
    return f"contracts:sign-failures:{user.pk}", f"contracts:sign-lockout:{user.pk}"


def contract_sign_reauthenticate(*, contract: Contract, user: User, password: str) -> None:
    """Check the signer's password, refusing every attempt for a while after too many wrong
    ones. Counters live in the cache, per user. Not atomic on purpose: the lockout's audit
    entry must survive the ValidationError that follows it."""
    failures_key, lockout_key = _sign_keys(user)
    lockout_message = _(
        "Too many wrong passwords. For your safety, signing is paused for %(minutes)d "
        "minutes; please try again later."
    ) % {"minutes": SIGN_LOCKOUT_SECONDS // 60}
    if cache.get(lockout_key):
        raise ValidationError({"password": lockout_message})
    if user.check_password(password):
        cache.delete(failures_key)
        return
    if cache.add(failures_key, 1, SIGN_PASSWORD_WINDOW_SECONDS):
        failures = 1
    else:
        try:
            failures = cache.incr(failures_key)
        except ValueError:  # expired between add() and incr()
            cache.set(failures_key, 1, SIGN_PASSWORD_WINDOW_SECONDS)
            failures = 1
    if failures >= SIGN_PASSWORD_ATTEMPTS:
        cache.set(lockout_key, True, SIGN_LOCKOUT_SECONDS)
        cache.delete(failures_key)
        _audit(contract, user, "contract.sign_locked_out", failures=failures)
        raise ValidationError({"password": lockout_message})
    raise ValidationError(
        {"password": _("That password is not right. Enter the password you log in with.")}
    )


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _clean_ip(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


@transaction.atomic
def contract_sign(
    *,
    contract: Contract,
    user: User,
    typed_name: str,
    content_hash: str,
    ip: str | None = None,
    user_agent: str = "",
    notify: bool = True,
) -> Signature:
    """A partner signs the version they read (`content_hash` is the hash shown to them).

    The typed name must be the account's full name (case and spaces aside). The last
    signature makes the version signed (and the version it amends superseded) and queues the
    rendering of its PDF. The caller checks the password first (`contract_sign_reauthenticate`).
    """
    contract = _locked(contract, "sign_contracts")
    _require_partner(contract, user)
    # Before the state checks: the last signature makes the contract signed, and a second
    # submit of that signature must hear it was made, not that the contract can't be signed.
    if contract.signatures.filter(user=user, withdrawn_at__isnull=True).exists():
        raise AlreadyDone(_("You have already signed this version."))
    _require_draft_or_ready(contract)
    if contract.status != Contract.Status.READY:
        raise ValidationError(
            _("This contract is not ready for signature yet; mark it ready first.")
        )
    if content_hash != contract.content_hash:
        raise ValidationError(
            _("The contract has changed since you opened this page. Read it again, then sign.")
        )
    if canonical.content_hash(contract) != contract.content_hash:
        raise ValidationError(
            _(
                "The contract's content no longer matches what was locked for signature. "
                "Reopen it for edits and mark it ready again."
            )
        )
    account_name = user.get_full_name() or user.email
    if _name_key(typed_name) != _name_key(account_name):
        raise ValidationError(
            {
                "typed_name": _("Type your full name as it appears on your account: %(name)s.")
                % {"name": account_name}
            }
        )
    now = dj_timezone.now()
    signature = Signature(
        contract=contract,
        user=user,
        typed_name=" ".join(typed_name.split()),
        signed_at=now,
        ip=_clean_ip(ip),
        user_agent=(user_agent or "")[:USER_AGENT_LENGTH],
        content_hash=contract.content_hash,
    )
    signature.full_clean()
    signature.save()
    _audit(contract, user, "contract.signature_added", signature=signature.pk)

    partners = _partner_ids(contract)
    if partners <= selectors.active_signer_ids(contract=contract):
        _complete(contract, user, now)
        if notify:
            _email_on_commit("contracts/emails/contract_signed", contract, user, partners)
    elif notify:
        _email_on_commit(
            "contracts/emails/contract_partner_signed", contract, user, partners - {user.pk}
        )
    return signature


def _complete(contract: Contract, user: User, now: datetime.datetime) -> None:
    contract.status = Contract.Status.SIGNED
    contract.signed_at = now
    contract.save(update_fields=["status", "signed_at", "updated_at"])
    _audit(contract, user, "contract.signed", content_hash=contract.content_hash)
    if contract.previous_id:
        previous = _locked(contract.previous, None)
        previous.status = Contract.Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        _audit(previous, user, "contract.superseded", by=contract.pk)
    contract_signed.send(sender=Contract, contract=contract)
    contract_id = contract.pk
    transaction.on_commit(lambda: tasks.render_contract_document.delay(contract_id), robust=True)


@transaction.atomic
def contract_withdraw_signature(*, contract: Contract, user: User) -> Signature:
    """Take one's signature back, which is possible until the last partner signs."""
    contract = _locked(contract, "sign_contracts")
    _require_partner(contract, user)
    if contract.status in selectors.FINAL_STATUSES:
        raise ValidationError(
            _(
                "Everyone has signed, so signatures can no longer be withdrawn; propose an "
                "amendment instead."
            )
        )
    signature = (
        contract.signatures.select_for_update().filter(user=user, withdrawn_at__isnull=True).first()
    )
    if signature is None:
        raise ValidationError(
            _("You haven't signed this version, so there is nothing to withdraw.")
        )
    signature.withdrawn_at = dj_timezone.now()
    signature.save(update_fields=["withdrawn_at"])
    _audit(contract, user, "contract.signature_withdrawn", signature=signature.pk)
    return signature
