"""A cohort's signed contracts as one ZIP: from the web (a Celery task) and from the command."""

import csv
import datetime
import hashlib
import io
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from contracts import export
from contracts.models import Contract, ContractExport
from contracts.signing import signature_check
from contracts.tasks import build_contract_export, purge_old_contract_exports
from tests.contracts.pdf_factories import signed_contract, use_temporary_files
from tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _temporary_files(settings, tmp_path):
    use_temporary_files(settings, tmp_path)


def short_contract(*args, **kwargs) -> Contract:
    """One goal per partner: a two-page PDF keeps these tests quick."""
    return signed_contract(*args, goals=1, **kwargs)


def person(cohort, first, last):
    return EnrolmentFactory(
        cohort=cohort,
        user__first_name=first,
        user__last_name=last,
        user__email=f"{first.lower()}@{cohort.organization.slug}.test",
    ).user


@pytest.fixture
def contracts(cohort, member, partner, program, other_cohort):
    """In `cohort`: Ana & Ben's v1 (superseded) and v2 (signed), Carl & Dina's v1 (signed),
    Eve & Finn's draft. Elsewhere: a signed contract in another cohort of the organization and
    one in another organization."""
    carl, dina = person(cohort, "Carl", "Berg"), person(cohort, "Dina", "Moreau")
    eve, finn = person(cohort, "Eve", "Ng"), person(cohort, "Finn", "Olsen")
    first = short_contract(cohort, [member, partner], status=Contract.Status.SUPERSEDED)
    spring = CohortFactory(program=program, name="Spring 2027", slug="spring-2027")
    return SimpleNamespace(
        ab_v1=first,
        ab_v2=short_contract(
            cohort, [member, partner], tag="v2", version=2, previous=first, pair=first.pair
        ),
        cd=short_contract(cohort, [carl, dina], tag="cd"),
        draft=short_contract(cohort, [eve, finn], tag="ef", status=Contract.Status.DRAFT),
        other_cohort=short_contract(
            spring, [person(spring, "Gus", "Hale"), person(spring, "Hana", "Ito")], tag="spring"
        ),
        other_org=short_contract(
            other_cohort,
            [person(other_cohort, "Ivo", "Jansen"), person(other_cohort, "Jo", "Kim")],
            tag="south",
        ),
    )


def build_zip(cohort) -> tuple[bytes, export.ExportResult]:
    buffer = io.BytesIO()
    result = export.write_contracts_zip(cohort=cohort, target=buffer)
    return buffer.getvalue(), result


def index_rows(archive: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read("index.csv").decode("utf-8"))))


def test_zip_holds_exactly_the_cohorts_current_signed_contracts(cohort, contracts):
    data, result = build_zip(cohort)

    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == [
        "ana-silva--ben-okafor-v2.pdf",
        "carl-berg--dina-moreau-v1.pdf",
        "index.csv",
    ]
    assert (result.contracts, result.rendered) == (2, 2)


def test_index_csv_lists_every_file_with_partners_hashes_and_dates(cohort, contracts):
    archive = zipfile.ZipFile(io.BytesIO(build_zip(cohort)[0]))

    rows = index_rows(archive)

    assert list(rows[0]) == list(export.INDEX_COLUMNS)
    assert [row["file"] for row in rows] == [
        "ana-silva--ben-okafor-v2.pdf",
        "carl-berg--dina-moreau-v1.pdf",
    ]
    ab = rows[0]
    assert ab["partners"] == "Ana Silva; Ben Okafor"
    assert ab["emails"] == "ana@northwind.test; ben@northwind.test"
    assert ab["version"] == "2"
    assert ab["signed_at"] == "2026-09-14T17:31:00+00:00"
    assert ab["content_hash"] == contracts.ab_v2.content_hash
    for row in rows:
        assert row["pdf_sha256"] == hashlib.sha256(archive.read(row["file"])).hexdigest()


def test_every_pdf_in_the_zip_carries_an_intact_signature_of_ours(cohort, contracts):
    archive = zipfile.ZipFile(io.BytesIO(build_zip(cohort)[0]))

    checks = [
        signature_check(archive.read(name)) for name in archive.namelist() if name != "index.csv"
    ]

    assert [check.authentic for check in checks] == [True, True]


def test_partners_with_the_same_names_get_distinct_file_names(cohort, member, partner):
    short_contract(cohort, [member, partner], tag="one")
    short_contract(cohort, [member, partner], tag="two")

    names = zipfile.ZipFile(io.BytesIO(build_zip(cohort)[0])).namelist()

    assert names == ["ana-silva--ben-okafor-v1.pdf", "ana-silva--ben-okafor-v1-2.pdf", "index.csv"]


