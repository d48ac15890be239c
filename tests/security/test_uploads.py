"""Hostile uploads: the member import and the PDF verifier refuse them clearly and write nothing.

`tests/profiles/test_import_views.py` and `tests/contracts/test_verify_page.py` cover the
ordinary refusals (a limit lowered for the test, a spreadsheet, a GIF); these add binary
garbage, empty files, each page's file sent to the other, and a file over the real limit.
"""

import os
import random
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent, Enrolment, Membership, User
from contracts import documents
from contracts.models import Contract, ContractDocument, ContractExport
from profiles import importing
from profiles.models import Need, Offer, Profile, Tag
from tests.contracts.pdf_factories import signed_contract, use_temporary_files

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    ",".join(importing.COLUMNS) + "\n"
    "ana.new@example.org,Ana,Nova,Engineering,Python:4,SQL:5,en,Europe/Oslo\n"
).encode()
# Random bytes that are not UTF-8 (0xff never is), fixed so that failures repeat.
GARBAGE = b"\xff\xfe" + random.Random(7).randbytes(4094)  # noqa: S311 - test data
# The start of a real PDF: its second line is binary on purpose, as PDF writers do.
PDF_START = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
NOT_CSV = "Choose a .csv file (comma-separated text)."
NOT_PDF = "This file is not a PDF. Upload the contract's PDF file."
EMPTY = "The submitted file is empty."


@pytest.fixture(autouse=True)
def temporary_files(settings, tmp_path):
    return use_temporary_files(settings, tmp_path)


def everything(settings):
    """Rows of every model an upload could write, and every file under the media folder."""
    media = Path(settings.MEDIA_ROOT)
    return (
        [model.objects.count() for model in (User, Membership, Enrolment, Profile, Offer, Need)],
        [model.objects.count() for model in (Tag, AuditEvent, Contract, ContractDocument)],
        ContractExport.objects.count(),
        sorted(str(path) for path in media.rglob("*")) if media.exists() else [],
    )


# The member import ---------------------------------------------------------------------------


def import_csv(client, cohort, data, *, name="members.csv", content_type="text/csv"):
    url = reverse(
        "member_import", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=content_type)})


def refused_import(response) -> list[str]:
    """The import's refusal: the form's errors, or the problems of a file that was read."""
    assert response.status_code == 200
    if "report" in response.context:
        assert "Confirm the import" not in response.content.decode()
        assert not response.context["ticket"]
        return response.context["problems"]
    return response.context["form"].errors["file"]


def test_binary_garbage_named_csv_is_refused_as_not_utf8(client_for, coordinator, cohort, settings):
    before = everything(settings)

    problems = refused_import(import_csv(client_for(coordinator), cohort, GARBAGE))

    assert problems == [
        "Line 1: the file is not UTF-8 text (byte 1 cannot be read). "
        "Save it as “CSV UTF-8” and try again."
    ]
    assert everything(settings) == before


def test_an_empty_file_is_refused(client_for, coordinator, cohort, settings):
    before = everything(settings)

    errors = refused_import(import_csv(client_for(coordinator), cohort, b""))

    assert errors == [EMPTY]
    assert everything(settings) == before


def test_a_file_of_blank_lines_is_refused_as_empty(client_for, coordinator, cohort, settings):
    before = everything(settings)

    problems = refused_import(import_csv(client_for(coordinator), cohort, b"\n \r\n\n"))

    assert problems[0].startswith("Line 1: the file is empty.")
    assert everything(settings) == before


def test_a_pdf_sent_to_the_import_is_refused_by_its_type(client_for, coordinator, cohort, settings):
    before = everything(settings)

    errors = refused_import(
        import_csv(
            client_for(coordinator),
            cohort,
            PDF_START,
            name="contract.pdf",
            content_type="application/pdf",
        )
    )

    assert errors == [NOT_CSV]
    assert everything(settings) == before


def test_a_pdf_renamed_to_csv_is_refused_by_its_content(client_for, coordinator, cohort, settings):
    before = everything(settings)

    problems = refused_import(import_csv(client_for(coordinator), cohort, PDF_START))

    assert problems == [
        "Line 2: the file is not UTF-8 text (byte 11 cannot be read). "
        "Save it as “CSV UTF-8” and try again."
    ]
    assert everything(settings) == before


