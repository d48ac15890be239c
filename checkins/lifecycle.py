"""A cohort's lifecycle: its states, what each allows, and the moves between them.

    draft ──▶ open ──▶ matching ──▶ active ──▶ closed
                ◀────────┘
              (back, only before anyone has been told a partner)

The states
----------
- **draft**: the coordinator sets the cohort up (name, dates, matching rules). Members can't do
  anything in it yet.
- **open** (for profiles): members are invited or imported and fill out their profiles.
- **matching**: the coordinator runs the matching, reviews and publishes it; members accept or
  decline their partner and may start drafting their contract.
- **active**: the mentoring runs: contracts are signed, meetings scheduled, check-ins logged,
  reminders sent. Members without a partner can still be re-matched.
- **closed**: it is over. Future meetings are cancelled, reminders stopped, members asked for
  the closing survey. Pairs keep their status; everything is read-only except the survey.

What each state allows (`ACTIONS`, checked with `cohort_allows(cohort, action)`):

    action            draft open matching active closed
    edit_cohort         ✓    ✓     ✓       ✓
    invite_members           ✓     ✓       ✓
    edit_profiles            ✓     ✓       ✓
    message_members          ✓     ✓       ✓
    run_matching                   ✓
    rematch_unpaired               ✓       ✓
    publish                        ✓       ✓
    answer_pairing                 ✓       ✓
    write_contracts                ✓       ✓
    sign_contracts                         ✓
    schedule_meetings                      ✓
    log_checkins                           ✓
    answer_survey                                  ✓
    export              ✓    ✓     ✓       ✓       ✓

Moves (`cohort_advance`, `cohort_step_back`, `cohort_close`) lock the cohort's row, take the
state the coordinator saw (`from_status`) so that a double-click or two coordinators at once
move it one step only, and check what the next state needs (`transition_problems`). Going back
is allowed only from matching to open, and only while no pair has been published. Closing is
idempotent: closing a closed cohort changes nothing and sends nothing.

Who may do these things is `accounts.access`'s job (coordinators); this module says *when*.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.language import user_language
from accounts.models import Cohort, Enrolment, User
from accounts.services import audit, cohort_update
from matching.models import Pair, PairMember
from profiles.selectors import cohort_profile_counts

from . import reminders
from .models import ClosingSurveyRequest, Meeting, Reminder

Status = Cohort.Status
ORDER = [Status.DRAFT, Status.OPEN, Status.MATCHING, Status.ACTIVE, Status.CLOSED]
FORWARD = {
    Status.DRAFT: Status.OPEN,
    Status.OPEN: Status.MATCHING,
    Status.MATCHING: Status.ACTIVE,
    Status.ACTIVE: Status.CLOSED,
}
BACK = {Status.MATCHING: Status.OPEN}
MIN_COMPLETE_PROFILES = 2


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # what the action is, as a phrase: "log check-ins"
    statuses: frozenset

    def allowed_in(self, status: str) -> bool:
        return status in self.statuses


def _action(name: str, label, *statuses: str) -> tuple[str, Action]:
    return name, Action(name, label, frozenset(statuses))


# The table in the module docstring, as data. Keep the two in step.
ACTIONS: dict[str, Action] = dict(
    [
        _action(
            "edit_cohort",
            gettext_lazy("change the cohort's name, dates and matching rules"),
            Status.DRAFT,
            Status.OPEN,
            Status.MATCHING,
            Status.ACTIVE,
        ),
        _action(
            "invite_members",
            gettext_lazy("invite or import members"),
            Status.OPEN,
            Status.MATCHING,
            Status.ACTIVE,
        ),
        _action(
            "edit_profiles",
            gettext_lazy("fill out and edit profiles"),
            Status.OPEN,
            Status.MATCHING,
            Status.ACTIVE,
        ),
        _action(
            "message_members",
            gettext_lazy("send messages to members"),
            Status.OPEN,
            Status.MATCHING,
            Status.ACTIVE,
        ),
        _action(
            "run_matching",
            gettext_lazy(
                "run the matching for the whole cohort, lock and forbid pairs, pair members by hand"
            ),
            Status.MATCHING,
        ),
        _action(
            "rematch_unpaired",
            gettext_lazy("re-match members left without a partner"),
            Status.MATCHING,
            Status.ACTIVE,
        ),
        _action(
            "publish",
            gettext_lazy("publish proposals to members"),
            Status.MATCHING,
            Status.ACTIVE,
        ),
        _action(
            "answer_pairing",
            gettext_lazy("accept or decline a partner, or request one"),
            Status.MATCHING,
            Status.ACTIVE,
        ),
        _action(
            "write_contracts",
            gettext_lazy("write and amend contracts"),
            Status.MATCHING,
            Status.ACTIVE,
        ),
        _action("sign_contracts", gettext_lazy("sign contracts"), Status.ACTIVE),
        _action(
            "schedule_meetings", gettext_lazy("schedule, move and cancel meetings"), Status.ACTIVE
        ),
        _action("log_checkins", gettext_lazy("log check-ins"), Status.ACTIVE),
        _action("answer_survey", gettext_lazy("answer the closing survey"), Status.CLOSED),
        _action("export", gettext_lazy("download the cohort's data"), *ORDER),
    ]
)

STATE_PURPOSE = {
    Status.DRAFT: gettext_lazy("You set the cohort up. Members can't do anything in it yet."),
    Status.OPEN: gettext_lazy("Members are invited and fill out their profiles."),
    Status.MATCHING: gettext_lazy(
        "You run, review and publish the matching; members accept or decline their partner."
    ),
    Status.ACTIVE: gettext_lazy(
        "The mentoring runs: pairs sign their contracts, meet and log check-ins."
    ),
    Status.CLOSED: gettext_lazy(
        "The cohort is over: its data is read-only and members answer the closing survey."
    ),
}


# The rules -------------------------------------------------------------------------------------


def _status_of(cohort_or_status) -> str:
    return getattr(cohort_or_status, "status", cohort_or_status)


def cohort_allows(cohort, action: str) -> bool:
    """Whether the cohort's current state allows `action` (a key of ACTIONS).

    An unknown action is a programming error, not a "no": it raises ValueError.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown cohort action {action!r}; see checkins.lifecycle.ACTIONS")
    return ACTIONS[action].allowed_in(_status_of(cohort))