def test_a_second_zip_reuses_the_stored_documents_byte_for_byte(cohort, contracts):
    first, _ = build_zip(cohort)
    second, result = build_zip(cohort)

    assert second == first
    assert result.rendered == 0


# The command ----------------------------------------------------------------------------------


def test_command_writes_the_same_zip_as_the_web_export(cohort, contracts, coordinator, tmp_path):
    contract_export = ContractExport.objects.create(
        organization=cohort.organization, cohort=cohort, requested_by=coordinator
    )
    export.contract_export_run(export=contract_export)
    out = tmp_path / "contracts.zip"

    call_command(
        "export_contracts", "northwind", "autumn-2026", "--out", str(out), stdout=io.StringIO()
    )

    contract_export.refresh_from_db()
    with contract_export.archive.open("rb") as archive:
        assert out.read_bytes() == archive.read()


def test_command_prints_counts_and_time(cohort, contracts, tmp_path):
    stdout = io.StringIO()

    call_command(
        "export_contracts",
        "northwind",
        "autumn-2026",
        "--out",
        str(tmp_path / "x.zip"),
        stdout=stdout,
    )

    output = stdout.getvalue()
    assert "Wrote 2 signed contracts of Autumn 2026" in output
    assert "Rendered and signed now: 2" in output
    assert " s" in output.splitlines()[-1]
    assert AuditEvent.objects.filter(action="contracts.exported").count() == 1


def test_command_refuses_a_cohort_of_another_organization(contracts, tmp_path):
    with pytest.raises(CommandError, match="No cohort 'autumn-2026' in organization 'southwind'"):
        call_command(
            "export_contracts", "southwind", "autumn-2026", "--out", str(tmp_path / "x.zip")
        )
    assert not (tmp_path / "x.zip").exists()


# The web export -------------------------------------------------------------------------------


def export_url(name, contract_export):
    return reverse(name, kwargs={"org_slug": "northwind", "export_id": contract_export.pk})


def start_url(cohort):
    return reverse(
        "cohort_contracts_export", kwargs={"org_slug": "northwind", "cohort_id": cohort.pk}
    )


def test_export_page_counts_the_signed_contracts(client_for, coordinator, cohort, contracts):
    response = client_for(coordinator).get(start_url(cohort))

    assert response.status_code == 200
    assert "Autumn 2026 has 2 signed contracts" in response.content.decode()


def test_coordinator_builds_and_downloads_the_zip(
    client_for, coordinator, cohort, contracts, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start_url(cohort))

    contract_export = ContractExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == export_url("contract_export_status", contract_export)
    assert (contract_export.status, contract_export.progress) == ("done", 100)
    status = client.get(export_url("contract_export_status_json", contract_export)).json()
    assert status["finished"] and status["download_url"] == export_url(
        "contract_export_download", contract_export
    )
    page = client.get(export_url("contract_export_status", contract_export)).content.decode()
    assert export_url("contract_export_download", contract_export) in page
    download = client.get(export_url("contract_export_download", contract_export))
    assert download.status_code == 200
    assert "autumn-2026-signed-contracts-" in download["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert len(archive.namelist()) == 3
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "contracts.export_requested",
        "contracts.export_built",
        "contracts.export_downloaded",
    } <= actions


def test_the_archive_is_stored_under_media_root_with_an_unguessable_name(
    cohort, contracts, coordinator, settings
):
    contract_export = ContractExport.objects.create(organization=cohort.organization, cohort=cohort)

    export.contract_export_run(export=contract_export)

    assert contract_export.archive.name.startswith("exports/northwind-autumn-2026-")
    assert len(contract_export.archive.name) > len("exports/northwind-autumn-2026-1-.zip") + 12
    assert (settings.MEDIA_ROOT / contract_export.archive.name).is_file()


def test_status_page_polls_until_the_export_is_done(client_for, coordinator, cohort):
    contract_export = ContractExport.objects.create(organization=cohort.organization, cohort=cohort)
    client = client_for(coordinator)

    page = client.get(export_url("contract_export_status", contract_export)).content.decode()
    status = client.get(export_url("contract_export_status_json", contract_export)).json()

    assert "data-progress-url" in page and "js/progress.js" in page
    assert status["finished"] is False and "download_url" not in status


def test_download_before_the_zip_is_ready_goes_to_the_status_page(client_for, coordinator, cohort):
    contract_export = ContractExport.objects.create(organization=cohort.organization, cohort=cohort)

    response = client_for(coordinator).get(export_url("contract_export_download", contract_export))

    assert response.status_code == 302
    assert response["Location"] == export_url("contract_export_status", contract_export)


