"""The numbers behind the cohort dashboard's charts, each as a `Chart` (SVG and table).

`cohort_weeks` picks the weeks the weekly charts show (at most `MAX_WEEKS`);
`checkins_per_week` and `indicators_met_per_week` count per week in the database, with the
week of each row worked out by an SQL CASE; `score_distribution` bins the pairs' match scores.
The SVG itself is drawn by `checkins.charts`.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Lag
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Cohort
from contracts.models import Contract, Indicator
from matching.models import Pair

from ... import charts
from ...models import CheckIn, IndicatorValue
from .common import percent

MAX_WEEKS = 52
SCORE_BINS = 10  # 0–9, 10–19, …, 90–100


@dataclass
class Chart:
    """A chart's SVG and the same numbers as a table, for screen readers and for reading."""

    chart_id: str
    title: str
    description: str
    svg: SafeString
    headers: tuple[str, str]
    rows: list[tuple[str, str]] = field(default_factory=list)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _week_start(week: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(week, datetime.time(), datetime.UTC)


def _week_label(week: datetime.date) -> str:
    return date_format(week, "j M")


def cohort_weeks(*, cohort: Cohort, now: datetime.datetime | None = None) -> list[datetime.date]:
    """The Mondays (weeks in UTC) the cohort's charts show: from the cohort's start, or its
    first check-in, to this week (or the cohort's end, or its last check-in), at most the
    latest MAX_WEEKS. Empty before the first check-in. One aggregate query."""
    today = (now or timezone.now()).date()
    span = CheckIn.objects.filter(meeting__cohort=cohort).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    if span["first"] is None:
        return []
    first = min(cohort.starts_on, span["first"].astimezone(datetime.UTC).date())
    last = max(min(today, cohort.ends_on), span["last"].astimezone(datetime.UTC).date())
    weeks, week = [], _monday(first)
    while week <= last:
        weeks.append(week)
        week += datetime.timedelta(days=7)
    return weeks[-MAX_WEEKS:]


def _week_index(field_name: str, weeks: list[datetime.date]) -> Case:
    """Which of `weeks` the datetime `field_name` falls in, as an SQL CASE of comparisons:
    -1 before the first, len(weeks) after the last. (A date function per row would run in
    Python on SQLite; comparisons stay in the database on both.)"""
    bounds = [_week_start(week) for week in weeks]
    bounds.append(_week_start(weeks[-1] + datetime.timedelta(days=7)))
    return Case(
        *(
            When(**{f"{field_name}__lt": bound}, then=Value(index - 1))
            for index, bound in enumerate(bounds)
        ),
        default=Value(len(weeks)),
        output_field=IntegerField(),
    )


def checkins_per_week(
    *,
    cohort: Cohort,
    weeks: list[datetime.date] | None = None,
    now: datetime.datetime | None = None,
) -> Chart:
    """Check-ins logged per week (Monday to Sunday, UTC) by the cohort's members. One query
    (two without `weeks` from `cohort_weeks`)."""
    if weeks is None:
        weeks = cohort_weeks(cohort=cohort, now=now)
    counts = {}
    if weeks:
        counts = dict(
            CheckIn.objects.filter(meeting__cohort=cohort)
            .annotate(week=_week_index("created_at", weeks))
            .values("week")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("week", "n")
        )
    labels = [_week_label(week) for week in weeks]
    values = [counts.get(index, 0) for index in range(len(weeks))]
    total = sum(values)
    # Two counts: the check-ins and the weeks each take their own plural form.
    checkins = ngettext("%(n)s check-in", "%(n)s check-ins", total) % {"n": total}
    in_weeks = ngettext("in %(n)s week", "in %(n)s weeks", len(weeks)) % {"n": len(weeks)}
    description = _("%(checkins)s %(weeks)s; the busiest week had %(most)s.") % {
        "checkins": checkins,
        "weeks": in_weeks,
        "most": max(values, default=0),
    }
    title = _("Check-ins per week")
    return Chart(
        chart_id="chart-checkins",
        title=title,
        description=description,
        svg=charts.bar_chart(
            chart_id="chart-checkins",
            title=title,
            description=description,
            labels=labels,
            values=values,
            value_label=_("check-ins"),
        ),
        headers=(_("Week of"), _("Check-ins")),
        rows=[(label, str(value)) for label, value in zip(labels, values, strict=True)],
    )


def _current_contracts(cohort: Cohort) -> QuerySet[Contract]:
    """The contracts in force of the cohort's active pairs: their latest signed versions."""
    newer = Contract.objects.filter(
        pair=OuterRef("pair"), status=Contract.Status.SIGNED, version__gt=OuterRef("version")
    )
    return Contract.objects.filter(
        cohort=cohort, status=Contract.Status.SIGNED, pair__status=Pair.Status.ACTIVE
    ).exclude(Exists(newer))


def indicators_met_per_week(
    *,
    cohort: Cohort,
    weeks: list[datetime.date] | None = None,
    now: datetime.datetime | None = None,
) -> Chart:
    """Per week: of the indicators with a reading by the end of that week, the share whose
    latest reading meets its target (a number at or above it; a yes/no "yes").

    Indicators are those of the active pairs' contracts in force (readings logged against an
    earlier version of an amended contract are left out). One query (two without `weeks`): a
    window function keeps, per indicator, only its first reading and the readings that change
    whether it is met, each as (week index, met, met before); the weekly shares are running
    sums of those changes.
    """
    if weeks is None:
        weeks = cohort_weeks(cohort=cohort, now=now)
    read = [0] * (len(weeks) + 2)  # first readings per week; [0] is "before the first week"
    met = [0] * (len(weeks) + 2)  # change in how many are met, per week
    if weeks:
        readings = (
            IndicatorValue.objects.filter(
                indicator__goal__section__contract__in=_current_contracts(cohort)
            )
            .filter(
                Q(indicator__kind=Indicator.Kind.YES_NO, met__isnull=False)
                | Q(indicator__kind=Indicator.Kind.NUMBER, value__isnull=False)
            )
            .annotate(
                is_met=Case(
                    When(indicator__kind=Indicator.Kind.YES_NO, met=True, then=Value(1)),
                    When(
                        indicator__kind=Indicator.Kind.NUMBER,
                        value__gte=F("indicator__target_value"),
                        then=Value(1),
                    ),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
                week=_week_index("checkin__created_at", weeks),
            )
            .annotate(
                previous=Window(
                    Lag("is_met", default=Value(-1)),
                    partition_by=[F("indicator_id")],
                    order_by=[F("checkin__created_at").asc(), F("pk").asc()],
                )
            )
            .filter(~Q(previous=F("is_met")))
            .values_list("week", "is_met", "previous")
        )
        for week, is_met, previous in readings:
            if previous == -1:  # the indicator's first reading
                read[week + 1] += 1
                met[week + 1] += is_met
            else:
                met[week + 1] += is_met - previous
    shares: list[int | None] = []
    with_reading, met_count = read[0], met[0]
    for index in range(len(weeks)):
        with_reading += read[index + 1]
        met_count += met[index + 1]
        shares.append(percent(met_count, with_reading))
    labels = [_week_label(week) for week in weeks]
    latest = next((share for share in reversed(shares) if share is not None), None)
    title = _("Indicators met")
    if latest is None:
        description = _("No indicator has a reading yet.")
        shares = [None] * len(weeks)
    else:
        description = ngettext(
            "Share of the indicators with a reading whose latest reading meets its target, "
            "week by week; now %(latest)s%% of %(count)s indicator.",
            "Share of the indicators with a reading whose latest reading meets its target, "
            "week by week; now %(latest)s%% of %(count)s indicators.",
            with_reading,
        ) % {"latest": latest, "count": with_reading}
    return Chart(
        chart_id="chart-indicators",
        title=title,
        description=description,
        svg=charts.share_chart(
            chart_id="chart-indicators",
            title=title,
            description=description,
            labels=labels,
            shares=shares,
        ),
        headers=(_("Week of"), _("Indicators met")),
        rows=[
            (label, "—" if share is None else f"{share}%")
            for label, share in zip(labels, shares, strict=True)
        ]
        if latest is not None
        else [],
    )


def score_distribution(*, cohort: Cohort) -> Chart:
    """How many active or published pairs have a match score in each tenth (0–9 … 90–100).

    One aggregate query.
    """
    bins = {}
    for index in range(SCORE_BINS):
        low = index * 100 // SCORE_BINS
        condition = Q(score__gte=low) if index else Q()
        if index < SCORE_BINS - 1:
            condition &= Q(score__lt=low + 100 // SCORE_BINS)
        bins[f"bin{index}"] = Count("pk", filter=condition)
    counts = Pair.objects.filter(
        cohort=cohort, status__in=[Pair.Status.ACTIVE, Pair.Status.PUBLISHED]
    ).aggregate(**bins)
    labels = [
        f"{index * 10}–{index * 10 + 9}" if index < SCORE_BINS - 1 else "90–100"
        for index in range(SCORE_BINS)
    ]
    values = [counts[f"bin{index}"] for index in range(SCORE_BINS)]
    total = sum(values)
    title = _("Match scores")
    description = ngettext(
        "Score of %(count)s active or published pair, out of 100, in tens.",
        "Scores of %(count)s active or published pairs, out of 100, in tens.",
        total,
    ) % {"count": total}
    return Chart(
        chart_id="chart-scores",
        title=title,
        description=description,
        svg=charts.bar_chart(
            chart_id="chart-scores",
            title=title,
            description=description,
            labels=labels,
            values=values,
            value_label=_("pairs"),
            axis_labels=[str(index * 10) for index in range(SCORE_BINS)],
        )
        if total
        else SafeString(""),
        headers=(_("Score"), _("Pairs")),
        rows=[(label, str(value)) for label, value in zip(labels, values, strict=True)]
        if total
        else [],
    )
