"""Writes for accounts, organizations, cohorts and invitations.

Every function here is keyword-only, runs in a transaction, validates before it writes and
records who did it in the audit log.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import tasks
from .dates import validate_date_in_window
from .emails import send_templated_email
from .lifecycle import cohort_allows, cohort_lock_allowing
from .models import (
    AuditEvent,
    Cohort,
    Enrolment,
    Invitation,
    Membership,
    Organization,
    OutgoingEmailDay,
    Program,
    User,
)
from .signals import invitation_accepted
from .slugs import ascii_slug

INVITATION_SALT = "peermentor.invitation"


def audit(*, organization, actor, action: str, **data) -> AuditEvent:
    return AuditEvent.objects.create(
        organization=organization, actor=actor, action=action, data=data
    )


def unique_slug(*, model, value: str, scope: dict | None = None, max_length: int = 60) -> str:
    """A slug for `value` that no row of `model` (within `scope`) has yet."""
    base = ascii_slug(value)[: max_length - 5].strip("-") or "item"
    candidate, suffix = base, 2
    rows = model.objects.filter(**(scope or {}))
    while rows.filter(slug=candidate).exists():
        candidate = f"{base}-{suffix}"
        suffix += 1
    return candidate


@transaction.atomic
def organization_create(*, user: User, name: str, slug: str = "") -> Organization:
    """Create an organization; its creator becomes its first coordinator."""
    organization = Organization(
        name=name.strip(), slug=slug or unique_slug(model=Organization, value=name)
    )
    organization.full_clean()
    organization.save()
    Membership.objects.create(
        organization=organization, user=user, role=Membership.Role.COORDINATOR
    )
    audit(organization=organization, actor=user, action="organization.created", name=name)
    return organization


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, actor: User) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
    if membership.role == role:
        return membership
    # Lock the organization's coordinators so that two coordinators demoting each other at
    # the same moment cannot leave the organization with none.
    coordinators = list(
        Membership.objects.select_for_update()
        .filter(organization=membership.organization, role=Membership.Role.COORDINATOR)
        .values_list("pk", flat=True)
    )
    if membership.is_coordinator and coordinators == [membership.pk]:
        raise ValidationError(_("An organization needs at least one coordinator."))
    membership.role = role
    membership.save(update_fields=["role"])
    audit(
        organization=membership.organization,
        actor=actor,
        action="membership.role_changed",
        user=membership.user.email,
        role=role,
    )
    return membership


@transaction.atomic
def program_create(
    *, organization: Organization, actor: User, name: str, description: str = ""
) -> Program:
    program = Program(organization=organization, name=name.strip(), description=description)
    program.full_clean()
    program.save()
    audit(organization=organization, actor=actor, action="program.created", program=program.pk)
    return program


@transaction.atomic
def program_update(*, program: Program, actor: User, name: str, description: str) -> Program:
    program.name = name.strip()
    program.description = description
    program.full_clean()
    program.save()
    audit(
        organization=program.organization,
        actor=actor,
        action="program.updated",
        program=program.pk,
    )
    return program


def _validate_cohort(cohort: Cohort, dates=("starts_on", "ends_on")) -> None:
    """Full validation, and the date window for the `dates` given (those being set: a
    cohort from before the window existed can still move through its states)."""
    errors = {}
    for field in dates:
        try:
            validate_date_in_window(getattr(cohort, field))
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    if cohort.starts_on and cohort.ends_on and cohort.ends_on <= cohort.starts_on:
        raise ValidationError({"ends_on": _("The end date must be after the start date.")})
    cohort.full_clean()


@transaction.atomic
def cohort_create(
    *,
    program: Program,
    actor: User,
    name: str,
    starts_on,
    ends_on,
    slug: str = "",
    status: str = Cohort.Status.DRAFT,
) -> Cohort:
    organization = program.organization
    cohort = Cohort(
        organization=organization,
        program=program,
        name=name.strip(),
        slug=slug or unique_slug(model=Cohort, value=name, scope={"organization": organization}),
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )
    _validate_cohort(cohort)
    cohort.save()
    audit(organization=organization, actor=actor, action="cohort.created", cohort=cohort.pk)
    return cohort


@transaction.atomic
def cohort_update(*, cohort: Cohort, actor: User, **fields) -> Cohort:
    """Change the cohort's name, slug or dates. Its state moves only through the lifecycle."""
    if "status" in fields:
        raise TypeError(
            "A cohort's status changes through checkins lifecycle moves "
            "(checkins.oversight.lifecycle), not cohort_update"
        )
    cohort_lock_allowing(cohort=cohort, action="edit_cohort")
    return _cohort_save(cohort=cohort, actor=actor, **fields)


