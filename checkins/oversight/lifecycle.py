"""Moving a cohort between its states, and what the lifecycle page shows.

What each state allows is `accounts.lifecycle`: the rules sit in the lowest layer so that every
app's services can check them, and callers import them from there. This module adds the moves,
which need to know about pairs, profiles, meetings and reminders.

Moves (`cohort_advance`, `cohort_step_back`, `cohort_close`) lock the cohort's row, take the
state the coordinator saw (`from_status`) so that a double-click or two coordinators at once
move it one step only, and check what the next state needs (`transition_problems`). Going back
is allowed only from matching to open, and only while no pair has been published. Closing is
idempotent: closing a closed cohort changes nothing and sends nothing.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.emails import render_plain_text
from accounts.idempotency import AlreadyDone
from accounts.language import user_language
from accounts.lifecycle import (
    ACTIONS,
    BACK,
    FORWARD,
    ORDER,
    STATE_PURPOSE,
    Action,
    allowed_actions,
    next_status,
    previous_status,
    status_label,
)
from accounts.models import Cohort, Enrolment, User
from accounts.services import audit, cohort_status_write
from matching.models import Pair, PairMember
from profiles.selectors import cohort_profile_counts

from .. import reminders
from ..models import ClosingSurveyRequest, Meeting, Reminder
from ..tasks import schedule_meetings_for_signed_contracts

Status = Cohort.Status
MIN_COMPLETE_PROFILES = 2


# What a move needs and changes (for the pages) -------------------------------------------------


def transition_problems(*, cohort: Cohort, to: str) -> list[str]:
    """What stops the cohort from moving to `to` now, in words (empty: it may move)."""
    frm = cohort.status
    if to not in (FORWARD.get(frm), BACK.get(frm)):
        if frm == Status.CLOSED:
            return [_("The cohort is closed; a closed cohort stays closed.")]
        return [
            _("A cohort can't go from “%(from)s” to “%(to)s”.")
            % {"from": status_label(frm), "to": status_label(to)}
        ]
    problems = []
    if (frm, to) == (Status.OPEN, Status.MATCHING):
        complete = cohort_profile_counts(cohort=cohort)["complete"]
        if complete < MIN_COMPLETE_PROFILES:
            problems.append(
                _(
                    "Matching needs at least %(min)s members with a complete profile (a "
                    "one-year goal, an offer, a need, a language and a time zone); this cohort "
                    "has %(count)s."
                )
                % {"min": MIN_COMPLETE_PROFILES, "count": complete}
            )
    elif (frm, to) == (Status.MATCHING, Status.ACTIVE):
        if not Pair.objects.filter(cohort=cohort, status=Pair.Status.ACTIVE).exists():
            problems.append(
                _(
                    "No pair is active yet: publish the matching and wait until both partners "
                    "of at least one pair have accepted."
                )
            )
    elif (frm, to) == (Status.MATCHING, Status.OPEN):
        told = Pair.objects.filter(
            cohort=cohort, status__in=[Pair.Status.PUBLISHED, Pair.Status.ACTIVE]
        ).count()
        if told:
            problems.append(
                ngettext(
                    "%(count)s pair has already been published to its members, so the "
                    "cohort can't go back to collecting profiles.",
                    "%(count)s pairs have already been published to their members, so the "
                    "cohort can't go back to collecting profiles.",
                    told,
                )
                % {"count": told}
            )
    return problems


@dataclass(frozen=True)
class TransitionPlan:
    """A move as the confirmation page shows it."""

    from_status: str
    to_status: str
    gained: list[Action]  # actions the move allows that weren't allowed before
    lost: list[Action]  # actions allowed now that the move stops
    problems: list[str]

    @property
    def possible(self) -> bool:
        return not self.problems

    @property
    def from_label(self) -> str:
        return status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return status_label(self.to_status)


def transition_plan(*, cohort: Cohort, to: str) -> TransitionPlan:
    before, after = set(allowed_actions(cohort.status)), set(allowed_actions(to))
    return TransitionPlan(
        from_status=cohort.status,
        to_status=to,
        gained=[a for a in ACTIONS.values() if a in after - before],
        lost=[a for a in ACTIONS.values() if a in before - after],
        problems=transition_problems(cohort=cohort, to=to),
    )


@dataclass(frozen=True)
class ActionRow:
    action: Action
    allowed: list[bool]  # one per state, in ORDER

    @property
    def label(self) -> str:
        return str(self.action.label)

    @property
    def cells(self) -> list[tuple[str, bool]]:
        """(the state's name, allowed) for each state, in ORDER."""
        return [(status_label(s), ok) for s, ok in zip(ORDER, self.allowed, strict=True)]


@dataclass(frozen=True)
class LifecycleOverview:
    """Everything the lifecycle page shows."""

    status: str
    states: list[tuple[str, str, str]]  # (status, label, purpose) in ORDER
    allowed: list[Action]  # what the current state allows
    table: list[ActionRow]
    advance: TransitionPlan | None  # the next step forward, None once closed
    back: TransitionPlan | None  # the step back, only from matching

    @property
    def label(self) -> str:
        return status_label(self.status)

    @property
    def purpose(self) -> str:
        return str(STATE_PURPOSE[self.status])


def lifecycle_overview(*, cohort: Cohort) -> LifecycleOverview:
    forward, backward = next_status(cohort.status), previous_status(cohort.status)
    return LifecycleOverview(
        status=cohort.status,
        states=[(s, status_label(s), str(STATE_PURPOSE[s])) for s in ORDER],
        allowed=allowed_actions(cohort.status),
        table=[ActionRow(a, [a.allowed_in(s) for s in ORDER]) for a in ACTIONS.values()],
        advance=transition_plan(cohort=cohort, to=forward) if forward else None,
        back=transition_plan(cohort=cohort, to=backward) if backward else None,
    )


# Moving ----------------------------------------------------------------------------------------


def _locked(cohort: Cohort, from_status: str | None, leads_to: str | None = None) -> Cohort:
    """The cohort's row, locked. With `from_status` (the state the coordinator saw), a cohort
    no longer in it is refused; if it is where the move leads (`leads_to`), the move was
    already made, by a second submit or another coordinator."""
    locked = Cohort.objects.select_for_update().select_related("organization").get(pk=cohort.pk)
    if from_status and locked.status != from_status:
        message = _(
            "The cohort is already “%(status)s”: someone moved it on in the meantime. "
            "Nothing was changed."
        ) % {"status": status_label(locked.status)}
        if leads_to is not None and locked.status == leads_to:
            raise AlreadyDone(message, code="stale")
        raise ValidationError(message, code="stale")
    return locked


def _move(*, cohort: Cohort, locked: Cohort, actor: User, to: str, action: str) -> Cohort:
    problems = transition_problems(cohort=locked, to=to)
    if problems:
        raise ValidationError(problems, code="not_ready")
    frm = locked.status
    cohort_status_write(cohort=locked, actor=actor, status=to)
    audit(
        organization=locked.organization,
        actor=actor,
        action=action,
        cohort=locked.pk,
        **{"from": frm, "to": to},
    )
    cohort.status = locked.status
    if to == Status.ACTIVE:
        # Pairs may have signed while the cohort was matching: plan their meetings now rather
        # than at the next hourly run (the task is idempotent and skips what exists).
        transaction.on_commit(schedule_meetings_for_signed_contracts.delay)
    return cohort


@transaction.atomic
def cohort_advance(*, cohort: Cohort, actor: User, from_status: str | None = None) -> Cohort:
    """Move the cohort to its next state. From active, this is `cohort_close` (and returns the
    closed cohort), so that no path closes a cohort without ending its meetings."""
    locked = _locked(cohort, from_status, from_status and next_status(from_status))
    to = next_status(locked.status)
    if to is None:
        raise ValidationError(_("The cohort is closed; a closed cohort stays closed."))
    if to == Status.CLOSED:
        cohort_close(cohort=cohort, actor=actor)
        return cohort
    return _move(cohort=cohort, locked=locked, actor=actor, to=to, action="cohort.advanced")


@transaction.atomic
def cohort_step_back(*, cohort: Cohort, actor: User, from_status: str | None = None) -> Cohort:
    """Matching → open, while no pair has been published (the only way back)."""
    locked = _locked(cohort, from_status, from_status and previous_status(from_status))
    to = previous_status(locked.status)
    if to is None:
        raise ValidationError(
            _("Only a cohort in “%(matching)s” can go back (to “%(open)s”).")
            % {"matching": status_label(Status.MATCHING), "open": status_label(Status.OPEN)}
        )
    return _move(cohort=cohort, locked=locked, actor=actor, to=to, action="cohort.stepped_back")


# Closing ---------------------------------------------------------------------------------------


def _future_meetings(cohort: Cohort, now: datetime.datetime):
    return Meeting.objects.filter(
        organization_id=cohort.organization_id,
        cohort=cohort,
        status=Meeting.Status.SCHEDULED,
        starts_at__gt=now,
    )


def _open_reminders(cohort: Cohort):
    """The reminders about the cohort's meetings and pairs (and its digests) not yet sent.

    A row already taken by a send task (`sending` with `sent_at`) is left alone: its email is
    going out, and marking it cancelled would make the row lie. Coordinators' messages to the
    cohort are left alone too: they were written to go out.
    """
    about_cohort = (
        Q(cohort=cohort)
        | Q(meeting__in=Meeting.objects.filter(cohort=cohort).values("pk"))
        | Q(pair__in=Pair.objects.filter(cohort=cohort).values("pk"))
    )
    not_sent = Q(status=Reminder.Status.PENDING) | Q(
        status=Reminder.Status.SENDING, sent_at__isnull=True
    )
    return (
        Reminder.objects.filter(organization_id=cohort.organization_id)
        .filter(about_cohort, not_sent)
        .exclude(kind=Reminder.Kind.PROGRAM_MESSAGE)
    )


def survey_recipient_ids(*, cohort: Cohort) -> set[int]:
    """Members enrolled in the cohort who are partners in one of its active pairs."""
    enrolled = Enrolment.objects.filter(cohort=cohort, user=OuterRef("user"))
    return set(
        PairMember.objects.filter(
            pair__cohort=cohort, pair__status=Pair.Status.ACTIVE, user__is_active=True
        )
        .exclude(response=PairMember.Response.DECLINED)
        .filter(Exists(enrolled))
        .values_list("user_id", flat=True)
    )


@dataclass(frozen=True)
class ClosePreview:
    """What closing the cohort now would do (the confirmation page says exactly this)."""

    meetings: int  # future scheduled meetings to cancel
    pairs_with_meetings: int
    reminders: int  # reminders not yet sent to cancel
    survey_recipients: int  # members to ask for the survey
    already_asked: int  # of those, asked before (none, unless closing was interrupted)
    active_pairs: int


def cohort_close_preview(*, cohort: Cohort, now: datetime.datetime | None = None) -> ClosePreview:
    now = now or timezone.now()
    meetings = _future_meetings(cohort, now)
    recipients = survey_recipient_ids(cohort=cohort)
    return ClosePreview(
        meetings=meetings.count(),
        pairs_with_meetings=meetings.values("pair_id").distinct().count(),
        reminders=_open_reminders(cohort).count(),
        survey_recipients=len(recipients),
        already_asked=ClosingSurveyRequest.objects.filter(
            cohort=cohort, user_id__in=recipients
        ).count(),
        active_pairs=Pair.objects.filter(cohort=cohort, status=Pair.Status.ACTIVE).count(),
    )


@dataclass(frozen=True)
class CloseResult:
    meetings_cancelled: int = 0
    reminders_cancelled: int = 0
    surveys_requested: int = 0
    already_closed: bool = False


def survey_url(cohort: Cohort) -> str:
    return settings.SITE_URL + reverse(
        "closing_survey", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )


def _ask_for_survey(*, cohort: Cohort, actor: User, now: datetime.datetime) -> int:
    """Ask each survey recipient not asked yet, once: a request row and an email.

    The email goes through `reminders.program_message_queue`: a Reminder row per member, sent
    by the reminder scan with its lease, retries and at-most-once send, deduplicated per
    recipient, honouring the member's preferences and unsubscribe link. The text is rendered
    in each member's own language (one message per language).
    """
    recipients = survey_recipient_ids(cohort=cohort)
    asked = set(
        ClosingSurveyRequest.objects.filter(cohort=cohort, user_id__in=recipients).values_list(
            "user_id", flat=True
        )
    )
    new_ids = sorted(recipients - asked)
    if not new_ids:
        return 0
    ClosingSurveyRequest.objects.bulk_create(
        [
            ClosingSurveyRequest(
                organization_id=cohort.organization_id,
                cohort=cohort,
                user_id=user_id,
                requested_at=now,
            )
            for user_id in new_ids
        ],
        ignore_conflicts=True,
    )
    by_language = defaultdict(list)
    for user in User.objects.filter(pk__in=new_ids).only("pk", "language"):
        by_language[user_language(user)].append(user)
    context = {
        "cohort": cohort,
        "organization": cohort.organization,
        "survey_url": survey_url(cohort),
    }
    for language, users in sorted(by_language.items()):
        with translation.override(language):
            subject = render_plain_text("checkins/emails/closing_survey/subject.txt", context)
            body = render_plain_text("checkins/emails/closing_survey/body.txt", context)
        reminders.program_message_queue(
            cohort=cohort, recipients=users, subject=subject, body=body, actor=actor
        )
    return len(new_ids)


@transaction.atomic
def cohort_close(
    *, cohort: Cohort, actor: User, now: datetime.datetime | None = None
) -> CloseResult:
    """Close an active cohort: its future meetings are cancelled, its reminders not yet sent are
    cancelled, and each member of an active pair is asked (once) for the closing survey.

    Pairs keep their status; past meetings and check-ins stay as they are. Closing a closed
    cohort does nothing (and sends nothing). Any other state is refused.
    """
    now = now or timezone.now()
    locked = _locked(cohort, None)
    if locked.status == Status.CLOSED:
        cohort.status = locked.status
        return CloseResult(already_closed=True)
    if locked.status != Status.ACTIVE:
        raise ValidationError(
            _(
                "Only an active cohort can be closed; “%(cohort)s” is “%(status)s”. "
                "Move it forward step by step."
            )
            % {"cohort": locked.name, "status": status_label(locked.status)},
            code="not_active",
        )
    meetings = _future_meetings(locked, now).update(
        status=Meeting.Status.CANCELLED, revision=F("revision") + 1, updated_at=now
    )
    cancelled = _open_reminders(locked).update(
        status=Reminder.Status.CANCELLED, lease_until=None, last_error="The cohort was closed."
    )
    asked = _ask_for_survey(cohort=locked, actor=actor, now=now)
    cohort_status_write(cohort=locked, actor=actor, status=Status.CLOSED)
    audit(
        organization=locked.organization,
        actor=actor,
        action="cohort.closed",
        cohort=locked.pk,
        meetings_cancelled=meetings,
        reminders_cancelled=cancelled,
        surveys_requested=asked,
        **{"from": Status.ACTIVE, "to": Status.CLOSED},
    )
    cohort.status = locked.status
    return CloseResult(
        meetings_cancelled=meetings, reminders_cancelled=cancelled, surveys_requested=asked
    )
