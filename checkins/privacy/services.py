"""A member's own data: download all of it (`member_data_export`), or delete the account
(`member_account_delete`).

This lives in the top app because a person's data spans every layer.

Deleting an account
-------------------
The User row is anonymised and deactivated, not deleted. Signed contracts must stay readable
for the partner exactly as they were signed, and `ContractSection.user` protects the row
(on_delete=PROTECT) for that reason. So deletion:

1. keeps every contract version all partners signed (current or superseded): the member's
   section as signed, the signatures with the name typed when signing, and the signed PDF,
   which is made now if it wasn't stored yet, so that it shows the names as they were;
2. empties the member's part of versions never signed by everyone (drafts and versions
   waiting for signatures): goals, strategies, indicators and the three texts go, and such a
   version goes back to draft with every signature on it withdrawn, since what was signed is
   no longer there. Nothing of what the member wrote survives outside signed versions;
3. dissolves the member's current pairs (proposed, awaiting answers or active), so the partner
   can be matched again, takes their name out of their pairs' stored explanations ("a former
   member" instead), and cancels their future meetings and the reminders of those meetings;
   past meetings stay with the partner's check-ins. The member's pair memberships
   stay (without a decline reason) as the pairs' history: they are how the partner's pair and
   contract pages know who the partner was;
4. deletes every other row that deleting the user would delete (`on_delete=CASCADE`): profiles
   with offers and needs, memberships, enrolments, check-ins with their progress, indicator
   values and next steps, next steps they own, notification preferences, the calendar feed,
   reminders, partner requests, matching rules and notes that name them, email addresses and
   two-factor devices. Rows that merely point at them (`SET_NULL`: audit entries, signatures,
   meetings they moved, invitations they sent) keep pointing at the anonymised row;
5. revokes pending invitations to their address and replaces the address wherever it was
   stored: on invitations and in audit entries (IP addresses of their logins are dropped);
6. anonymises the row: email `deleted-<id>@invalid`, no names, an unusable password,
   inactive, no staff rights. Their sessions stop working (the session hash follows the
   password) and logging in with the old address fails like any unknown address.

An organization must keep a coordinator: its only coordinator can't delete their account
until they make someone else one.
"""

import io
import json
import re
import zipfile

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.language import user_language
from accounts.models import AuditEvent, Invitation, Organization, User
from accounts.models import anonymous_email as accounts_anonymous_email
from accounts.services import audit
from accounts.slugs import ascii_slug
from contracts.documents import contract_document_ensure, contract_pdf_for_download
from contracts.documents import is_signed_version as contract_is_signed
from contracts.models import Contract, ContractSection, Goal, Signature
from matching.models import Pair, PairMember

from .. import reminders
from ..models import Meeting, PartnershipEnding
from . import selectors
from .selectors import CURRENT_PAIR_STATUSES, UNSIGNED_STATUSES

# Rows that deleting the user would delete (CASCADE) but that deletion keeps, and why. Every
# other CASCADE reference to a user, in any installed app, is deleted with the account.
KEPT_ON_DELETE = {
    ("matching.PairMember", "user"): (
        "the pair's history: the partner's pair and contract pages list both partners"
    ),
}


def anonymous_email(user: User) -> str:
    return accounts_anonymous_email(user.pk)


# Export: the service --------------------------------------------------------------------------


