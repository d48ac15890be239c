"""CSV exports: exactly the cohort's rows, nothing private, safe in a spreadsheet, a fixed number
of queries, and only for the organization's coordinators."""

import csv
import datetime
import io
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from checkins.models import ClosingSurvey
from checkins.oversight import exports
from matching.models import Pair
from profiles.models import Profile
from tests.checkins.factories import active_pair, checkin, meeting_at, signed_contract
from tests.factories import CohortFactory, EnrolmentFactory
from tests.matching.factories import give_profile

pytestmark = pytest.mark.django_db

SECRETS = ("learned-SECRET-ana", "taught-SECRET", "blocker-SECRET-ben", "notes-SECRET")
_numbers = itertools.count(1)


def answer(cohort, goal="yes", again=True, helped=""):
    return ClosingSurvey.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        goal_reached=goal,
        would_pair_again=again,
        what_helped=helped,
        submitted_on=datetime.date(2027, 7, 1),
    )


def pair_with_activity(cohort, users=None, *, score=70.0, secret=""):
    """An active pair with a signed contract, a past meeting with both partners' check-ins
    (their private fields filled), a future meeting and one survey answer."""
    if users is None:
        users = []
        for _ in range(2):
            number = next(_numbers)
            users.append(
                EnrolmentFactory(
                    cohort=cohort,
                    user__email=f"extra{number}@{cohort.organization.slug}.test",
                    user__first_name=f"Extra{number}",
                ).user
            )
    pair = active_pair(cohort, users)
    Pair.objects.filter(pk=pair.pk).update(score=score)
    contract = signed_contract(pair)
    now = timezone.now()
    past = meeting_at(pair, now - datetime.timedelta(days=3), contract=contract)
    meeting_at(pair, now + datetime.timedelta(days=4), contract=contract)
    for user in users:
        checkin(
            past,
            user,
            learned=f"learned-{secret or 'x'}",
            taught="taught-SECRET" if secret else "",
            blockers=f"blocker-{secret or 'x'}",
            time_effectiveness=4,
            confidence=2,
        )
    answer(cohort, helped=f"helped in {cohort.name}")
    return pair


@pytest.fixture
def data(cohort, member, partner, program, other_cohort):
    """The cohort's pair (Ana & Ben) and one unpaired member; a sibling cohort of the same
    organization and a cohort of another organization, each with its own activity."""
    give_profile(
        member,
        cohort.organization,
        offers={"Budgeting": 4},
        needs={"Writing": 3},
        department='=HYPERLINK("http://evil.test")',
    )
    pair = active_pair(cohort, [member, partner])
    Pair.objects.filter(pk=pair.pk).update(score=87.54)
    contract = signed_contract(pair)
    now = timezone.now()
    past = meeting_at(pair, now - datetime.timedelta(days=2), contract=contract)
    meeting_at(pair, now + datetime.timedelta(days=5), contract=contract)
    checkin(past, member, learned="learned-SECRET-ana", taught="taught-SECRET")
    checkin(past, partner, blockers="blocker-SECRET-ben", time_effectiveness=5, confidence=4)
    answer(cohort, goal="partly", again=False, helped="@SUM(A1) the agenda helped")
    unpaired = EnrolmentFactory(
        cohort=cohort, user__email="carl@northwind.test", user__first_name="Carl"
    ).user
    sibling = CohortFactory(program=program, name="Sibling cohort")
    pair_with_activity(sibling, secret="SIBLING")
    pair_with_activity(other_cohort, secret="FOREIGN")
    return {"pair": pair, "unpaired": unpaired, "past": past}


def export_url(cohort, kind):
    return reverse(
        "cohort_export",
        kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk, "kind": kind},
    )


def download(client, cohort, kind):
    response = client.post(export_url(cohort, kind))
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return response, list(csv.DictReader(io.StringIO(text[1:])))


def assert_nothing_foreign(response):
    text = response.content.decode()
    for marker in ("SIBLING", "FOREIGN", "Sibling cohort", "@southwind.test", "extra"):
        assert marker not in text


# Each file -----------------------------------------------------------------------------------


def test_members_file_lists_exactly_the_cohorts_members_with_their_profile_status(
    client_for, coordinator, cohort, data
):
    response, rows = download(client_for(coordinator), cohort, "members")

    by_email = {row["email"]: row for row in rows}
    assert set(by_email) == {"ana@northwind.test", "ben@northwind.test", "carl@northwind.test"}
    ana, ben = by_email["ana@northwind.test"], by_email["ben@northwind.test"]
    assert (ana["first_name"], ana["last_name"]) == ("Ana", "Silva")
    assert ana["profile_complete"] == "yes" and ana["missing"] == ""
    assert ana["pair_status"] == "active"
    assert ben["profile_complete"] == "no"
    assert "at least one thing you offer" in ben["missing"]
    assert by_email["carl@northwind.test"]["pair_status"] == "none"
    assert len(ana["joined_at_utc"]) == len("2027-01-01 09:00")
    assert_nothing_foreign(response)


def test_pairs_file_has_scores_contracts_and_health(client_for, coordinator, cohort, data):
    response, rows = download(client_for(coordinator), cohort, "pairs")

    assert len(rows) == 1
    row = rows[0]
    assert row["pair_id"] == str(data["pair"].pk)
    assert row["partners"] == "Ana Silva & Ben Okafor"
    assert row["emails"] == "ana@northwind.test; ben@northwind.test"
    assert row["score"] == "87.5"
    assert row["status"] == "active"
    assert (row["contract_version"], row["contract_status"]) == ("1", "signed")
    assert row["contract_signed_at_utc"] and row["last_checkin_at_utc"]
    assert row["next_meeting_at_utc"]
    assert row["health"] in {"on_track", "too_early", "at_risk"}
    assert_nothing_foreign(response)


