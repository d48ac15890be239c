"""Scheduling: `meetings_ensure_scheduled` plans a signed contract's future meetings from its
terms (`schedule.expand`), adding only the occurrences still missing, and moves the future
meetings an earlier version planned (and nobody moved or cancelled) onto an amendment's plan,
cancelling those the new plan has no room for. It also removes the untouched future meetings
beyond the plan that older versions of the scheduler left (see `_plan`). It locks the cohort,
then the pair, and plans again under the locks, so that a signing and the periodic task never
plan twice.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.lifecycle import cohort_allows, cohort_lock
from accounts.services import audit
from contracts.models import Contract
from matching.models import Pair

from .. import schedule, selectors
from ..models import Meeting
from .common import _sync_reminders

# Scheduling --------------------------------------------------------------------------------


def _plan(contract: Contract, now: datetime.datetime):
    """(occurrences still missing, meetings of earlier versions that may be replaced, ids of
    this version's untouched future meetings beyond its plan).

    The last are left by older versions of the scheduler, which planned every occurrence up
    to the end date however far away it was (thousands of meetings for a contract ending in
    2226); the plan now stops at `schedule.MAX_OCCURRENCES` and at the date window.
    """
    terms = selectors.contract_terms(contract=contract)
    replaceable = selectors.replaceable_meetings(contract=contract, now=now)
    if terms is None:
        return [], replaceable.none(), []
    occurrences = schedule.expand(terms)
    planned, beyond = set(), []
    for pk, sequence, starts_at, status, origin, updated_by_id in Meeting.objects.filter(
        contract=contract, sequence__isnull=False
    ).values_list("pk", "sequence", "starts_at", "status", "origin", "updated_by_id"):
        planned.add(sequence)
        untouched = (
            status == Meeting.Status.SCHEDULED
            and origin == Meeting.Origin.SCHEDULE
            and updated_by_id is None
        )
        if sequence >= len(occurrences) and starts_at > now and untouched:
            beyond.append(pk)
    missing = [o for o in occurrences if o.starts_at > now and o.sequence not in planned]
    return missing, replaceable, beyond


@transaction.atomic
def meetings_ensure_scheduled(
    *, contract: Contract, now: datetime.datetime | None = None
) -> list[Meeting]:
    """Make sure a signed contract's future meetings exist. Cheap when they do.

    Returns the meetings it created, moved or cancelled (empty when there was nothing to do).
    Only future meetings are planned: occurrences before `now` never took place.
    """
    now = now or timezone.now()
    if contract.status != Contract.Status.SIGNED:
        return []
    missing, replaceable, beyond = _plan(contract, now)
    if not missing and not beyond and not replaceable.exists():
        return []
    # Serialise with a concurrent call (a signing and the periodic task) and with a move of
    # the cohort: lock the cohort, then the pair, then plan again with what the other call may
    # have written. A cohort whose state doesn't allow meetings (closed) gets none.
    if not cohort_allows(cohort_lock(contract.cohort_id), "schedule_meetings"):
        return []
    pair = Pair.objects.select_for_update().get(pk=contract.pair_id)
    if pair.status != Pair.Status.ACTIVE:
        return []
    newer = Contract.objects.filter(
        pair_id=pair.pk, status=Contract.Status.SIGNED, version__gt=contract.version
    )
    if newer.exists():
        return []
    missing, replaceable, beyond = _plan(contract, now)
    old = list(replaceable.order_by("starts_at"))
    if not missing and not old and not beyond:  # a concurrent call did it while we waited
        return []
    # Their reminders go with them (cascade); they never happened and nobody touched them.
    Meeting.objects.filter(pk__in=beyond).delete()

    created, changed = [], []
    for occurrence in missing:
        if old:
            meeting = old.pop(0)
            if (meeting.starts_at, meeting.ends_at) != (occurrence.starts_at, occurrence.ends_at):
                meeting.revision += 1
            meeting.contract = contract
            meeting.sequence = occurrence.sequence
            meeting.starts_at, meeting.ends_at = occurrence.starts_at, occurrence.ends_at
            changed.append(meeting)
        else:
            created.append(
                Meeting(
                    organization_id=contract.organization_id,
                    cohort_id=contract.cohort_id,
                    pair_id=pair.pk,
                    contract=contract,
                    starts_at=occurrence.starts_at,
                    ends_at=occurrence.ends_at,
                    origin=Meeting.Origin.SCHEDULE,
                    sequence=occurrence.sequence,
                )
            )
    for meeting in old:  # the amended plan has fewer meetings
        meeting.status = Meeting.Status.CANCELLED
        meeting.revision += 1
        meeting.note = _("Replaced by the amended contract.")
        changed.append(meeting)

    for meeting in created + changed:
        # The plan guarantees the constraints (unique sequence, end after start) and the
        # database enforces them; skipping their per-row queries keeps a year of weekly
        # meetings to a handful of queries.
        meeting.full_clean(validate_constraints=False)
    Meeting.objects.bulk_create(created)
    for meeting in changed:
        meeting.save()
    for meeting in created + changed:
        _sync_reminders(meeting)
    audit(
        organization=contract.organization,
        actor=None,
        action="meetings.scheduled",
        contract=contract.pk,
        version=contract.version,
        created=len(created),
        replanned=len(changed),
        removed_beyond_plan=len(beyond),
    )
    return created + changed
