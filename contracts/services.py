"""Writes for contracts: starting one, editing a draft, locking it for signature, signing,
withdrawing a signature, and amending a signed version.

Every function here is keyword-only, runs in a transaction that first locks the contract's
row (so that two partners acting at the same moment are serialized: the last signature is
seen as the last exactly once), validates before it writes, raises ValidationError with a
message a person can act on, and records who did it in the audit log.

The lifecycle of a version: draft (partners edit) -> ready (content locked and hashed) ->
signed (every partner signed; immutable) -> superseded (a signed amendment replaced it).
While ready and unsigned it may go back to draft. Password re-authentication for signing is
not part of `contract_sign`: the sign view calls `contract_sign_reauthenticate` first, so that
the demo seed can sign through the same service.
"""

import datetime
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.emails import send_templated_email
from accounts.lifecycle import cohort_lock_allowing
from accounts.models import User
from accounts.services import audit
from matching.models import Pair
from profiles.models import validate_timezone

from . import canonical, selectors, tasks
from .models import Contract, ContractSection, Goal, Indicator, Signature, Strategy

SIGNED_MESSAGE = gettext_lazy("This contract is signed; propose an amendment instead.")
SUPERSEDED_MESSAGE = gettext_lazy(
    "This version has been replaced by an amendment; it can no longer change."
)
LOCKED_MESSAGE = gettext_lazy("This contract is locked for signature; reopen it for edits first.")

# Re-authentication before signing: this many wrong passwords within the window pause
# signing for the lockout, per user.
SIGN_PASSWORD_ATTEMPTS = 5
SIGN_PASSWORD_WINDOW_SECONDS = 15 * 60
SIGN_LOCKOUT_SECONDS = 15 * 60

MAX_ROWS_PER_GOAL = 20
USER_AGENT_LENGTH = Signature._meta.get_field("user_agent").max_length


@dataclass(frozen=True)
class StrategyInput:
    description: str
    id: int | None = None


@dataclass(frozen=True)
class IndicatorInput:
    description: str
    kind: str = Indicator.Kind.NUMBER
    target_value: Decimal | None = None
    unit: str = ""
    due_on: datetime.date | None = None
    id: int | None = None


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


# Starting ----------------------------------------------------------------------------------


@transaction.atomic
def contract_start(*, pair: Pair, actor: User) -> Contract:
    """The pair's current version; the first draft is created (pre-filled from the partners'
    profiles) when an active pair has none yet. Idempotent; only the first draft needs a
    cohort whose state allows writing contracts."""
    current = selectors.pair_current_contract(pair=pair)
    if current is not None:
        return current
    cohort_lock_allowing(cohort=pair.cohort_id, action="write_contracts")
    Pair.objects.select_for_update().filter(pk=pair.pk).first()
    current = selectors.pair_current_contract(pair=pair)
    if current is not None:
        return current
    pair = Pair.objects.select_related("organization", "cohort").get(pk=pair.pk)
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError(
            _("Your contract can start once every partner has accepted the pairing.")
        )
    if not selectors.is_pair_partner(pair=pair, user=actor):
        raise ValidationError(_("Only the partners can start their contract."))
    terms, sections = selectors.contract_prefill(pair=pair)
    contract = Contract(
        organization=pair.organization, cohort=pair.cohort, pair=pair, version=1, **terms
    )
    contract.full_clean()
    contract.save()
    for user_id, texts in sections.items():
        section = ContractSection(contract=contract, user_id=user_id, **texts)
        section.full_clean()
        section.save()
    _audit(contract, actor, "contract.started")
    return contract


# Editing a draft ---------------------------------------------------------------------------


@transaction.atomic
def contract_terms_update(
    *,
    contract: Contract,
    actor: User,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    cadence: str,
    medium: str,
    meeting_minutes: int,
    meeting_weekday: int,
    meeting_time: datetime.time | None,
    timezone: str,
    agenda: str,
    help_measure: str,
    boundaries: str,
    confidentiality: str,
) -> Contract:
    """Either partner edits the shared terms of a draft."""
    contract = _locked(contract, "write_contracts")
    _require_partner(contract, actor)
    _require_draft(contract)
    if starts_on and ends_on and ends_on <= starts_on:
        raise ValidationError(
            {"ends_on": _("The review / end date must come after the start date.")}
        )
    try:
        validate_timezone(timezone)
    except ValidationError as error:
        raise ValidationError({"timezone": error.messages}) from error
    terms = {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "cadence": cadence,
        "medium": medium,
        "meeting_minutes": meeting_minutes,
        "meeting_weekday": meeting_weekday,
        "meeting_time": meeting_time,
        "timezone": timezone,
        "agenda": agenda.strip(),
        "help_measure": help_measure.strip(),
        "boundaries": boundaries.strip(),
        "confidentiality": confidentiality.strip(),
    }
    changed = sorted(name for name, value in terms.items() if getattr(contract, name) != value)
    for name, value in terms.items():
        setattr(contract, name, value)
    contract.full_clean()
    contract.save()
    _audit(contract, actor, "contract.terms_updated", fields=changed)
    return contract


