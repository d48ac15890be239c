"""The statement "What your coordinator sees" stays true: every column of the coordinator
exports and every figure of the pages coordinators open is named by one of its items, every
name it gives exists, and what it says coordinators never see is in no export."""

import csv
import dataclasses
import io

import pytest
from django.apps import apps
from django.urls import reverse

from checkins import selectors
from checkins.models import CheckIn
from checkins.oversight import dashboard, exports
from checkins.privacy import coordinator_view as statement
from contracts.export import INDEX_COLUMNS
from tests.checkins.factories import checkin, past_meeting, signed_pair

pytestmark = pytest.mark.django_db

# The dataclasses the coordinators' pages are made of (the dashboards, the pairs page, the
# people at a funnel step, a pair's page): each of their fields is a figure coordinators read.
COORDINATOR_PAGE_DATA = [
    dashboard.CohortDashboard,
    dashboard.PairTableRow,
    dashboard.ProgramCohortRow,
    dashboard.StuckList,
    selectors.PairHealth,
    selectors.PairPage,
    selectors.MeetingRow,
]


@pytest.fixture
def activity(cohort, member, partner, coordinator):
    pair = signed_pair(cohort, member, partner)
    meeting = past_meeting(pair.pair, contract=pair.contract)
    checkin(meeting, member, help_rating=4, help_example="Read my draft", blockers="Time")
    return pair


def export_headers(cohort, coordinator) -> dict[str, set[str]]:
    """The header row of each file, as generated for a cohort with data."""
    headers = {}
    for kind in exports.KINDS:
        csv_file = exports.cohort_export(cohort=cohort, kind=kind, actor=coordinator)
        reader = csv.reader(io.StringIO(csv_file.content.lstrip(exports.BOM)))
        headers[kind] = set(next(reader))
    headers[statement.CONTRACTS_INDEX] = set(INDEX_COLUMNS)
    return headers


def page_figures() -> set[str]:
    return {
        f"{data.__name__}.{field.name}"
        for data in COORDINATOR_PAGE_DATA
        for field in dataclasses.fields(data)
    }


def test_every_export_the_statement_names_exists_and_every_export_is_named(
    activity, cohort, coordinator
):
    assert set(export_headers(cohort, coordinator)) == set(statement.EXPORT_FILES)


def test_every_export_column_is_in_the_statement_and_it_names_no_other(
    activity, cohort, coordinator
):
    headers = export_headers(cohort, coordinator)
    seen = statement.seen_columns()

    missing = {kind: sorted(columns - seen[kind]) for kind, columns in headers.items()}
    invented = {kind: sorted(seen[kind] - columns) for kind, columns in headers.items()}

    assert not any(missing.values()), f"Columns coordinators read, not in the statement: {missing}"
    assert not any(invented.values()), f"Columns the statement names that don't exist: {invented}"


def test_every_figure_of_the_coordinators_pages_is_in_the_statement():
    covered = statement.seen_figures() | statement.NOT_ABOUT_MEMBERS | statement.PARTNERS_ONLY
    charts = {name for name in statement.seen_figures() if name.startswith("chart-")}

    missing = sorted(page_figures() - covered)
    invented = sorted((covered - charts) - page_figures())

    assert not missing, f"Figures coordinators read, not in the statement: {missing}"
    assert not invented, f"Figures the statement names that don't exist: {invented}"


def test_every_chart_of_the_dashboard_is_in_the_statement_and_no_other(activity, cohort):
    shown = {chart.chart_id for chart in dashboard.cohort_dashboard(cohort=cohort).charts}
    named = {name for name in statement.seen_figures() if name.startswith("chart-")}

    assert shown == named


def test_what_only_partners_see_is_left_out_of_the_coordinators_pair_page(activity, coordinator):
    page = selectors.pair_page(pair=activity.pair, user=coordinator, private=False)

    for figure in statement.PARTNERS_ONLY:
        assert not getattr(page, figure.split(".", 1)[1]), figure
    # The check-ins a coordinator's page loads hold no words and no help rating.
    (row,) = page.past
    loaded = next(found for _user, found in row.checkins if found)
    assert loaded.get_deferred_fields() >= {"learned", "blockers", "help_rating", "help_example"}


def test_what_coordinators_never_see_exists_and_is_in_no_export(activity, cohort, coordinator):
    columns = set().union(*export_headers(cohort, coordinator).values())
    for item in statement.NEVER:
        for name in item.fields:
            model, field = name.split(".")
            (found,) = [m for m in apps.get_models() if m._meta.model_name == model]
            found._meta.get_field(field)
            assert field not in columns, name


def test_the_checkins_file_holds_no_help_rating(activity, cohort, coordinator):
    content = exports.cohort_export(cohort=cohort, kind="checkins", actor=coordinator).content

    assert "Read my draft" not in content and "help" not in content.splitlines()[0]
    assert CheckIn.objects.get().help_rating == 4


def test_the_statement_page_lists_every_item_and_every_column(client_for, member):
    response = client_for(member).get(reverse("coordinator_view"))

    assert response.status_code == 200
    html = response.content.decode()
    for item in statement.SEEN:
        assert f'id="seen-{item.key}"' in html
        for columns in item.columns.values():
            for column in columns:
                assert column in html
    for item in statement.NEVER:
        assert f'id="never-{item.key}"' in html


def test_the_statement_page_needs_a_login(client):
    response = client.get(reverse("coordinator_view"))

    assert response.status_code == 302


def test_the_contract_page_links_the_statement_for_partners(client_for, activity, member):
    url = reverse(
        "contract_detail",
        kwargs={"org_slug": activity.pair.organization.slug, "contract_id": activity.contract.pk},
    )

    html = client_for(member).get(url).content.decode()

    assert reverse("coordinator_view") in html
