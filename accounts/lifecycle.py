"""What a cohort's state allows: the rules every app's services check before they act.

    draft ──▶ open ──▶ matching ──▶ active ──▶ closed
                ◀────────┘
              (back, only before anyone has been told a partner)

The states
----------
- **draft**: the coordinator sets the cohort up (name, dates, matching rules). Members can't do
  anything in it yet.
- **open** (for profiles): members are invited or imported and fill out their profiles.
- **matching**: the coordinator runs, reviews and publishes the matching; members accept or
  decline their partner, and the partners of an active pair write and sign their contract as
  soon as it is ready, without waiting for the rest of the cohort.
- **active**: the mentoring runs: meetings are scheduled (those of contracts signed while
  matching too), check-ins logged, reminders sent. Members without a partner can still be
  re-matched.
- **closed**: it is over. Future meetings are cancelled, reminders stopped, members asked for
  the closing survey. Pairs keep their status; everything is read-only except the survey.

What each state allows (`ACTIONS`, checked with `cohort_allows(cohort, action)`):

    action            draft open matching active closed
    edit_cohort         ✓    ✓     ✓       ✓
    invite_members           ✓     ✓       ✓
    message_members          ✓     ✓       ✓
    run_matching                   ✓
    rematch_unpaired               ✓       ✓
    review_proposals               ✓       ✓
    answer_pairing                 ✓       ✓
    write_contracts                ✓       ✓
    sign_contracts                 ✓       ✓
    schedule_meetings                      ✓
    log_checkins                           ✓
    answer_survey                                  ✓
    export              ✓    ✓     ✓       ✓       ✓

A profile belongs to the member in the organization, not to one cohort, so it can be edited in
every state; a cohort's matching reads the profiles as they are when it runs.

Services call `require_cohort_allows(cohort=..., action=...)` before they change anything, so a
refused action raises ValidationError with a sentence saying when it is possible, whatever page,
command or task asked. The moves between states live in `checkins.oversight.lifecycle` (they cancel
meetings and reminders, which this layer doesn't know about). Who may do these things is
`accounts.access`'s job; this module says *when*.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Cohort

Status = Cohort.Status
ORDER = [Status.DRAFT, Status.OPEN, Status.MATCHING, Status.ACTIVE, Status.CLOSED]
FORWARD = {
    Status.DRAFT: Status.OPEN,
    Status.OPEN: Status.MATCHING,
    Status.MATCHING: Status.ACTIVE,
    Status.ACTIVE: Status.CLOSED,
}
BACK = {Status.MATCHING: Status.OPEN}


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
            "message_members",
            gettext_lazy("send messages to members"),
            Status.OPEN,
            Status.MATCHING,
            Status.ACTIVE,
        ),
        _action(
            "run_matching",
            gettext_lazy("run the matching for the whole cohort"),
            Status.MATCHING,
        ),
        _action(
            "rematch_unpaired",
            gettext_lazy("re-match members left without a partner"),
            Status.MATCHING,
            Status.ACTIVE,
        ),
        _action(
            "review_proposals",
            gettext_lazy("lock, forbid and publish proposals, and pair members by hand"),
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
        _action("sign_contracts", gettext_lazy("sign contracts"), Status.MATCHING, Status.ACTIVE),
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


def _status_of(cohort_or_status) -> str:
    return getattr(cohort_or_status, "status", cohort_or_status)


def cohort_allows(cohort, action: str) -> bool:
    """Whether the cohort's current state (or a state given as a string) allows `action`.

    An unknown action is a programming error, not a "no": it raises ValueError.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown cohort action {action!r}; see accounts.lifecycle.ACTIONS")
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

    Services call it after they have locked the row they change (or the cohort), with the
    cohort as loaded then: `require_cohort_allows(cohort=pair.cohort, action="log_checkins")`.
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


def cohort_lock_allowing(*, cohort, action: str) -> Cohort:
    """Lock the cohort's row for the rest of the transaction, then check its state allows `action`.

    Services call this first in their transaction, before they lock anything else: a move
    between states locks the same row first, so it either happens before the service reads the
    state (and the service refuses) or waits until the service has committed. Locking in this
    one order everywhere keeps the two from deadlocking. `cohort` is a Cohort or its id; the
    locked, freshly read cohort is returned.
    """
    locked = cohort_lock(cohort)
    require_cohort_allows(cohort=locked, action=action)
    if isinstance(cohort, Cohort):
        cohort.status = locked.status
    return locked


def cohort_lock(cohort) -> Cohort:
    """The cohort's row (given a Cohort or its id), locked for the rest of the transaction; for
    services that skip quietly, rather than refuse, when the state doesn't allow their work."""
    pk = getattr(cohort, "pk", cohort)
    return Cohort.objects.select_for_update(no_key=True).select_related("organization").get(pk=pk)


def statuses_allowing(action: str) -> list[str]:
    """The states that allow `action`, for queries: `cohort__status__in=statuses_allowing(...)`."""
    return [status for status in ORDER if cohort_allows(status, action)]