@transaction.atomic
def contract_section_update(
    *, section: ContractSection, actor: User, assets: str, needs: str, will_help_with: str
) -> ContractSection:
    """A partner edits what they bring, need and will help with, in their own section."""
    contract = _locked(section.contract, "write_contracts")
    _require_draft(contract)
    section = _own_section(contract, section, actor)
    section.assets = assets.strip()
    section.needs = needs.strip()
    section.will_help_with = will_help_with.strip()
    section.full_clean()
    section.save()
    _touch(contract)
    _audit(contract, actor, "contract.section_updated", section=section.pk)
    return section


def _clean_indicator(item: IndicatorInput) -> IndicatorInput:
    description = " ".join(item.description.split())
    if item.kind == Indicator.Kind.YES_NO:
        return IndicatorInput(
            description=description, kind=item.kind, due_on=item.due_on, id=item.id
        )
    if item.target_value is None:
        raise ValidationError(
            {
                "indicators": _(
                    "“%(indicator)s” needs a target number (with its unit), or choose yes/no."
                )
                % {"indicator": description}
            }
        )
    return IndicatorInput(
        description=description,
        kind=item.kind,
        target_value=item.target_value,
        unit=item.unit.strip(),
        due_on=item.due_on,
        id=item.id,
    )


def _sync_rows(model, goal: Goal, items, fields: Sequence[str], errors_key: str) -> None:
    """Make `goal`'s rows of `model` be `items`, in that order: rows named by id are updated,
    the others created, and rows not named any more deleted."""
    existing = {row.pk: row for row in model.objects.filter(goal=goal)}
    for position, item in enumerate(items):
        row = existing.pop(item.id, None) if item.id else None
        row = row or model(goal=goal)
        for name in fields:
            setattr(row, name, getattr(item, name))
        row.position = position
        try:
            row.full_clean()
        except ValidationError as error:
            raise ValidationError({errors_key: error.messages}) from error
        row.save()
    model.objects.filter(pk__in=existing).delete()


@transaction.atomic
def goal_save(
    *,
    section: ContractSection,
    actor: User,
    horizon: str,
    statement: str,
    strategies: Sequence[StrategyInput],
    indicators: Sequence[IndicatorInput],
    goal: Goal | None = None,
) -> Goal:
    """Add a goal to one's own section, or replace an existing goal's content: its horizon,
    statement, strategies and indicators (kept in the order given)."""
    contract = _locked(section.contract, "write_contracts")
    _require_draft(contract)
    section = _own_section(contract, section, actor)
    strategies = [
        StrategyInput(description=item.description.strip(), id=item.id)
        for item in strategies
        if item.description.strip()
    ]
    indicators = [_clean_indicator(item) for item in indicators if item.description.strip()]
    if len(strategies) > MAX_ROWS_PER_GOAL or len(indicators) > MAX_ROWS_PER_GOAL:
        raise ValidationError(
            _("A goal holds at most %(count)d strategies and %(count)d indicators.")
            % {"count": MAX_ROWS_PER_GOAL}
        )
    if goal is None:
        last = section.goals.aggregate(last=Max("position"))["last"]
        goal = Goal(section=section, position=0 if last is None else last + 1)
        action = "contract.goal_added"
    else:
        goal = Goal.objects.filter(pk=goal.pk, section=section).first()
        if goal is None:
            raise ValidationError(_("This goal is not in your section."))
        action = "contract.goal_updated"
    goal.horizon = horizon
    goal.statement = statement.strip()
    goal.full_clean()
    goal.save()
    _sync_rows(Strategy, goal, strategies, canonical.STRATEGY_FIELDS, "strategies")
    _sync_rows(Indicator, goal, indicators, canonical.INDICATOR_FIELDS, "indicators")
    _touch(contract)
    _audit(contract, actor, action, goal=goal.pk)
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal, actor: User) -> None:
    contract = _locked(goal.section.contract, "write_contracts")
    _require_draft(contract)
    section = _own_section(contract, goal.section, actor)
    deleted, _rows = Goal.objects.filter(pk=goal.pk, section=section).delete()
    if not deleted:
        raise ValidationError(_("This goal is not in your section."))
    _touch(contract)
    _audit(contract, actor, "contract.goal_deleted", goal=goal.pk)


# Locking for signature ---------------------------------------------------------------------


@transaction.atomic
def contract_mark_ready(*, contract: Contract, actor: User, notify: bool = True) -> Contract:
    """Lock a complete draft for signature and record the hash of its content."""
    contract = _locked(contract, "write_contracts")
    _require_partner(contract, actor)
    if contract.status == Contract.Status.READY:
        raise ValidationError(_("This contract is already waiting for signatures."))
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
        _email_on_commit("contract_ready", contract, actor, _partner_ids(contract) - {actor.pk})
    return contract