def test_asking_again_while_an_export_is_queued_reuses_it(coordinator, cohort):
    first = export.contract_export_request(cohort=cohort, actor=coordinator)
    second = export.contract_export_request(cohort=cohort, actor=coordinator)

    assert second.pk == first.pk
    assert ContractExport.objects.count() == 1


def test_a_failing_build_marks_the_export_failed_with_the_error(cohort, coordinator, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "write_contracts_zip", broken)
    contract_export = ContractExport.objects.create(organization=cohort.organization, cohort=cohort)

    build_contract_export.delay(contract_export.pk)

    contract_export.refresh_from_db()
    assert contract_export.status == "failed"
    assert contract_export.error == "RuntimeError: disk full"
    assert AuditEvent.objects.filter(action="contracts.export_failed").exists()


def test_task_ignores_an_export_that_is_gone_or_already_started(cohort):
    running = ContractExport.objects.create(
        organization=cohort.organization, cohort=cohort, status=ContractExport.Status.RUNNING
    )

    build_contract_export.delay(running.pk)
    build_contract_export.delay(running.pk + 100)

    running.refresh_from_db()
    assert running.status == "running" and not running.archive


@pytest.fixture
def built_export(cohort, contracts, coordinator):
    contract_export = ContractExport.objects.create(
        organization=cohort.organization, cohort=cohort, requested_by=coordinator
    )
    return export.contract_export_run(export=contract_export)


@pytest.mark.parametrize(
    "name", ["contract_export_status", "contract_export_status_json", "contract_export_download"]
)
def test_member_gets_403_on_a_built_export(client_for, member, built_export, name):
    assert client_for(member).get(export_url(name, built_export)).status_code == 403


@pytest.mark.parametrize(
    "name", ["contract_export_status", "contract_export_status_json", "contract_export_download"]
)
def test_coordinator_of_another_organization_gets_404_on_a_built_export(
    client_for, outsider, built_export, name
):
    assert client_for(outsider).get(export_url(name, built_export)).status_code == 404


# Old archives are deleted ------------------------------------------------------------------


def stored_export(cohort, *, status, days_ago, name="old.zip"):
    row = ContractExport.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        status=status,
        finished_at=timezone.now() - datetime.timedelta(days=days_ago)
        if status != ContractExport.Status.RUNNING
        else None,
    )
    if status == ContractExport.Status.DONE:
        row.archive.save(name, ContentFile(b"PK zip bytes"))
    return row


def test_archives_older_than_the_keep_period_are_deleted_with_their_files(
    settings, cohort, django_capture_on_commit_callbacks
):
    settings.CONTRACT_EXPORT_KEEP_DAYS = 7
    old = stored_export(cohort, status=ContractExport.Status.DONE, days_ago=8)
    failed = stored_export(cohort, status=ContractExport.Status.FAILED, days_ago=30)
    recent = stored_export(cohort, status=ContractExport.Status.DONE, days_ago=6, name="new.zip")
    running = stored_export(cohort, status=ContractExport.Status.RUNNING, days_ago=0)
    old_path = Path(old.archive.path)
    assert old_path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        deleted = purge_old_contract_exports()

    assert deleted == 2
    assert set(ContractExport.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not old_path.exists()
    assert Path(recent.archive.path).exists()
    assert failed.pk not in ContractExport.objects.values_list("pk", flat=True)
    assert purge_old_contract_exports() == 0


def test_the_export_page_says_how_long_archives_are_kept(settings, client_for, cohort, coordinator):
    settings.CONTRACT_EXPORT_KEEP_DAYS = 3
    stored_export(cohort, status=ContractExport.Status.DONE, days_ago=1)

    page = client_for(coordinator).get(
        reverse("cohort_contracts_export", args=[cohort.organization.slug, cohort.pk])
    )

    assert "Each ZIP is deleted 3 days after it was built" in page.content.decode()


def test_index_csv_quotes_every_field_and_keeps_formulas_as_text(cohort):
    hostile = EnrolmentFactory(
        cohort=cohort,
        user__first_name="=HYPERLINK(1)",
        user__last_name="Regular;=cmd",
        user__email="h@northwind.test",
    ).user
    short_contract(
        cohort,
        [
            hostile,
            EnrolmentFactory(cohort=cohort, user__first_name="-Ben", user__last_name="Okafor").user,
        ],
    )
    archive = zipfile.ZipFile(io.BytesIO(build_zip(cohort)[0]))

    text = archive.read("index.csv").decode("utf-8")
    (row,) = index_rows(archive)

    assert row["partners"] == "'-Ben Okafor; '=HYPERLINK(1) Regular;'=cmd"
    for line in text.splitlines():
        assert line.startswith('"') and line.endswith('"')
