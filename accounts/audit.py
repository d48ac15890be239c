"""The audit log: reading it (coordinators, per organization) and recording the security events
that no service writes: logins, failed logins and denied cross-organization access.

Every other entry comes from the services themselves (`accounts.services.audit`).

Logins are organization-less, but the log is read per organization. A login is recorded as one
`login.succeeded` row per organization the user belongs to (one `bulk_create`), so reading the
log stays a plain `organization = X` query on its index; a user in no organization gets one row
with organization=None, which only administrators see. A failed login for an existing account
is recorded the same way (`login.failed` with the address tried and the IP, never the
password) with the account as the actor: the log reads "someone failed to log in as this
person". A failed login for an unknown address has neither actor nor organization.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .dates import date_window
from .models import AuditEvent, Membership, Organization, User

PAGE_SIZE = 50
PATH_LENGTH = 500  # longest request path kept in an `access.denied` event

# Suggestions for the action filter, which matches any prefix.
ACTION_PREFIXES = (
    "access.",
    "account.",
    "checkin.",
    "cohort.",
    "contract.",
    "contracts.export_",
    "invitation.",
    "login.",
    "matching.",
    "meeting.",
    "membership.",
    "pair.",
    "partner_request.",
    "profile.",
    "program.",
    "reminder.",
    "tag.",
)

# Plain words for the events people look for most; the rest show their action name.
ACTION_LABELS = {
    "login.succeeded": gettext_lazy("Logged in"),
    "login.failed": gettext_lazy("Failed login"),
    "access.denied": gettext_lazy("Denied access (not a member of this organization)"),
    "account.deleted": gettext_lazy("Account deleted"),
    "invitation.sent": gettext_lazy("Invitations sent"),
    "invitation.accepted": gettext_lazy("Invitation accepted"),
    "invitation.declined": gettext_lazy("Invitation declined"),
    "reminder.program_message_queued": gettext_lazy("Message to members sent"),
    "matching.run_started": gettext_lazy("Matching started"),
    "matching.published": gettext_lazy("Matching published"),
    "pair.locked": gettext_lazy("Pair locked"),
    "pair.forbidden": gettext_lazy("Pair forbidden"),
    "cohort.updated": gettext_lazy("Cohort changed"),
    "contracts.export_requested": gettext_lazy("Contracts export requested"),
}


# Reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""  # a prefix: "invitation." or "pair.locked"
    actor: str = ""  # part of the actor's email address
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None  # inclusive


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the current time zone."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def organization_audit_events(
    *, organization: Organization, filters: AuditFilters | None = None
) -> QuerySet[AuditEvent]:
    """The organization's audit events, newest first, with their actors (one query a page)."""
    filters = filters or AuditFilters()
    events = AuditEvent.objects.for_organization(organization).select_related("actor")
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.actor:
        events = events.filter(actor__email__icontains=filters.actor)
    # Bounded by the date window (the form refuses dates outside it), so that the day after
    # `date_to` and midnight in UTC always exist.
    earliest, latest = date_window()
    if filters.date_from:
        date_from = min(max(filters.date_from, earliest), latest)
        events = events.filter(created_at__gte=_start_of(date_from))
    if filters.date_to:
        date_to = min(max(filters.date_to, earliest), latest)
        events = events.filter(created_at__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return events.order_by("-created_at", "-pk")


# Keys whose plain capitalisation would read wrongly.
KEY_LABELS = {"ip": "IP", "sha256": "SHA-256", "url": "URL"}


def _label(key: str) -> str:
    return KEY_LABELS.get(key) or key.replace("_", " ").capitalize()


def _readable(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_readable(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{_label(str(key))}: {_readable(item)}" for key, item in value.items())
    return str(value)


def event_details(data: dict) -> list[tuple[str, str]]:
    """An event's data as (label, value) lines: {"emails": [a, b]} -> [("Emails", "a, b")]."""
    if not isinstance(data, dict):
        return [(_("Data"), _readable(data))]
    return [(_label(str(key)), _readable(value)) for key, value in data.items()]


def describe_events(events: Iterable[AuditEvent]) -> None:
    """Set `label` and `details` on each event, for the log's template (no queries)."""
    for event in events:
        event.label = ACTION_LABELS.get(event.action, "")
        event.details = event_details(event.data)


# Recording ------------------------------------------------------------------------------------


def _organizations_of(user: User) -> list[int]:
    return list(
        Membership.objects.filter(user=user)
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
    )


def _per_organization(*, user: User | None, actor: User | None, action: str, data: dict):
    organization_ids = _organizations_of(user) if user is not None else []
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(organization_id=organization_id, actor=actor, action=action, data=data)
            for organization_id in organization_ids or [None]
        ]
    )


@transaction.atomic
def login_succeeded_record(*, user: User, ip: str | None) -> list[AuditEvent]:
    """One `login.succeeded` per organization of the user (or one without organization)."""
    return _per_organization(user=user, actor=user, action="login.succeeded", data={"ip": ip})


@transaction.atomic
def login_failed_record(*, email: str, ip: str | None) -> list[AuditEvent]:
    """A failed login: for an existing account, one row per organization of the account, with
    the account as the actor; for an unknown address one row without organization or actor.
    The password is never passed here."""
    email = (email or "").strip().lower()[:254]
    account = User.objects.filter(email__iexact=email).first() if email else None
    return _per_organization(
        user=account, actor=account, action="login.failed", data={"email": email, "ip": ip}
    )


def access_denied_record(
    *, organization_id: int, actor: User, path: str, method: str
) -> AuditEvent:
    """Someone logged in asked for a page of an organization they don't belong to. One insert;
    not atomic on purpose: callers run outside transactions, so the row stays although the
    request ends in a 404."""
    return AuditEvent.objects.create(
        organization_id=organization_id,
        actor=actor,
        action="access.denied",
        data={"path": path[:PATH_LENGTH], "method": method},
    )