def status_label(status: str) -> str:
    return str(Status(status).label)


def refusal_message(cohort: Cohort, action: str) -> str:
    """Why `action` is refused, in words a coordinator or member can act on."""
    states = [status_label(s).lower() for s in ORDER if ACTIONS[action].allowed_in(s)]
    if len(states) > 1:
        states = [", ".join(states[:-1]) + _(" or ") + states[-1]]
    return _(
        "The cohort “%(cohort)s” is %(status)s: you can %(action)s only while it is %(states)s."
    ) % {
        "cohort": cohort.name,
        "status": status_label(cohort.status).lower(),
        "action": ACTIONS[action].label,
        "states": states[0],
    }


def require_cohort_allows(*, cohort: Cohort, action: str) -> None:
    """Raise ValidationError saying why, unless the cohort's state allows `action`.

    For services: `require_cohort_allows(cohort=pair.cohort, action="log_checkins")`.
    """
    if not cohort_allows(cohort, action):
        raise ValidationError(refusal_message(cohort, action), code="cohort_state")


def allowed_actions(status: str) -> list[Action]:
    return [action for action in ACTIONS.values() if action.allowed_in(status)]


def next_status(status: str) -> str | None:
    return FORWARD.get(status)


def previous_status(status: str) -> str | None:
    """The state one may go back to from `status`: only matching → open."""
    return BACK.get(status)


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
                    "Matching needs at least %(min)s members with a complete profile "
                    "(an offer, a need, a language and a time zone); this cohort has %(count)s."
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
                _(
                    "%(count)s pair(s) have already been published to their members, so the "
                    "cohort can't go back to collecting profiles."
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


def _locked(cohort: Cohort, from_status: str | None) -> Cohort:
    locked = Cohort.objects.select_for_update().select_related("organization").get(pk=cohort.pk)
    if from_status and locked.status != from_status:
        raise ValidationError(
            _(
                "The cohort is already “%(status)s”: someone moved it on in the meantime. "
                "Nothing was changed."
            )
            % {"status": status_label(locked.status)},
            code="stale",
        )
    return locked


def _move(*, cohort: Cohort, locked: Cohort, actor: User, to: str, action: str) -> Cohort:
    problems = transition_problems(cohort=locked, to=to)
    if problems:
        raise ValidationError(problems, code="not_ready")
    frm = locked.status
    cohort_update(cohort=locked, actor=actor, status=to)
    audit(
        organization=locked.organization,
        actor=actor,
        action=action,
        cohort=locked.pk,
        **{"from": frm, "to": to},
    )
    cohort.status = locked.status
    return cohort


@transaction.atomic
def cohort_advance(*, cohort: Cohort, actor: User, from_status: str | None = None) -> Cohort:
    """Move the cohort to its next state. From active, this is `cohort_close` (and returns the
    closed cohort), so that no path closes a cohort without ending its meetings."""
    locked = _locked(cohort, from_status)
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
    locked = _locked(cohort, from_status)
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
            subject = render_to_string("emails/closing_survey/subject.txt", context)
            body = render_to_string("emails/closing_survey/body.txt", context)
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
    cohort_update(cohort=locked, actor=actor, status=Status.CLOSED)
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
