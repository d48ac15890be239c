"""The public verification page: by upload or by hash, telling only what a visitor may know."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from contracts import documents
from contracts.models import Contract, ContractDocument, ContractExport
from tests.contracts.pdf_factories import signed_contract, use_temporary_files
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

URL = reverse("contract_verify")
AUTHENTIC = "Authentic: this is a contract signed on this site."
NOT_VERIFIED = "Not verified."


@pytest.fixture(autouse=True)
def signing_dir(settings, tmp_path):
    return use_temporary_files(settings, tmp_path)


@pytest.fixture
def contract(cohort, member, partner):
    return signed_contract(cohort, [member, partner])


@pytest.fixture
def document(contract):
    return documents.contract_document_ensure(contract=contract)


def upload(client, data: bytes, name="contract.pdf"):
    return client.post(URL, {"pdf": SimpleUploadedFile(name, data, "application/pdf")})


def tampered(pdf: bytes) -> bytes:
    position = pdf.index(b"stream\n", 200) + len(b"stream\n") + 5
    changed = bytearray(pdf)
    changed[position] ^= 0x01
    return bytes(changed)


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def result(html: str) -> str:
    """The result panel alone (the navigation names the visitor's own organizations)."""
    start = html.index('aria-labelledby="result-heading"')
    return html[start : html.index("</section>", start)]


def test_page_is_public_and_offers_both_ways_to_check(client):
    html = page(client.get(URL))

    assert 'enctype="multipart/form-data"' in html
    assert 'name="hash"' in html


def test_uploaded_signed_pdf_is_authentic_with_its_status_and_signing_dates(client, document):
    html = page(upload(client, bytes(document.pdf)))

    assert AUTHENTIC in html
    assert "byte for byte" in html
    assert "Signed, current version" in html
    assert "14 September 2026, 17:31 UTC" in html
    assert document.sha256 in html


def test_tampered_pdf_is_not_authentic(client, document):
    html = page(upload(client, tampered(bytes(document.pdf))))

    assert NOT_VERIFIED in html
    assert "changed after it was signed" in html
    assert AUTHENTIC not in html


def test_an_intact_signed_copy_is_authentic_even_when_its_bytes_are_not_stored(
    client, contract, document
):
    """An earlier rendering of the same signed version (its document since replaced)."""
    copy = documents.signed_contract_pdf(contract=contract)
    assert hashlib.sha256(copy).hexdigest() != document.sha256

    html = page(upload(client, copy))

    assert AUTHENTIC in html
    assert "digital signature, intact" in html


def test_a_pdf_signed_by_another_installation_is_not_authentic(
    client, contract, document, settings, tmp_path
):
    settings.CONTRACT_SIGNING_DIR = tmp_path / "elsewhere"
    foreign = documents.signed_contract_pdf(contract=contract)
    settings.CONTRACT_SIGNING_DIR = tmp_path / "signing"

    html = page(upload(client, foreign))

    assert NOT_VERIFIED in html
    assert "not by this site" in html


def test_draft_preview_is_not_authentic(client, cohort, member, partner):
    draft = signed_contract(cohort, [member, partner], status=Contract.Status.DRAFT)

    html = page(upload(client, documents.contract_preview_pdf(contract=draft)))

    assert NOT_VERIFIED in html


def state(signing_dir, settings):
    return (
        ContractDocument.objects.count(),
        ContractExport.objects.count(),
        Contract.objects.count(),
        AuditEvent.objects.count(),
        sorted(path.name for path in signing_dir.glob("*")) if signing_dir.exists() else [],
        settings.MEDIA_ROOT.exists(),
    )


def test_a_file_that_is_not_a_pdf_gets_a_clear_error_and_nothing_is_written(
    client, signing_dir, settings
):
    before = state(signing_dir, settings)

    html = page(upload(client, b"GIF89a not a contract", name="contract.pdf"))

    assert "This file is not a PDF." in html
    assert NOT_VERIFIED not in html and AUTHENTIC not in html
    assert state(signing_dir, settings) == before


def test_a_file_over_the_size_limit_gets_a_clear_error_and_nothing_is_written(
    client, document, settings, signing_dir
):
    settings.CONTRACT_VERIFY_MAX_UPLOAD_BYTES = 4096
    before = state(signing_dir, settings)

    html = page(upload(client, bytes(document.pdf)))

    assert "The file is larger than" in html
    assert AUTHENTIC not in html
    assert state(signing_dir, settings) == before


def test_posting_without_a_file_asks_for_one(client):
    assert "Choose the PDF file to check." in page(client.post(URL, {}))


def test_upload_needs_the_csrf_token(document):
    client = Client(enforce_csrf_checks=True)

    response = upload(client, bytes(document.pdf))

    assert response.status_code == 403


def test_lookup_by_the_files_sha256_is_authentic(client, document):
    html = page(client.get(URL, {"hash": document.sha256.upper()}))

    assert AUTHENTIC in html
    assert "byte for byte" in html


def test_lookup_by_the_content_hash_is_authentic(client, contract):
    html = page(client.get(URL, {"hash": contract.content_hash}))

    assert AUTHENTIC in html
    assert "content hash of a contract every partner signed" in html


def test_lookup_of_an_unknown_hash_finds_nothing(client, contract):
    html = page(client.get(URL, {"hash": "0" * 64}))

    assert "No contract signed on this site has this hash." in html


def test_content_hash_of_a_contract_awaiting_signatures_finds_nothing(
    client, cohort, member, partner
):
    ready = signed_contract(cohort, [member, partner], status=Contract.Status.READY)

    html = page(client.get(URL, {"hash": ready.content_hash}))

    assert AUTHENTIC not in html


def test_a_malformed_hash_gets_a_clear_error(client):
    html = page(client.get(URL, {"hash": "not-a-hash"}))

    assert "Enter a SHA-256 hash" in html


def test_superseded_version_says_so_and_names_the_amendment(client, cohort, member, partner):
    first = signed_contract(cohort, [member, partner], status=Contract.Status.SUPERSEDED)
    signed_contract(
        cohort, [member, partner], tag="beta", version=2, previous=first, pair=first.pair
    )

    html = page(client.get(URL, {"hash": first.content_hash}))

    assert AUTHENTIC in html
    assert "Superseded by an amendment" in html
    assert "Version 2, signed on 14 September 2026" in html


SECRETS = ("Ana Silva", "Ben Okafor", "Northwind Collective", "Autumn 2026")


def test_anonymous_visitor_sees_no_names_organization_or_content(client, document):
    html = result(page(upload(client, bytes(document.pdf))))

    assert AUTHENTIC in html
    assert [secret for secret in SECRETS if secret in html] == []
    assert reverse("contract_pdf", args=["northwind", document.contract_id]) not in html


def test_coordinator_of_another_organization_sees_no_names(client_for, document, outsider):
    html = result(page(client_for(outsider).get(URL, {"hash": document.sha256})))

    assert AUTHENTIC in html
    assert [secret for secret in SECRETS if secret in html] == []


def test_member_of_the_organization_who_is_not_a_partner_sees_no_names(
    client_for, document, organization
):
    stranger = MembershipFactory(organization=organization, user__first_name="Zed").user

    html = result(page(client_for(stranger).get(URL, {"hash": document.sha256})))

    assert [secret for secret in SECRETS if secret in html] == []


@pytest.mark.parametrize("who", ["member", "partner", "coordinator"])
def test_partners_and_coordinators_see_names_organization_and_a_download_link(
    request, client_for, document, who
):
    user = request.getfixturevalue(who)

    html = result(page(client_for(user).get(URL, {"hash": document.sha256})))

    assert all(secret in html for secret in SECRETS)
    assert reverse("contract_pdf", args=["northwind", document.contract_id]) in html


def test_uploads_are_rate_limited_per_address_but_hash_checks_are_not(client, document):
    for _attempt in range(20):
        assert upload(client, b"%PDF-1.7 not really").status_code == 200

    refused = upload(client, bytes(document.pdf))
    by_hash = client.get(URL, {"hash": document.sha256})
    other_address = upload(Client(REMOTE_ADDR="192.0.2.7"), b"%PDF-1.7 not really")

    assert refused.status_code == 429
    assert "Too many files checked from your address" in refused.content.decode()
    assert AUTHENTIC not in refused.content.decode()
    assert by_hash.status_code == 200
    assert AUTHENTIC in by_hash.content.decode()
    assert other_address.status_code == 200
