"""Program messages and coordinator digests: rows queued ahead of any meeting.
`program_message_queue` queues a coordinator's message to members of a cohort, due at once and
sent to each recipient only once (and starts a scan on commit); `coordinator_digests_queue`
makes one digest row per coordinator, cohort and ISO week, due Monday 07:00 UTC; `at_risk_pairs`
lists the pairs a digest names.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.lifecycle import cohort_lock_allowing
from accounts.models import Cohort, Membership, User
from accounts.services import audit, email_quota_take
from matching.models import Pair

from .. import selectors, tasks
from ..models import Reminder
from .common import Kind

DIGEST_HOUR = 7  # digests are due on Mondays at 07:00 UTC: the start of the coordinators' week


@transaction.atomic
def program_message_queue(
    *, cohort: Cohort, recipients: Iterable[User], subject: str, body: str, actor: User | None
) -> int:
    """Queue a coordinator's message (e.g. "complete your profile") to members of the cohort.

    Rows are due at once. A recipient gets a given message (same subject and body) only once,
    however often it is queued. Recipients must be enrolled in the cohort and members of its
    organization. The new rows count against the organization's daily email limit
    (`EmailLimitReached`, a ValidationError, and nothing queued when it would be passed), and
    each email names the coordinator and the organization (the organization alone when there is
    no actor: a management command). Returns how many new rows were queued.
    """
    cohort_lock_allowing(cohort=cohort, action="message_members")
    subject, body = " ".join(subject.split()), body.strip()
    if not subject or not body:
        raise ValidationError(_("A message needs a subject and a text."))
    if len(subject) > 200:
        raise ValidationError(_("Keep the subject under 200 characters."))
    user_ids = {user.pk for user in recipients}
    enrolled = set(cohort.enrolments.filter(user_id__in=user_ids).values_list("user", flat=True))
    # Only people who joined the organization (said yes to it) get a coordinator's text.
    members = set(
        Membership.objects.filter(
            organization_id=cohort.organization_id, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )
    if user_ids - (enrolled & members):
        raise ValidationError(_("Messages can only go to members of the cohort."))
    digest = hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest()[:24]
    key = f"program:{cohort.pk}:{digest}"
    already = set(
        Reminder.objects.filter(
            kind=Kind.PROGRAM_MESSAGE, subject_key=key, recipient_id__in=user_ids
        ).values_list("recipient_id", flat=True)
    )
    now = timezone.now()
    data = {"subject": subject, "body": body, "sender": actor.display_name if actor else ""}
    new = [
        Reminder(
            organization_id=cohort.organization_id,
            kind=Kind.PROGRAM_MESSAGE,
            recipient_id=user_id,
            subject_key=key,
            cohort=cohort,
            data=data,
            due_at=now,
        )
        for user_id in sorted(user_ids - already)
    ]
    email_quota_take(organization=cohort.organization, count=len(new))
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    audit(
        organization=cohort.organization,
        actor=actor,
        action="reminder.program_message_queued",
        cohort_id=cohort.pk,
        subject=subject,
        recipients=len(new),
    )
    if new:
        # Don't wait for the next beat tick; the scan is safe to run alongside another.
        transaction.on_commit(tasks.scan_due_reminders.delay)
    return len(new)


def _iso_week(moment: datetime) -> str:
    year, week, _weekday = moment.isocalendar()
    return f"{year}-W{week:02d}"


def digest_subject_key(cohort: Cohort, moment: datetime) -> str:
    return f"digest:{cohort.pk}:{_iso_week(moment)}"


def digest_cohorts():
    """Cohorts under way: not draft or closed, with at least one active pair."""
    return (
        Cohort.objects.exclude(status__in=[Cohort.Status.DRAFT, Cohort.Status.CLOSED])
        .filter(pairs__status=Pair.Status.ACTIVE)
        .distinct()
    )


@transaction.atomic
def coordinator_digests_queue(*, now: datetime | None = None, cohorts=None) -> int:
    """One digest row per coordinator per cohort per ISO week, due Monday 07:00 UTC.

    Run hourly by beat: the first run of a week creates the rows, later runs change nothing;
    rows created after Monday 07:00 (beat was down) are due at once. Returns rows created.
    """
    now = (now or timezone.now()).astimezone(ZoneInfo("UTC"))
    monday = now - timedelta(days=now.weekday())
    due_at = monday.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    cohorts = list(digest_cohorts() if cohorts is None else cohorts)
    coordinators = Membership.objects.filter(
        organization_id__in={cohort.organization_id for cohort in cohorts},
        role=Membership.Role.COORDINATOR,
    ).values_list("organization_id", "user_id")
    by_organization: dict[int, list[int]] = {}
    for organization_id, user_id in coordinators:
        by_organization.setdefault(organization_id, []).append(user_id)
    rows = [
        Reminder(
            organization_id=cohort.organization_id,
            kind=Kind.COORDINATOR_DIGEST,
            recipient_id=user_id,
            subject_key=digest_subject_key(cohort, now),
            cohort=cohort,
            data={"week": _iso_week(now)},
            due_at=due_at,
        )
        for cohort in cohorts
        for user_id in by_organization.get(cohort.organization_id, [])
    ]
    keys = {(row.subject_key, row.recipient_id) for row in rows}
    existing = set(
        Reminder.objects.filter(
            kind=Kind.COORDINATOR_DIGEST, subject_key__in={key for key, _user in keys}
        ).values_list("subject_key", "recipient_id")
    )
    new = [row for row in rows if (row.subject_key, row.recipient_id) not in existing]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@dataclass(frozen=True)
class AtRiskPair:
    names: list[str]
    reason: str


def at_risk_pairs(*, cohort: Cohort, now: datetime | None = None) -> list[AtRiskPair]:
    """The cohort's active pairs that `checkins.selectors` rates at risk, with the reason."""
    return [
        AtRiskPair(
            [member.user.display_name for member in row.pair.members.all()], row.health.reason
        )
        for row in selectors.cohort_pairs_with_health(cohort=cohort, now=now)
        if row.health.at_risk
    ]
