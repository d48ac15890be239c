"""PAdES signatures: which key signs, and what pyHanko says about the signed file."""

import functools
import io
import logging
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from contracts import documents, signing
from tests.contracts.pdf_factories import signed_contract, use_temporary_files

HASH = "ab" * 32


@pytest.fixture(autouse=True)
def signing_dir(settings, tmp_path):
    return use_temporary_files(settings, tmp_path)


@functools.cache
def _one_paragraph_pdf() -> bytes:
    import weasyprint

    return weasyprint.HTML(string="<p>A contract.</p>").write_pdf()


@pytest.fixture
def hello_pdf():
    """A small real PDF: it keeps the key tests quick."""
    return _one_paragraph_pdf()


def organization(slug="northwind", name="Northwind Collective"):
    return SimpleNamespace(slug=slug, name=name)


def sign(pdf, org=None):
    return signing.pdf_sign(
        pdf=pdf, organization=org or organization(), contract_id=7, content_hash=HASH
    )


def pyhanko_status(pdf: bytes, trusted_certificate):
    """pyHanko's own verdict, trusting exactly the given certificate."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    context = ValidationContext(trust_roots=[trusted_certificate])
    return validate_pdf_signature(
        reader.embedded_signatures[0],
        signer_validation_context=context,
        key_usage_settings=signing._KEY_USAGE,
    )


def flip_a_byte_inside_a_stream(pdf: bytes) -> bytes:
    """Change one byte of page content, inside the signed byte range; the layout stays parseable."""
    start = pdf.index(b"stream\n", 200) + len(b"stream\n") + 5
    signed_end = int(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0].byte_range[1])
    assert start < signed_end
    changed = bytearray(pdf)
    changed[start] ^= 0x01
    return bytes(changed)


@pytest.mark.django_db
def test_stored_contract_pdf_is_intact_and_valid_for_our_certificate(cohort, member, partner):
    contract = signed_contract(cohort, [member, partner])
    pdf = bytes(documents.contract_document_ensure(contract=contract).pdf)
    certificate = signing.credentials_for(contract.organization).certificate

    status = pyhanko_status(pdf, certificate)

    assert status.intact and status.valid and status.trusted
    assert status.bottom_line


def test_changing_one_byte_in_the_signed_range_makes_the_signature_not_intact(hello_pdf):
    signed = sign(hello_pdf)
    certificate = signing.credentials_for(organization()).certificate

    status = pyhanko_status(flip_a_byte_inside_a_stream(signed), certificate)

    assert not status.intact
    assert not status.bottom_line


def test_signature_check_reports_authentic_then_tampered(hello_pdf):
    signed = sign(hello_pdf)

    good = signing.signature_check(signed)
    bad = signing.signature_check(flip_a_byte_inside_a_stream(signed))

    assert good.authentic and good.contract_id == 7 and good.content_hash == HASH
    assert bad.signed and not bad.intact and not bad.authentic


def test_signature_check_of_an_unsigned_or_broken_file_says_so(hello_pdf):
    assert signing.signature_check(hello_pdf).signed is False
    assert signing.signature_check(b"%PDF-1.7 truncated").signed is False


def test_development_certificate_is_generated_on_first_use_and_then_reused(hello_pdf, signing_dir):
    assert not signing_dir.exists()

    sign(hello_pdf)
    key, cert = signing_dir / "default.key.pem", signing_dir / "default.cert.pem"
    first = (key.read_bytes(), cert.read_bytes())
    sign(hello_pdf)

    assert (key.read_bytes(), cert.read_bytes()) == first
    assert key.stat().st_mode & 0o077 == 0  # the key is private to its owner
    assert signing.credentials_for(organization()).name == "default"


def test_generating_a_certificate_outside_debug_logs_a_warning(hello_pdf, settings, caplog):
    settings.DEBUG = False

    with caplog.at_level(logging.WARNING, logger="contracts.signing"):
        sign(hello_pdf)

    assert "generating a self-signed one" in caplog.text


def test_organization_certificate_is_used_when_present(hello_pdf, signing_dir):
    signing_dir.mkdir()
    signing.generate_self_signed(
        key_path=signing_dir / "northwind.key.pem",
        cert_path=signing_dir / "northwind.cert.pem",
        common_name="Northwind Collective",
    )

    check = signing.signature_check(sign(hello_pdf))
    southwind = signing.credentials_for(organization("southwind", "Southwind Guild"))

    assert check.authentic
    assert "Northwind Collective" in check.signer
    assert signing.credentials_for(organization()).name == "northwind"
    assert southwind.name == "default"


def test_a_key_without_its_certificate_is_a_configuration_error(hello_pdf, signing_dir):
    signing_dir.mkdir()
    (signing_dir / "northwind.key.pem").write_text("not used")

    with pytest.raises(ImproperlyConfigured, match="northwind.cert.pem"):
        sign(hello_pdf)


def test_generated_key_is_encrypted_with_the_configured_passphrase(
    hello_pdf, settings, signing_dir
):
    settings.CONTRACT_SIGNING_KEY_PASSPHRASE = "correct horse"
    sign(hello_pdf)
    signing._cache.clear()
    settings.CONTRACT_SIGNING_KEY_PASSPHRASE = "wrong"

    assert b"ENCRYPTED" in (signing_dir / "default.key.pem").read_bytes()
    with pytest.raises(ImproperlyConfigured, match="CONTRACT_SIGNING_KEY_PASSPHRASE"):
        sign(hello_pdf)


def test_a_signature_made_with_another_installations_key_is_not_trusted(
    hello_pdf, settings, tmp_path
):
    settings.CONTRACT_SIGNING_DIR = tmp_path / "elsewhere"
    foreign = sign(hello_pdf)
    settings.CONTRACT_SIGNING_DIR = tmp_path / "here"
    sign(hello_pdf)  # this installation has its own certificate

    check = signing.signature_check(foreign)

    assert check.intact and not check.trusted and not check.authentic