def test_checkins_file_has_dates_and_ratings_but_nothing_the_partners_wrote(
    client_for, coordinator, cohort, data
):
    response, rows = download(client_for(coordinator), cohort, "checkins")

    assert list(rows[0]) == list(exports.CHECKIN_COLUMNS)
    assert sorted(
        (r["logged_by_email"], r["time_effectiveness"], r["confidence"]) for r in rows
    ) == [
        ("ana@northwind.test", "4", "3"),
        ("ben@northwind.test", "5", "4"),
    ]
    assert {r["pair"] for r in rows} == {"Ana Silva & Ben Okafor"}
    assert {r["pair_id"] for r in rows} == {str(data["pair"].pk)}
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text
    assert_nothing_foreign(response)


def test_survey_file_has_one_row_per_answer_and_no_names(client_for, coordinator, cohort, data):
    response, rows = download(client_for(coordinator), cohort, "survey")

    assert rows == [
        {
            "submitted_on": "2027-07-01",
            "goal_reached": "partly",
            "would_pair_again": "no",
            "what_helped": "'@SUM(A1) the agenda helped",
        }
    ]
    text = response.content.decode()
    for name in ("Ana", "Ben", "ana@", "ben@", "helped in"):
        assert name not in text


def test_the_download_is_named_after_the_cohort_and_never_cached(
    client_for, coordinator, cohort, data
):
    response, _rows = download(client_for(coordinator), cohort, "pairs")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.now().date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="northwind-autumn-2026-pairs-{today}.csv"'
    )
    assert "no-store" in response["Cache-Control"]


def test_each_download_is_in_the_audit_log(client_for, coordinator, cohort, data):
    download(client_for(coordinator), cohort, "members")

    event = AuditEvent.objects.get(action="cohort.exported")
    assert event.actor == coordinator
    assert event.organization == cohort.organization
    assert event.data == {"cohort": cohort.pk, "kind": "members", "rows": 3}


# Spreadsheet safety --------------------------------------------------------------------------


def test_a_cell_a_spreadsheet_would_run_is_kept_as_text(client_for, coordinator, cohort, data):
    _response, rows = download(client_for(coordinator), cohort, "members")

    ana = next(row for row in rows if row["email"] == "ana@northwind.test")
    assert ana["department"] == '\'=HYPERLINK("http://evil.test")'


QUOTED_RECORDS = re.compile(r'(?:"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*\r\n)*')


@pytest.mark.parametrize("kind", sorted(exports.KINDS))
def test_every_field_of_every_file_is_quoted(client_for, coordinator, cohort, data, kind):
    response = client_for(coordinator).post(export_url(cohort, kind))

    text = response.content.decode("utf-8")[1:]
    assert text.count("\r\n") >= 2
    assert QUOTED_RECORDS.fullmatch(text)


def test_a_formula_after_a_separator_inside_a_cell_is_kept_as_text(
    client_for, coordinator, cohort, member, data
):
    Profile.objects.filter(user=member, organization=cohort.organization).update(
        department="Regular meetings;=cmd|' /C calc'!A0, @SUM(1)"
    )
    answer(cohort, helped="Agenda, -2+3")

    _response, members = download(client_for(coordinator), cohort, "members")
    _response, survey = download(client_for(coordinator), cohort, "survey")

    ana = next(row for row in members if row["email"] == "ana@northwind.test")
    assert ana["department"] == "Regular meetings;'=cmd|' /C calc'!A0, '@SUM(1)"
    assert "Agenda, '-2+3" in {row["what_helped"] for row in survey}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+31 20 123", "'+31 20 123"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tindent", "'\tindent"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        (-5, -5),
        (-2.5, -2.5),
        ("Agenda;=cmd", "Agenda;'=cmd"),
        (True, "yes"),
        (None, ""),
    ],
)
def test_safe_cell(value, cell):
    assert exports.safe_cell(value) == cell


# Routes --------------------------------------------------------------------------------------


def test_an_unknown_kind_is_a_404(client_for, coordinator, cohort):
    assert client_for(coordinator).post(export_url(cohort, "passwords")).status_code == 404
    assert not AuditEvent.objects.filter(action="cohort.exported").exists()


def test_a_member_gets_403(client_for, member, cohort):
    assert client_for(member).post(export_url(cohort, "members")).status_code == 403


def test_a_coordinator_of_another_organization_gets_404(client_for, outsider, cohort):
    assert client_for(outsider).post(export_url(cohort, "members")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, cohort):
    response = client.post(export_url(cohort, "checkins"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_exports_page_links_every_file_and_the_contracts_zip(client_for, coordinator, cohort):
    response = client_for(coordinator).get(
        reverse("cohort_exports", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk})
    )

    page = response.content.decode()
    for kind in exports.KINDS:
        assert export_url(cohort, kind) in page
    assert (
        reverse("cohort_contracts_export", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk})
        in page
    )


# Query counts --------------------------------------------------------------------------------


def queries(cohort, kind) -> int:
    with CaptureQueriesContext(connection) as context:
        list(exports.KINDS[kind].rows(cohort=cohort))
    return len(context)


@pytest.mark.parametrize("kind", list(exports.KINDS))
def test_an_export_takes_the_same_queries_however_many_rows(cohort, data, kind):
    few = queries(cohort, kind)
    for _ in range(3):
        pair_with_activity(cohort)

    assert queries(cohort, kind) == few
