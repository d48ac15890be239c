"""A contract runs inside its cohort's dates and never longer than the longest span allowed,
on the terms page, in the service and before it can be marked ready."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Cohort
from contracts import services
from contracts.dates import CONTRACT_MAX_SPAN_DAYS
from contracts.models import Contract
from tests.contracts.factories import ENDS_ON, STARTS_ON, active_pair, filled, started, terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(cohort, member, partner):
    return active_pair(cohort, member, partner)


def terms_url(contract):
    return reverse(
        "contract_terms_edit",
        kwargs={"org_slug": contract.organization.slug, "contract_id": contract.pk},
    )


def form_data(**overrides) -> dict:
    data = {
        **terms(),
        "cadence": "weekly",
        "medium": "video",
        "meeting_weekday": "3",
        "meeting_time": "08:30",
        **overrides,
    }
    return {key: "" if value is None else str(value) for key, value in data.items()}


def test_a_contract_ending_in_2226_is_refused_on_the_terms_page(client_for, pair, member):
    contract = started(pair, member)
    before = (contract.starts_on, contract.ends_on)

    response = client_for(member).post(terms_url(contract), form_data(ends_on="2226-06-30"))

    assert response.status_code == 200
    assert "Enter a date between" in response.content.decode()
    contract.refresh_from_db()
    assert (contract.starts_on, contract.ends_on) == before


def test_a_contract_ending_in_2226_is_refused_by_the_service(pair, member):
    contract = started(pair, member)

    with pytest.raises(ValidationError) as refused:
        services.contract_terms_update(
            contract=contract, actor=member, **terms(ends_on=datetime.date(2226, 6, 30))
        )

    assert "ends_on" in refused.value.message_dict
    contract.refresh_from_db()
    assert contract.ends_on != datetime.date(2226, 6, 30)


def test_contract_dates_outside_the_cohort_are_refused_with_the_cohorts_dates(
    client_for, pair, member
):
    contract = started(pair, member)

    response = client_for(member).post(
        terms_url(contract), form_data(starts_on="2026-08-01", ends_on="2027-08-01")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "within the cohort" in errors["starts_on"][0]
    assert "within the cohort" in errors["ends_on"][0]
    with pytest.raises(ValidationError) as refused:
        services.contract_terms_update(
            contract=contract, actor=member, **terms(ends_on=ENDS_ON + datetime.timedelta(days=1))
        )
    assert list(refused.value.message_dict) == ["ends_on"]


def test_a_contract_may_not_run_longer_than_the_longest_span_even_in_a_long_cohort(pair, member):
    Cohort.objects.filter(pk=pair.cohort_id).update(ends_on=datetime.date(2031, 6, 30))
    contract = started(pair, member)
    too_late = STARTS_ON + datetime.timedelta(days=CONTRACT_MAX_SPAN_DAYS + 1)

    with pytest.raises(ValidationError) as refused:
        services.contract_terms_update(contract=contract, actor=member, **terms(ends_on=too_late))

    assert "at most" in refused.value.message_dict["ends_on"][0]
    services.contract_terms_update(
        contract=contract,
        actor=member,
        **terms(ends_on=STARTS_ON + datetime.timedelta(days=CONTRACT_MAX_SPAN_DAYS)),
    )


def test_the_first_draft_of_a_long_cohort_ends_within_the_longest_span(pair, member):
    Cohort.objects.filter(pk=pair.cohort_id).update(ends_on=datetime.date(2031, 6, 30))

    contract = started(pair, member)

    assert (contract.ends_on - contract.starts_on).days <= CONTRACT_MAX_SPAN_DAYS


def test_an_older_draft_with_wild_dates_cannot_be_marked_ready(pair, member):
    contract = filled(started(pair, member))
    Contract.objects.filter(pk=contract.pk).update(ends_on=datetime.date(9999, 12, 31))
    contract.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        services.contract_mark_ready(contract=contract, actor=member)

    assert "dates need changing" in " ".join(refused.value.messages)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT
