"""Dates typed into the accounts pages stay in the window of `accounts.dates`: the audit
log's filters and a cohort's dates answer year 1 and year 9999 with a form error, never a
server error, and the services refuse them too."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.dates import EARLIEST_DATE, latest_date, validate_date_in_window
from accounts.models import AuditEvent, Cohort

pytestmark = pytest.mark.django_db


def test_the_window_runs_from_2000_to_ten_years_ahead():
    today = datetime.date(2026, 12, 6)

    validate_date_in_window(EARLIEST_DATE, today)
    validate_date_in_window(datetime.date(2036, 12, 6), today)
    for outside in (datetime.date(1999, 12, 31), datetime.date(2036, 12, 7)):
        with pytest.raises(ValidationError):
            validate_date_in_window(outside, today)
    assert latest_date(datetime.date(2028, 2, 29)) == datetime.date(2038, 2, 28)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_an_audit_log_filter_in_an_extreme_year_is_a_form_error(
    client_for, coordinator, organization, field, day
):
    AuditEvent.objects.create(organization=organization, action="cohort.created", data={})
    url = reverse("audit_log", kwargs={"org_slug": organization.slug})

    response = client_for(coordinator).get(url, {field: day})

    assert response.status_code == 200
    assert "Enter a date between" in response.context["form"].errors[field][0]
    assert [e.action for e in response.context["page"]] == ["cohort.created"]


def test_a_cohort_ending_in_year_9999_is_refused_on_the_page_and_by_the_service(
    client_for, coordinator, organization, program, cohort
):
    url = reverse("cohort_edit", kwargs={"org_slug": organization.slug, "cohort_id": cohort.pk})
    data = {"name": cohort.name, "slug": cohort.slug, "starts_on": "2026-09-01"}

    response = client_for(coordinator).post(url, {**data, "ends_on": "9999-12-31"})

    assert response.status_code == 200
    assert "Enter a date between" in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        services.cohort_create(
            program=program,
            actor=coordinator,
            name="Forever",
            starts_on=datetime.date(1, 1, 1),
            ends_on=datetime.date(9999, 12, 31),
        )
    assert set(refused.value.message_dict) == {"starts_on", "ends_on"}
    cohort.refresh_from_db()
    assert cohort.ends_on == datetime.date(2027, 6, 30)
    assert not Cohort.objects.filter(name="Forever").exists()


def test_a_cohort_from_before_the_window_can_still_change_its_name(coordinator, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(starts_on=datetime.date(1999, 9, 1))
    cohort.refresh_from_db()

    services.cohort_update(cohort=cohort, actor=coordinator, name="Renamed")

    cohort.refresh_from_db()
    assert cohort.name == "Renamed"
