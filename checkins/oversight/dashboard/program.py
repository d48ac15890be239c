"""The program dashboard: the program's cohorts side by side.

`program_cohorts_overview` annotates each cohort with its members, open invitations, active
pairs and signed contracts (one subquery each, per cohort in the database) and counts its pairs
at risk with `selectors.pairs_health`: a constant number of queries, however many cohorts.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Cohort, Enrolment, Invitation, Program
from contracts.models import Contract
from matching.models import Pair

from ... import selectors
from .common import _not_enrolled


def _count_per_cohort(queryset: QuerySet) -> Coalesce:
    counts = (
        queryset.filter(cohort=OuterRef("pk"))
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


@dataclass
class ProgramCohortRow:
    cohort: Cohort
    at_risk: int


def program_cohorts_overview(
    *, program: Program, now: datetime.datetime | None = None
) -> list[ProgramCohortRow]:
    """Each cohort of the program (newest first), annotated with `member_count` (enrolled),
    `invited_count` (open invitations to people not enrolled), `pair_count` (active pairs) and
    `signed_count` (active pairs with a signed contract), with its number of pairs at risk.
    Constant queries, however many cohorts and pairs."""
    active = Pair.objects.filter(status=Pair.Status.ACTIVE)
    cohorts = list(
        program.cohorts.select_related("organization")
        .annotate(
            member_count=_count_per_cohort(Enrolment.objects.all()),
            invited_count=_count_per_cohort(_not_enrolled(Invitation.objects.pending())),
            pair_count=_count_per_cohort(active),
            signed_count=_count_per_cohort(active.filter(contracts__status=Contract.Status.SIGNED)),
        )
        .order_by("-starts_on", "name")
    )
    pairs = dict(
        active.filter(cohort__program=program).order_by("pk").values_list("pk", "cohort_id")
    )
    at_risk: dict[int, int] = {}
    for pk, row in selectors.pairs_health(pairs=list(pairs), now=now).items():
        if row.at_risk:
            at_risk[pairs[pk]] = at_risk.get(pairs[pk], 0) + 1
    return [ProgramCohortRow(cohort, at_risk.get(cohort.pk, 0)) for cohort in cohorts]
