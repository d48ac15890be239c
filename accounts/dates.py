"""The window every date typed into PeerMentor must fall in.

Python's dates run from year 1 to year 9999, but adding a day to 9999-12-31, or turning
0001-01-01 00:00 into UTC from a zone east of Greenwich, raises OverflowError. No mentoring
program needs such dates, so every date and datetime a form accepts lies between
`EARLIEST_DATE` and `LATEST_YEARS_AHEAD` years from today, and the services check the same
window (`validate_date_in_window`) so that no path around the forms stores one.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_YEARS_AHEAD = 10


def latest_date(today: datetime.date | None = None) -> datetime.date:
    """The last date accepted: `LATEST_YEARS_AHEAD` years after today (28 February for a
    29 February that has no twin)."""
    today = today or timezone.localdate()
    year = today.year + LATEST_YEARS_AHEAD
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def date_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    return EARLIEST_DATE, latest_date(today)


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def validate_date_in_window(value, today: datetime.date | None = None) -> None:
    """Refuse a date (or datetime) outside the window, with a message that names it."""
    if value is None:
        return
    earliest, latest = date_window(today)
    if not earliest <= _as_date(value) <= latest:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s.")
            % {
                "earliest": date_format(earliest, "DATE_FORMAT"),
                "latest": date_format(latest, "DATE_FORMAT"),
            },
            code="date_out_of_window",
        )


class DateWindowFormMixin:
    """For every form with a date: each DateField and DateTimeField of the form checks the
    window. Put it before the form class: `class CohortForm(DateWindowFormMixin, ModelForm)`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                field.validators.append(validate_date_in_window)
                if isinstance(field.widget, forms.DateInput):
                    earliest, latest = date_window()
                    field.widget.attrs.setdefault("min", earliest.isoformat())
                    field.widget.attrs.setdefault("max", latest.isoformat())


class DateWindowAdminMixin:
    """The same window for the admin's date and datetime fields (split into a date and a
    time there): `class CohortAdmin(DateWindowAdminMixin, admin.ModelAdmin)`."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField):
            field.validators.append(validate_date_in_window)
        return field