def cohort_status_write(*, cohort: Cohort, actor: User, status: str) -> Cohort:
    """Store a new state. Only the moves in `checkins.oversight.lifecycle` call this, with the row
    locked and the move checked; everything else reads the state through `accounts.lifecycle`."""
    return _cohort_save(cohort=cohort, actor=actor, status=status)


def _cohort_save(*, cohort: Cohort, actor: User, **fields) -> Cohort:
    changed = {}
    for name, value in fields.items():
        if getattr(cohort, name) != value:
            changed[name] = str(value)
            setattr(cohort, name, value)
    _validate_cohort(cohort, dates=[name for name in ("starts_on", "ends_on") if name in changed])
    cohort.save()
    if changed:
        audit(
            organization=cohort.organization,
            actor=actor,
            action="cohort.updated",
            cohort=cohort.pk,
            changed=changed,
        )
    return cohort


# The daily email limit ---------------------------------------------------------------------
#
# Counted: every email a coordinator's action sends to people, whatever its text: invitations
# (from the invite form or a members import), resent invitations, and program messages (the
# dashboard's bulk reminders, the closing survey request), and the messages partners write to
# each other in their pair's thread (a message the limit refuses is kept unsent). Not counted:
# what the site sends on its own schedule or to a person about their own account (meeting
# reminders, digests to the organization's coordinators, matching and contract notices,
# allauth's emails).


class EmailLimitReached(ValidationError):
    """The organization's daily email limit would be passed; nothing was sent."""


def email_quota_remaining(*, organization: Organization) -> int:
    day = timezone.now().date()
    sent = (
        OutgoingEmailDay.objects.filter(organization=organization, day=day)
        .values_list("count", flat=True)
        .first()
    )
    return max(0, settings.ORGANIZATION_DAILY_EMAIL_LIMIT - (sent or 0))


@transaction.atomic
def email_quota_take(*, organization: Organization, count: int) -> int:
    """Count `count` emails against today's limit, or raise EmailLimitReached counting none.

    Call it in the transaction that queues the emails: if that rolls back, so does the count.
    Returns how many emails the organization may still send today.
    """
    if count <= 0:
        return email_quota_remaining(organization=organization)
    limit = settings.ORGANIZATION_DAILY_EMAIL_LIMIT
    day = timezone.now().date()
    OutgoingEmailDay.objects.get_or_create(organization=organization, day=day)
    tally = OutgoingEmailDay.objects.select_for_update().get(organization=organization, day=day)
    left = max(0, limit - tally.count)
    if count > left:
        raise EmailLimitReached(
            _(
                "%(organization)s may send at most %(limit)s emails a day and has %(left)s "
                "left today; this would send %(count)s. Nothing was sent. Try again tomorrow, "
                "or send to fewer people."
            )
            % {"organization": organization.name, "limit": limit, "left": left, "count": count},
            code="email_limit",
        )
    tally.count += count
    tally.save(update_fields=["count"])
    return limit - tally.count


# Invitations -----------------------------------------------------------------------------


class InvitationError(Exception):
    """An invitation link that cannot be used; the message is shown to the visitor."""


class InvitationAlreadyAccepted(InvitationError):
    """The link was used: refused to anyone, but the person who accepted it is simply taken to
    the cohort (they submitted twice, or opened the link again)."""

    def __init__(self, message, *, invitation: Invitation):
        super().__init__(message)
        self.invitation = invitation


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "k": invitation.key}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse(
        "invitation_accept", kwargs={"token": invitation_token(invitation)}
    )


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link stands for, or InvitationError saying why it can't be used."""
    try:
        payload = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE_DAYS * 86400
        )
    except signing.SignatureExpired as error:
        raise InvitationError(
            _("This invitation has expired. Ask your coordinator to send you a new one.")
        ) from error
    except signing.BadSignature as error:
        raise InvitationError(
            _("This invitation link is not valid. Check that you copied the whole link.")
        ) from error
    invitation = (
        Invitation.objects.select_related("cohort__program", "organization", "invited_by")
        .filter(pk=payload.get("i"))
        .first()
    )
    if invitation is None:
        raise InvitationError(_("This invitation no longer exists."))
    _raise_unless_usable(invitation, key=payload.get("k"))
    _raise_unless_taking_members(invitation.cohort)
    return invitation


