"""The closing survey: three questions to each member of an active pair when a cohort closes.

Did you reach your goal (yes / partly / no)? Would you pair with your partner again (yes / no)?
What helped (free text, optional)?

Who is asked is decided when the cohort closes (`lifecycle.cohort_close` writes one
`ClosingSurveyRequest` per member and emails them). A member answers once; the answer
(`ClosingSurvey`) holds no user, no time of day and a random key, and the request only records
*that* the member answered. So the results are anonymous by construction: coordinators, the
summary and the exports see what was answered, never by whom.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.idempotency import AlreadyDone
from accounts.lifecycle import cohort_allows, require_cohort_allows
from accounts.models import Cohort, User
from accounts.services import audit
from matching import services as matching_services

from .. import limits
from ..models import ClosingSurvey, ClosingSurveyRequest

WHAT_HELPED_MAX = limits.WHAT_HELPED_MAX
GoalReached = ClosingSurvey.GoalReached


# Answering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyState:
    """Where a person stands with a cohort's survey (for the survey page)."""

    is_open: bool  # the cohort is closed, so answers are taken
    request: ClosingSurveyRequest | None  # None: this person was not asked

    @property
    def asked(self) -> bool:
        return self.request is not None

    @property
    def answered(self) -> bool:
        return self.request is not None and self.request.answered_at is not None

    @property
    def can_answer(self) -> bool:
        return self.is_open and self.asked and not self.answered


def closing_survey_state(*, cohort: Cohort, user: User) -> SurveyState:
    return SurveyState(
        is_open=cohort_allows(cohort, "answer_survey"),
        request=ClosingSurveyRequest.objects.filter(cohort=cohort, user=user).first(),
    )


@transaction.atomic
def closing_survey_submit(
    *,
    cohort: Cohort,
    user: User,
    goal_reached: str,
    would_pair_again: bool,
    what_helped: str = "",
    share_pair_again: bool = False,
    now: datetime.datetime | None = None,
) -> ClosingSurvey:
    """Record the member's one answer to the cohort's closing survey.

    Refused (ValidationError) unless the cohort is closed, the member was asked, and hasn't
    answered yet. The "once" is a conditional update of the member's request row, so two
    submissions at the same moment record one answer.
    """
    now = now or timezone.now()
    require_cohort_allows(cohort=cohort, action="answer_survey")
    survey = ClosingSurvey(
        organization_id=cohort.organization_id,
        cohort=cohort,
        goal_reached=goal_reached,
        would_pair_again=would_pair_again,
        what_helped=(what_helped or "").strip(),
        submitted_on=timezone.localdate(now),
    )
    if not isinstance(would_pair_again, bool):
        raise ValidationError(
            {"would_pair_again": _("Say whether you would pair with your partner again.")}
        )
    survey.full_clean()
    requests = ClosingSurveyRequest.objects.filter(cohort=cohort, user=user)
    if not requests.exists():
        raise ValidationError(
            _("This survey is for the members who had a partner in “%(cohort)s”.")
            % {"cohort": cohort.name},
            code="not_asked",
        )
    if not requests.filter(answered_at__isnull=True).update(answered_at=now):
        raise AlreadyDone(_("You have already answered this survey. Thank you!"), code="answered")
    survey.save()
    if would_pair_again and share_pair_again:  # named on purpose, kept apart from the answer
        try:
            matching_services.pair_again_record(cohort=cohort, user=user)
        except ValidationError as error:
            raise ValidationError({"share_pair_again": error.messages}) from error
    # Who answered, never what: the answer stays anonymous in the audit log too.
    audit(
        organization=cohort.organization,
        actor=user,
        action="closing_survey.answered",
        cohort=cohort.pk,
    )
    return survey


# Reading -----------------------------------------------------------------------------------


def _percent(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def cohort_survey_summary(*, cohort: Cohort) -> dict:
    """The cohort's survey results, anonymous. Three queries, however many answers.

    {
      "asked": 40, "responses": 30, "response_rate": 75.0,   # percent of those asked
      "goal_reached": {"yes": {"label": "Yes", "count": 18, "percent": 60.0},
                       "partly": {...}, "no": {...}},          # percent of responses
      "would_pair_again": {"yes": {...}, "no": {...}},
      "what_helped": ["Weekly calls kept me honest.", ...],    # non-empty answers, no names
    }

    Percentages have one decimal; with no responses they are 0.0 (and `response_rate` is 0.0
    when nobody was asked).
    """
    asked = ClosingSurveyRequest.objects.filter(cohort=cohort).count()
    answers = ClosingSurvey.objects.filter(cohort=cohort)
    counts = answers.aggregate(
        total=Count("pk"),
        **{f"goal_{value}": Count("pk", filter=Q(goal_reached=value)) for value in GoalReached},
        again_yes=Count("pk", filter=Q(would_pair_again=True)),
        again_no=Count("pk", filter=Q(would_pair_again=False)),
    )
    total = counts["total"]

    def entry(label, count):
        return {"label": str(label), "count": count, "percent": _percent(count, total)}

    return {
        "asked": asked,
        "responses": total,
        "response_rate": _percent(total, asked),
        "goal_reached": {
            choice.value: entry(choice.label, counts[f"goal_{choice.value}"])
            for choice in GoalReached
        },
        "would_pair_again": {
            "yes": entry(_("Yes"), counts["again_yes"]),
            "no": entry(_("No"), counts["again_no"]),
        },
        "what_helped": list(
            answers.exclude(what_helped="")
            .order_by("submitted_on", "id")
            .values_list("what_helped", flat=True)
        ),
    }


def cohort_survey_answers(*, cohort: Cohort):
    """The cohort's answers, one row each, for the export: no names (there are none)."""
    return (
        ClosingSurvey.objects.filter(organization_id=cohort.organization_id, cohort=cohort)
        .order_by("submitted_on", "id")
        .values_list("submitted_on", "goal_reached", "would_pair_again", "what_helped")
    )