def test_text_with_nul_bytes_is_refused_with_a_line_number(
    client_for, coordinator, cohort, settings
):
    data = GOOD_CSV + b"ben@example.org,Ben\x00,Nova,,,,,\n"
    before = everything(settings)

    problems = refused_import(import_csv(client_for(coordinator), cohort, data))

    assert problems == [
        "Line 3: the file contains a NUL character, so it is not CSV text. Save it as “CSV UTF-8”."
    ]
    assert everything(settings) == before


def test_a_file_over_the_real_size_limit_is_refused(client_for, coordinator, cohort, settings):
    padding = b"x" * (importing.MAX_UPLOAD_BYTES + 1 - len(GOOD_CSV))
    before = everything(settings)

    errors = refused_import(import_csv(client_for(coordinator), cohort, GOOD_CSV + padding))

    assert errors == ["The file is 5.0\xa0MB; the limit is 5.0\xa0MB. Split it into smaller files."]
    assert everything(settings) == before


def test_a_good_file_still_previews_after_all_that(client_for, coordinator, cohort):
    """The refusals above aren't the page refusing everything."""
    response = import_csv(client_for(coordinator), cohort, GOOD_CSV)

    assert response.context["report"].is_valid and response.context["ticket"]


# The public PDF verifier ---------------------------------------------------------------------


def verify(client, data, *, name="contract.pdf", content_type="application/pdf"):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(reverse("contract_verify"), {"pdf": upload})


def refused_pdf(response) -> list[str]:
    assert response.status_code == 200
    assert response.context["verification"] is None
    form = response.context["upload_form"]
    return [*form.errors.get("pdf", []), *form.non_field_errors()]


def test_a_csv_sent_to_the_verifier_is_refused(client, settings):
    before = everything(settings)

    errors = refused_pdf(verify(client, GOOD_CSV, name="members.csv", content_type="text/csv"))

    assert errors == [NOT_PDF]
    assert everything(settings) == before


def test_binary_garbage_sent_to_the_verifier_is_refused(client, settings):
    before = everything(settings)

    assert refused_pdf(verify(client, GARBAGE)) == [NOT_PDF]
    assert everything(settings) == before


def test_an_empty_file_sent_to_the_verifier_is_refused(client, settings):
    before = everything(settings)

    assert refused_pdf(verify(client, b"")) == [EMPTY]
    assert everything(settings) == before


@pytest.mark.parametrize(
    "data",
    [
        PDF_START,
        b"%PDF-1.7\n" + os.urandom(2048),
        b"%PDF-1.4\n1 0 obj\n<< /Type /Sig /Contents <00ff> /ByteRange [0 1 2 3] >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n",
    ],
    ids=["catalog-only", "header-then-random", "forged-signature-dictionary"],
)
def test_a_malformed_pdf_is_not_verified_and_nothing_is_written(client, settings, data):
    before = everything(settings)

    response = verify(client, data)

    assert response.status_code == 200
    assert response.context["verification"].authentic is False
    assert "Not verified." in response.content.decode()
    assert everything(settings) == before


def test_a_truncated_signed_pdf_is_not_verified(client, settings, cohort, member, partner):
    contract = signed_contract(cohort, [member, partner])
    pdf = bytes(documents.contract_document_ensure(contract=contract).pdf)
    before = everything(settings)

    response = verify(client, pdf[: len(pdf) // 2])

    assert response.context["verification"].authentic is False
    assert everything(settings) == before


def test_a_file_over_the_limit_is_refused_without_being_kept(client, settings):
    settings.CONTRACT_VERIFY_MAX_UPLOAD_MB = 1
    settings.CONTRACT_VERIFY_MAX_UPLOAD_BYTES = 1024 * 1024
    before = everything(settings)

    errors = refused_pdf(verify(client, PDF_START + b"0" * (1024 * 1024)))

    assert "The file is larger than 1 MB: it cannot be a contract PDF of ours." in errors
    assert everything(settings) == before