@transaction.atomic
def member_data_export(*, user: User) -> bytes:
    """A ZIP of `data.json` (everything about the member) and the signed PDF of every contract
    version they signed with their partners. Signed PDFs not stored yet are made and stored."""
    pdfs: dict[int, tuple[str, bytes]] = {}
    for section in ContractSection.objects.filter(user=user).select_related(
        "contract__organization"
    ):
        contract = section.contract
        if contract_is_signed(contract):
            pdf, filename = contract_pdf_for_download(contract=contract)
            path = f"contracts/{ascii_slug(contract.organization.slug)}-{contract.pk}-{filename}"
            pdfs[contract.pk] = (path, pdf)
    data = selectors.member_data(
        user=user, pdf_paths={pk: path for pk, (path, _pdf) in pdfs.items()}
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        for path, pdf in pdfs.values():
            # PDFs are compressed already.
            archive.writestr(path, pdf, compress_type=zipfile.ZIP_STORED)
    audit(organization=None, actor=user, action="account.data_exported", contracts=len(pdfs))
    return buffer.getvalue()


# Deletion ---------------------------------------------------------------------------------


def _user_references():
    """(model, field) of every concrete foreign key to the user model, in every app."""
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if (
                isinstance(model_field, models.ForeignKey)
                and model_field.remote_field.model is User
            ):
                yield model, model_field


def _keep_contracts(user: User, now) -> tuple[list[Contract], list[Contract]]:
    """(signed versions kept as signed, unsigned versions emptied of the member's part)."""
    contracts = list(Contract.objects.filter(sections__user=user).select_related("organization"))
    signed = [c for c in contracts if contract_is_signed(c)]
    unsigned = [c for c in contracts if c.status in UNSIGNED_STATUSES]
    for contract in signed:
        # Made now, while the names are the ones signed, if no one has downloaded it yet.
        contract_document_ensure(contract=contract)
    unsigned_ids = [c.pk for c in unsigned]
    Goal.objects.filter(section__user=user, section__contract_id__in=unsigned_ids).delete()
    ContractSection.objects.filter(user=user, contract_id__in=unsigned_ids).update(
        assets="", needs="", will_help_with=""
    )
    Signature.objects.filter(contract_id__in=unsigned_ids, withdrawn_at__isnull=True).update(
        withdrawn_at=now
    )
    Contract.objects.filter(pk__in=unsigned_ids).update(
        status=Contract.Status.DRAFT, content_hash="", ready_at=None, updated_at=now
    )
    return signed, unsigned


def _dissolve_pairs(user: User, now) -> tuple[list[Pair], list[Meeting]]:
    pairs = list(Pair.objects.filter(members__user=user, status__in=CURRENT_PAIR_STATUSES))
    Pair.objects.filter(pk__in=[p.pk for p in pairs]).update(status=Pair.Status.DISSOLVED)
    PairMember.objects.filter(user=user).update(decline_reason="")
    PartnershipEnding.objects.filter(ended_by=user).update(note="")
    meetings = list(
        Meeting.objects.filter(pair__in=pairs, status=Meeting.Status.SCHEDULED, starts_at__gt=now)
    )
    note = _("Cancelled: a partner left PeerMentor.")
    for meeting in meetings:
        meeting.status = Meeting.Status.CANCELLED
        meeting.revision += 1
        meeting.note = note
        meeting.updated_at = now
    if meetings:
        Meeting.objects.bulk_update(meetings, ["status", "revision", "note", "updated_at"])
        reminders.reminders_sync_for_meetings(meetings=meetings)
    return pairs, meetings


def _name_pattern(name: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


def _scrub_explanations(user: User) -> None:
    """Take the member's name out of the stored explanations of their pairs ("Ana offers …,
    which Ben needs"): they say "a former member" instead, in the language the explanation
    was written in (that of the coordinator who ran the matching, else the site's)."""
    names = {user.display_name, user.get_full_name(), user.email} - {""}
    patterns = [_name_pattern(name) for name in sorted(names, key=len, reverse=True)]
    pairs = list(
        Pair.objects.filter(members__user=user)
        .exclude(explanation="")
        .select_related("run__started_by")
        .distinct()
    )
    for pair in pairs:
        starter = pair.run.started_by if pair.run else None
        with translation.override(user_language(starter) if starter else settings.LANGUAGE_CODE):
            former = _("a former member")
        text = pair.explanation
        for pattern in patterns:
            text = pattern.sub(former, text)
        # A sentence that now starts with the replacement starts with a capital letter.
        pair.explanation = re.sub(
            rf"(^|[.!?]\s+){re.escape(former)}",
            lambda match, former=former: match.group(1) + capfirst(former),
            text,
        )
    Pair.objects.bulk_update(pairs, ["explanation"])


def _delete_personal_rows(user: User) -> None:
    """Every row that deleting the user would delete, except those KEPT_ON_DELETE."""
    for model, model_field in _user_references():
        if model_field.remote_field.on_delete is not models.CASCADE:
            continue
        if (model._meta.label, model_field.name) in KEPT_ON_DELETE:
            continue
        model._default_manager.filter(**{model_field.name: user}).delete()
    user.groups.clear()
    user.user_permissions.clear()


def _replace_address(value, old: str, new: str):
    if isinstance(value, str):
        return new if value.lower() == old else value
    if isinstance(value, list):
        return [_replace_address(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: _replace_address(item, old, new) for key, item in value.items()}
    return value


def _forget_address(user: User, old: str, new: str, organization_ids, now) -> None:
    """Replace the member's address on invitations and in audit entries; drop the IP addresses
    of their logins."""
    Invitation.objects.filter(email__iexact=old).pending().update(revoked_at=now)
    Invitation.objects.filter(email__iexact=old).update(email=new)
    logins = Q(actor=user, action__startswith="login.")
    naming = Q(data__icontains=old) & (
        Q(organization_id__in=organization_ids) | Q(organization__isnull=True)
    )
    changed = []
    for event in AuditEvent.objects.filter(logins | naming):
        data = _replace_address(event.data, old, new)
        own_login = event.actor_id == user.pk and event.action.startswith("login.")
        if own_login and isinstance(data, dict) and data.get("ip"):
            data = {**data, "ip": None}
        if data != event.data:
            event.data = data
            changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["data"])


def _anonymise(user: User) -> None:
    user.email = anonymous_email(user)
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()


@transaction.atomic
def member_account_delete(*, user: User, actor: User) -> User:
    """Delete the member's account as the module's docstring describes; returns the anonymised
    row. Refused while they are the only coordinator of an organization."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active and user.email == anonymous_email(user):
        raise ValidationError(_("This account has already been deleted."))
    blocking = selectors.only_coordinator_of(user)
    if blocking:
        raise ValidationError(
            _(
                "You are the only coordinator of %(names)s. Make someone else a coordinator "
                "there first, so the organization isn't left without one."
            )
            % {"names": ", ".join(organization.name for organization in blocking)}
        )
    now = timezone.now()
    organizations = list(Organization.objects.for_user(user).order_by("pk"))
    old_email = user.email.lower()

    signed, unsigned = _keep_contracts(user, now)
    pairs, meetings = _dissolve_pairs(user, now)
    _scrub_explanations(user)
    _delete_personal_rows(user)
    _forget_address(user, old_email, anonymous_email(user), [o.pk for o in organizations], now)
    _anonymise(user)

    def ids_in(rows, organization):
        return [row.pk for row in rows if organization and row.organization_id == organization.pk]

    for organization in organizations or [None]:
        audit(
            organization=organization,
            actor=actor,
            action="account.deleted",
            user=user.pk,
            signed_contracts_kept=ids_in(signed, organization),
            drafts_emptied=ids_in(unsigned, organization),
            pairs_dissolved=ids_in(pairs, organization),
            meetings_cancelled=len(ids_in(meetings, organization)),
        )
    return user
