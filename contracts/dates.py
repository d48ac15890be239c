"""When a contract may run: inside its cohort's dates, and never longer than
`CONTRACT_MAX_SPAN_DAYS`, so that the meetings planned from it stay few (a weekly contract
has at most about a hundred). Checked by the terms form, by `contract_terms_update` and
before a version can be marked ready, so that no older draft with wild dates is signed.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.dates import validate_date_in_window
from accounts.models import Cohort

CONTRACT_MAX_SPAN_DAYS = 2 * 366  # two years


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def contract_dates_errors(
    *, cohort: Cohort, starts_on: datetime.date | None, ends_on: datetime.date | None
) -> dict[str, str]:
    """What is wrong with these dates for a contract of `cohort`, by field (empty when
    nothing is). Missing dates are not an error here: a draft may leave them open."""
    errors = {}
    for field, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if value is None:
            continue
        try:
            validate_date_in_window(value)
        except ValidationError as error:
            errors[field] = " ".join(error.messages)
            continue
        if not cohort.starts_on <= value <= cohort.ends_on:
            errors[field] = _("Choose a date within the cohort, between %(start)s and %(end)s.") % {
                "start": _day(cohort.starts_on),
                "end": _day(cohort.ends_on),
            }
    if starts_on and ends_on and not errors and (ends_on - starts_on).days > CONTRACT_MAX_SPAN_DAYS:
        errors["ends_on"] = ngettext(
            "A contract runs for at most %(days)s day; choose an earlier review / end date.",
            "A contract runs for at most %(days)s days; choose an earlier review / end date.",
            CONTRACT_MAX_SPAN_DAYS,
        ) % {"days": CONTRACT_MAX_SPAN_DAYS}
    return errors
