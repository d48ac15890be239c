"""The contract PDF: what it shows, and the one signed document kept per signed version."""

import hashlib
import io
import re

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from accounts.models import AuditEvent
from contracts import documents
from contracts.models import Contract, ContractDocument
from contracts.tasks import render_contract_document
from tests.contracts.pdf_factories import contract_texts, signed_contract, use_temporary_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _temporary_files(settings, tmp_path):
    use_temporary_files(settings, tmp_path)


@pytest.fixture
def contract(cohort, member, partner):
    return signed_contract(cohort, [member, partner])


def text_of(pdf: bytes) -> str:
    """The PDF's text on one line: words wrapped at a line end still read as one string."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_signed_pdf_shows_every_goal_strategy_indicator_typed_name_and_the_content_hash(contract):
    pdf = bytes(documents.contract_document_ensure(contract=contract).pdf)
    text = text_of(pdf)

    missing = [snippet for snippet in contract_texts(contract) if snippet not in text]
    assert missing == []
    assert contract.content_hash in text


def test_pdf_shows_organization_program_cohort_partners_terms_and_targets(contract):
    text = text_of(documents.signed_contract_pdf(contract=contract))

    for snippet in (
        "Northwind Collective",
        "Peer mentoring for team leads",
        "Autumn 2026",
        "Ana Silva",
        "Ben Okafor",
        "Ana brings ten years of budgeting (alpha)",
        "Ben needs feedback on public speaking (alpha)",
        "Ana will review grant drafts (alpha)",
        "No talk about salaries (alpha)",
        "Every two weeks, Tuesday at 18:00 (Europe/Copenhagen)",
        "12.5 talks",
        "Yes / no",
        "31 Mar 2027",
        "14 Sep 2026, 17:30",
    ):
        assert snippet in text, snippet
    # Horizons are printed in capitals (CSS), so their text comes out upper case.
    assert "goal · one year" in text.lower()
    assert "goal · one month" in text.lower()


def test_pdf_has_version_and_page_numbers_on_every_page(contract):
    reader = PdfReader(io.BytesIO(documents.signed_contract_pdf(contract=contract)))
    pages = len(reader.pages)

    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert f"Page {number} of {pages}" in text
        assert "Contract version 1" in text


def test_pdf_links_to_the_verification_page_for_its_content_hash(contract, settings):
    text = text_of(documents.signed_contract_pdf(contract=contract))

    assert f"{settings.SITE_URL}/verify/?hash={contract.content_hash}" in squeezed(text)


def test_pdf_metadata_has_title_language_and_the_organization_as_author(contract):
    reader = PdfReader(io.BytesIO(documents.signed_contract_pdf(contract=contract)))

    assert reader.metadata.title == "Peer-mentoring contract: Ana Silva & Ben Okafor (version 1)"
    assert reader.metadata.author == "Northwind Collective"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_draft_preview_is_watermarked_unsigned_and_not_stored(cohort, member, partner):
    draft = signed_contract(cohort, [member, partner], status=Contract.Status.DRAFT)

    pdf = documents.contract_preview_pdf(contract=draft)

    assert "Draft – not signed" in text_of(pdf)
    assert b"/ByteRange" not in pdf
    assert not ContractDocument.objects.exists()


def test_ensure_stores_one_document_and_returns_the_same_bytes_every_time(contract):
    first = documents.contract_document_ensure(contract=contract)
    second = documents.contract_document_ensure(contract=Contract.objects.get(pk=contract.pk))

    assert ContractDocument.objects.count() == 1
    assert second.pk == first.pk
    assert bytes(second.pdf) == bytes(first.pdf)
    assert first.sha256 == hashlib.sha256(bytes(first.pdf)).hexdigest()


def test_ensure_renders_only_the_first_time(contract, monkeypatch):
    documents.contract_document_ensure(contract=contract)
    monkeypatch.setattr(documents, "render_contract_pdf", pytest.fail)

    documents.contract_document_ensure(contract=contract)


def test_ensure_records_an_audit_event_once(contract):
    documents.contract_document_ensure(contract=contract)
    documents.contract_document_ensure(contract=contract)

    event = AuditEvent.objects.get(action="contract.document_signed")
    assert event.organization_id == contract.organization_id
    assert event.data["contract"] == contract.pk


@pytest.mark.parametrize("status", [Contract.Status.DRAFT, Contract.Status.READY])
def test_ensure_refuses_a_contract_not_signed_by_every_partner(cohort, member, partner, status):
    unsigned = signed_contract(cohort, [member, partner], status=status)

    with pytest.raises(ValidationError):
        documents.contract_document_ensure(contract=unsigned)
    assert not ContractDocument.objects.exists()


def test_render_task_stores_the_signed_document(contract):
    render_contract_document.delay(contract.pk)

    assert ContractDocument.objects.filter(contract=contract).count() == 1


def test_render_task_ignores_a_contract_that_is_gone_or_unsigned(cohort, member, partner):
    draft = signed_contract(cohort, [member, partner], status=Contract.Status.DRAFT)

    render_contract_document.delay(draft.pk)
    render_contract_document.delay(draft.pk + 1000)

    assert not ContractDocument.objects.exists()


def test_rendering_reads_the_contract_in_a_fixed_number_of_queries(
    cohort, member, partner, django_assert_max_num_queries
):
    big = signed_contract(cohort, [member, partner], goals=6)

    with django_assert_max_num_queries(10):
        documents.signed_contract_pdf(contract=big)