@transaction.atomic
def contract_reopen(*, contract: Contract, actor: User) -> Contract:
    """Back to draft while nobody has signed. The content stays; only its hash is cleared."""
    contract = _locked(contract, "write_contracts")
    _require_partner(contract, actor)
    if contract.status == Contract.Status.DRAFT:
        raise ValidationError(_("This contract is already open for edits."))
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
    if contract.signatures.filter(user=user, withdrawn_at__isnull=True).exists():
        raise ValidationError(_("You have already signed this version."))
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
            _email_on_commit("contract_signed", contract, user, partners)
    elif notify:
        _email_on_commit("contract_partner_signed", contract, user, partners - {user.pk})
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


# Amending ----------------------------------------------------------------------------------


@transaction.atomic
def contract_amend(*, contract: Contract, actor: User) -> Contract:
    """Start an amendment of a signed version: a new draft version holding a copy of all its
    content. The signed version stays in force until the amendment is signed. Starting one
    that already exists returns it."""
    contract = _locked(contract, "write_contracts")
    _require_partner(contract, actor)
    if contract.status == Contract.Status.SUPERSEDED:
        raise ValidationError(SUPERSEDED_MESSAGE)
    existing = Contract.objects.filter(previous=contract).first()
    if existing is not None:
        return existing
    if contract.status != Contract.Status.SIGNED:
        raise ValidationError(
            _("Only a signed contract can be amended; edit this version directly.")
        )
    if contract.pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("This pair is no longer active, so its contract can't change."))
    newest = Contract.objects.filter(pair=contract.pair).aggregate(v=Max("version"))["v"]
    amendment = Contract(
        organization=contract.organization,
        cohort=contract.cohort,
        pair=contract.pair,
        version=newest + 1,
        previous=contract,
        status=Contract.Status.DRAFT,
        **{name: getattr(contract, name) for name in canonical.TERMS_FIELDS},
    )
    amendment.full_clean()
    amendment.save()
    for section in selectors.contract_sections(contract=contract):
        copy = ContractSection.objects.create(
            contract=amendment,
            user_id=section.user_id,
            **{name: getattr(section, name) for name in canonical.SECTION_FIELDS},
        )
        for goal in section.goals.all():
            goal_copy = Goal.objects.create(
                section=copy,
                position=goal.position,
                **{name: getattr(goal, name) for name in canonical.GOAL_FIELDS},
            )
            Strategy.objects.bulk_create(
                Strategy(goal=goal_copy, position=row.position, description=row.description)
                for row in goal.strategies.all()
            )
            Indicator.objects.bulk_create(
                Indicator(
                    goal=goal_copy,
                    position=row.position,
                    **{name: getattr(row, name) for name in canonical.INDICATOR_FIELDS},
                )
                for row in goal.indicators.all()
            )
    _audit(amendment, actor, "contract.amendment_started", previous=contract.pk)
    return amendment


# Emails ------------------------------------------------------------------------------------


def _email_on_commit(template: str, contract: Contract, actor: User, recipient_ids) -> None:
    """Send after the commit, so nobody hears of a change that was rolled back; a failing
    mail server is logged rather than turning a saved signature into an error page."""
    transaction.on_commit(
        partial(
            contract_email_send,
            template=template,
            contract_id=contract.pk,
            actor_id=actor.pk,
            recipient_ids=sorted(recipient_ids),
        ),
        robust=True,
    )


def contract_email_send(
    *, template: str, contract_id: int, actor_id: int | None, recipient_ids: Sequence[int]
) -> None:
    """One email per recipient: `contract_ready` and `contract_partner_signed` to the partners
    of the one who acted, `contract_signed` to everyone once the last partner has signed."""
    contract = (
        Contract.objects.select_related("organization", "cohort").filter(pk=contract_id).first()
    )
    if contract is None:
        return
    users = {user.pk: user for user in User.objects.filter(pk__in=[*recipient_ids, actor_id])}
    url = settings.SITE_URL + reverse(
        "contract_detail",
        kwargs={"org_slug": contract.organization.slug, "contract_id": contract.pk},
    )
    partners = [users[pk] for pk in sorted(_partner_ids(contract)) if pk in users]
    for recipient_id in recipient_ids:
        recipient = users.get(recipient_id)
        if recipient is None:
            continue
        send_templated_email(
            template=template,
            to=[recipient.email],
            context={
                "contract": contract,
                "recipient": recipient,
                "actor": users.get(actor_id),
                "partners": [p for p in partners if p.pk != recipient_id],
                "cohort": contract.cohort,
                "organization": contract.organization,
                "contract_url": url,
            },
        )
