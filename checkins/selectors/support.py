"""The partners' support between meetings on their pair page: the help each of them rated in
their check-ins, as a chart and a table (`pair_support`). Partners only: coordinators never
see help ratings, examples or replies, so the coordinator's page never calls this.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from accounts.models import User
from matching.models import Pair

from .. import charts
from ..models import CheckIn


@dataclass(frozen=True)
class HelpRow:
    when: datetime.date
    partner: User
    rating: int
    example: str


@dataclass
class PairSupport:
    chart: SafeString | str = ""
    rows: list[HelpRow] = field(default_factory=list)


def pair_support(*, pair: Pair, partners: list[User]) -> PairSupport:
    """Both partners' help ratings over time, oldest first. One query."""
    by_id = {partner.pk: partner for partner in partners}
    rows = [
        HelpRow(when=starts_at.date(), partner=by_id[user_id], rating=rating, example=example)
        for starts_at, user_id, rating, example in CheckIn.objects.filter(
            meeting__pair=pair, help_rating__isnull=False, user_id__in=list(by_id)
        )
        .order_by("meeting__starts_at", "created_at", "pk")
        .values_list("meeting__starts_at", "user_id", "help_rating", "help_example")
    ]
    series = [
        (
            partner.display_name,
            [charts.Rating(row.when, row.rating) for row in rows if row.partner is partner],
        )
        for partner in partners
    ]
    return PairSupport(chart=charts.help_chart(chart_id="help-ratings", series=series), rows=rows)
