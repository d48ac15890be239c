"""One way of writing dates in every language, and times in the viewer's own time zone."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.contracts.pdf_factories import signed_contract, use_temporary_files
from tests.profiles.factories import ProfileFactory

DAY = datetime.date(2026, 12, 7)


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_plain_date_filter_writes_day_month_year_like_the_templates(language):
    with translation.override(language):
        rendered = Template("{{ day|date }} / {{ day|date:'j M Y' }}").render(Context({"day": DAY}))

    assert rendered == "7 Dec 2026 / 7 Dec 2026"


@pytest.fixture
def contract(settings, tmp_path, cohort, member, partner):
    use_temporary_files(settings, tmp_path)
    return signed_contract(cohort, [member, partner])  # signed 14 Sep 2026, 17:30 UTC


def contract_page(client_for, user, contract):
    url = reverse("contract_detail", kwargs={"org_slug": "northwind", "contract_id": contract.pk})
    return client_for(user).get(url).content.decode()


@pytest.mark.django_db
def test_the_contract_page_shows_signing_times_in_the_viewers_time_zone(
    client_for, contract, member
):
    ProfileFactory(user=member, organization=contract.organization, timezone="Europe/Copenhagen")

    page = contract_page(client_for, member, contract)

    assert "14 Sep 2026, 19:30 CEST" in page
    assert "17:30" not in page and " UTC" not in page


@pytest.mark.django_db
def test_a_viewer_without_a_time_zone_sees_utc_named_as_such(client_for, contract, partner):
    page = contract_page(client_for, partner, contract)

    assert "14 Sep 2026, 17:30 UTC" in page


def test_web_pages_write_a_bare_date_only_the_one_way():
    """Pages (not emails or the PDF, which spell the month out) write a date on its own with
    DATE_FORMAT, "7 Dec 2026", never with a format of their own such as "j F Y"."""
    odd = []
    for path in Path(settings.BASE_DIR).glob("*/templates/**/*.html"):
        if "emails" in path.parts or "pdf" in path.parts or "verify_result" in path.name:
            continue
        text = path.read_text(encoding="utf-8")
        odd += [f"{path.name}: {fmt}" for fmt in ('date:"j F Y"', 'date:"N j, Y"') if fmt in text]

    assert odd == []