def _raise_unless_taking_members(cohort: Cohort) -> None:
    if not cohort_allows(cohort, "invite_members"):
        raise InvitationError(
            _("%(cohort)s is not taking new members now, so this invitation can't be used.")
            % {"cohort": cohort.name}
        )


def _raise_unless_usable(invitation: Invitation, *, key: str) -> None:
    if invitation.accepted_at:
        raise InvitationAlreadyAccepted(
            _("This invitation has already been used. Log in to see your cohort."),
            invitation=invitation,
        )
    if invitation.revoked_at:
        raise InvitationError(_("This invitation was withdrawn by the program coordinator."))
    if invitation.declined_at:
        raise InvitationError(
            _(
                "You declined this invitation. Nothing more will happen unless you are "
                "invited again."
            )
        )
    if invitation.key != key:
        raise InvitationError(
            _("A newer invitation was sent to you; please use the link in the latest email.")
        )
    if invitation.status == Invitation.Status.EXPIRED:
        raise InvitationError(
            _("This invitation has expired. Ask your coordinator to send you a new one.")
        )


def invitation_email_send(*, invitation: Invitation) -> None:
    send_templated_email(
        template="accounts/emails/invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "cohort": invitation.cohort,
            "organization": invitation.organization,
            "inviter": invitation.invited_by,
            "accept_url": invitation_url(invitation),
            "expires_at": invitation.expires_at,
        },
    )


def _queue_invitation_email(invitation: Invitation) -> None:
    transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation.pk))


@transaction.atomic
def invitations_send(
    *, cohort: Cohort, actor: User, emails: list[str]
) -> tuple[list[Invitation], list[tuple[str, str]]]:
    """Invite each address to the cohort.

    Returns the invitations sent and the addresses skipped, each with the reason. Addresses
    already enrolled or with an open invitation are skipped rather than invited twice.
    """
    cohort_lock_allowing(cohort=cohort, action="invite_members")
    sent, skipped = [], []
    seen = set()
    enrolled = set(Enrolment.objects.filter(cohort=cohort).values_list("user__email", flat=True))
    enrolled = {email.lower() for email in enrolled}
    pending = {
        email.lower()
        for email in Invitation.objects.filter(cohort=cohort)
        .pending()
        .values_list("email", flat=True)
    }
    invitations = []
    for raw in emails:
        email = raw.strip().lower()
        if not email or email in seen:
            continue
        seen.add(email)
        if email in enrolled:
            skipped.append((email, _("already a member of this cohort")))
            continue
        if email in pending:
            skipped.append((email, _("already invited (use Resend to send the link again)")))
            continue
        invitation = Invitation(
            organization=cohort.organization, cohort=cohort, email=email, invited_by=actor
        )
        invitation.full_clean()
        invitations.append(invitation)
    email_quota_take(organization=cohort.organization, count=len(invitations))
    for invitation in invitations:
        invitation.save()
        _queue_invitation_email(invitation)
        sent.append(invitation)
    if sent:
        audit(
            organization=cohort.organization,
            actor=actor,
            action="invitation.sent",
            cohort=cohort.pk,
            emails=[invitation.email for invitation in sent],
        )
    return sent, skipped


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """Send a fresh link. The old link stops working, and the expiry starts again."""
    cohort_lock_allowing(cohort=invitation.cohort_id, action="invite_members")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("Only open invitations can be resent."))
    email_quota_take(organization=invitation.organization, count=1)
    invitation.key = Invitation._meta.get_field("key").get_default()
    invitation.sent_at = timezone.now()
    invitation.send_count += 1
    invitation.save(update_fields=["key", "sent_at", "send_count"])
    _queue_invitation_email(invitation)
    audit(
        organization=invitation.organization,
        actor=actor,
        action="invitation.resent",
        email=invitation.email,
        cohort=invitation.cohort_id,
    )
    return invitation


@transaction.atomic
def invitations_from_import(
    *, cohort: Cohort, actor: User | None, people: dict[str, dict]
) -> tuple[list[Invitation], list[Invitation]]:
    """Invite people a members import names who have an account but are not members yet.

    `people` maps each address to what the file says about them; it waits on the invitation
    and is applied only if they accept (`invitation_accepted`). An address with an open
    invitation to the cohort keeps it (and its link) with the new details; the others get a
    new invitation. As many emails go out as today's email limit allows; the other new
    invitations are held, unsent (`send_count` 0), for the coordinator to resend. The import
    is never refused for the limit: a refusal that depends on how many addresses have
    accounts would tell the importer who has one. The caller holds the cohort's lock.

    Returns the invitations emailed and those held.
    """
    if not people:
        return [], []
    by_email = {
        invitation.email.lower(): invitation
        for invitation in Invitation.objects.select_for_update()
        .filter(cohort=cohort, email__in=list(people))
        .pending()
    }
    new, updated = [], []
    for email, data in people.items():
        invitation = by_email.get(email)
        if invitation is None:
            new.append(
                Invitation(
                    organization=cohort.organization,
                    cohort=cohort,
                    email=email,
                    invited_by=actor,
                    import_data=data,
                )
            )
        elif invitation.import_data != data:
            invitation.import_data = data
            updated.append(invitation)
    allowed = min(len(new), email_quota_remaining(organization=cohort.organization))
    email_quota_take(organization=cohort.organization, count=allowed)
    sent, held = new[:allowed], new[allowed:]
    for invitation in held:
        invitation.send_count = 0
    for invitation in new:
        invitation.full_clean(exclude=["invited_by"])  # none from the command line
        invitation.save()
    for invitation in sent:
        _queue_invitation_email(invitation)
    Invitation.objects.bulk_update(updated, ["import_data"])
    for action, rows in (
        ("invitation.sent", sent),
        ("invitation.held", held),
        ("invitation.updated", updated),
    ):
        if rows:
            audit(
                organization=cohort.organization,
                actor=actor,
                action=action,
                cohort=cohort.pk,
                emails=[invitation.email for invitation in rows],
                source="import",
            )
    return sent, held


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user: User | None = None) -> Invitation:
    """The invitee says no: the invitation is closed and nothing else changes.

    The signed link is the credential, so no login is needed; `user` is recorded when the
    visitor is logged in as the invitee.
    """
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _raise_unless_usable(locked, key=invitation.key)
    locked.declined_at = timezone.now()
    locked.save(update_fields=["declined_at"])
    actor = user if user and user.email.lower() == locked.email.lower() else None
    audit(
        organization=locked.organization,
        actor=actor,
        action="invitation.declined",
        email=locked.email,
        cohort=locked.cohort_id,
    )
    return locked


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("Only open invitations can be revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit(
        organization=invitation.organization,
        actor=actor,
        action="invitation.revoked",
        email=invitation.email,
        cohort=invitation.cohort_id,
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Enrolment:
    """Enrol `user` in the invitation's cohort. The link may be used once."""
    _raise_unless_taking_members(
        Cohort.objects.select_for_update(no_key=True).get(pk=invitation.cohort_id)
    )
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _raise_unless_usable(locked, key=invitation.key)
    if locked.email.lower() != user.email.lower():
        raise InvitationError(
            _(
                "This invitation was sent to %(email)s. Log out and open the link again to "
                "accept it with that address."
            )
            % {"email": locked.email}
        )
    membership, _created = Membership.objects.get_or_create(
        organization=locked.organization, user=user, defaults={"role": Membership.Role.MEMBER}
    )
    enrolment, _created = Enrolment.objects.get_or_create(cohort=locked.cohort, user=user)
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    audit(
        organization=locked.organization,
        actor=user,
        action="invitation.accepted",
        email=locked.email,
        cohort=locked.cohort_id,
    )
    invitation_accepted.send(sender=Invitation, invitation=locked, user=user)
    return enrolment


@transaction.atomic
def invitation_accept_with_new_account(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> User:
    """Create the invitee's account and enrol it.

    The link reached the invitee's inbox, so the address counts as verified.
    """
    # The locks `invitation_accept` takes, taken before the address is checked: a second
    # submit waits here and finds the invitation used, instead of failing on the unique address.
    Cohort.objects.select_for_update(no_key=True).get(pk=invitation.cohort_id)
    _raise_unless_usable(
        Invitation.objects.select_for_update().get(pk=invitation.pk), key=invitation.key
    )
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(_("An account with this address exists already. Log in first."))
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    invitation_accept(invitation=invitation, user=user)
    return user


# Email addresses -------------------------------------------------------------------------


@transaction.atomic
def email_address_verify(*, user: User, email: str) -> EmailAddress:
    """Record that `email` reached `user` (they followed a link or entered a code sent there).

    Imported accounts have no allauth address row yet; it is created, primary when the user
    has no primary address, so that no later login asks them to verify it again.
    """
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        address = EmailAddress(user=user, email=email, primary=not has_primary)
    if not address.verified or address.pk is None:
        address.verified = True
        address.save()
    return address
