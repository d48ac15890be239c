"""PAdES signatures on contract PDFs: keys and certificates, signing, validation.

An organization signs with `<org-slug>.key.pem` + `<org-slug>.cert.pem` from
`settings.CONTRACT_SIGNING_DIR` when both exist, else with the installation's
`default.key.pem` + `default.cert.pem`, which are generated (a self-signed certificate) the
first time they are needed. A certificate file may hold its chain after the signing
certificate; the chain is embedded in the signatures.

Validation trusts exactly the certificates found in that folder: a PDF is authentic when its
signature covers the whole file, is intact and was made with one of our keys.
"""

import datetime
import fcntl
import io
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

logger = logging.getLogger(__name__)

DEFAULT_NAME = "default"
SIGNATURE_FIELD = "PeerMentorSignature"
CERTIFICATE_YEARS = 10
# The signature's /Reason (covered by the signature) names the contract and its content hash,
# so that an authentic copy whose file hash we don't hold still leads to its contract.
REASON = "PeerMentor contract {contract_id}, content hash {content_hash}"
_REASON = re.compile(r"PeerMentor contract (\d+), content hash ([0-9a-f]{64})")
# Accept certificates issued for signing documents either way: `digitalSignature` (most
# document-signing certificates) or `nonRepudiation` (pyHanko's default).
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)

_lock = threading.Lock()
_cache: dict[tuple, "Credentials"] = {}


@dataclass(frozen=True)
class Credentials:
    """A loaded key and certificate chain, ready to sign."""

    name: str  # "default" or the organization's slug
    signer: signers.SimpleSigner
    certificate: asn1_x509.Certificate

    @property
    def subject(self) -> str:
        return self.certificate.subject.human_friendly


@dataclass(frozen=True)
class SignatureCheck:
    """What pyHanko says about the first signature of a PDF."""

    signed: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    whole_file: bool = False
    signer: str = ""
    signed_at: datetime.datetime | None = None
    contract_id: int | None = None
    content_hash: str = ""
    problem: str = ""

    @property
    def authentic(self) -> bool:
        """Made with one of our keys, and not a byte changed or added since."""
        return self.signed and self.intact and self.valid and self.trusted and self.whole_file


# Keys and certificates -----------------------------------------------------------------------


def signing_dir() -> Path:
    return Path(settings.CONTRACT_SIGNING_DIR)


def _passphrase() -> bytes | None:
    return settings.CONTRACT_SIGNING_KEY_PASSPHRASE.encode() or None


def key_paths(name: str) -> tuple[Path, Path]:
    folder = signing_dir()
    return folder / f"{name}.key.pem", folder / f"{name}.cert.pem"


def _credentials_name(organization) -> str:
    key, cert = key_paths(organization.slug)
    if key.exists() and cert.exists():
        return organization.slug
    if key.exists() or cert.exists():
        raise ImproperlyConfigured(
            f"{key.parent} holds only one of {key.name} and {cert.name}; add the other one "
            f"or remove it to sign {organization.slug}'s contracts with the default key."
        )
    return DEFAULT_NAME


def _default_common_name() -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"PeerMentor ({host})"


def generate_self_signed(*, key_path: Path, cert_path: Path, common_name: str) -> None:
    """Write a new EC P-256 key and a self-signed document-signing certificate for it.

    Files are created exclusively: an existing key is never overwritten.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PeerMentor"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    passphrase = _passphrase()
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_exclusive(key_path, key_pem, mode=0o600)
    _write_exclusive(cert_path, certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)


def _write_exclusive(path: Path, data: bytes, *, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def _ensure_default() -> None:
    key, cert = key_paths(DEFAULT_NAME)
    if key.exists() and cert.exists():
        return
    key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # One generator at a time across processes and threads; the others then find the files.
    with open(key.parent / ".generate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if key.exists() and cert.exists():
            return
        if key.exists() or cert.exists():
            raise ImproperlyConfigured(
                f"{key.parent} holds only one of {key.name} and {cert.name}: restore the other "
                "one, or remove both to generate a new self-signed certificate."
            )
        if not settings.DEBUG:
            logger.warning(
                "No signing certificate in %s: generating a self-signed one. Contracts will "
                "verify on this installation only; see the README to install your "
                "organization's own certificate.",
                key.parent,
            )
        generate_self_signed(key_path=key, cert_path=cert, common_name=_default_common_name())


def _read_certificates(path: Path) -> list[asn1_x509.Certificate]:
    data = path.read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, True)]
    return [asn1_x509.Certificate.load(data)]


def _load(name: str) -> Credentials:
    key_path, cert_path = key_paths(name)
    stamp = (str(key_path), key_path.stat().st_mtime_ns, cert_path.stat().st_mtime_ns)
    with _lock:
        cached = _cache.get(stamp)
    if cached is not None:
        return cached
    try:
        key_data = key_path.read_bytes()
        # The passphrase is for encrypted keys; an organization's unencrypted key still loads.
        passphrase = _passphrase() if b"ENCRYPTED" in key_data else None
        key = load_private_key_from_pemder_data(key_data, passphrase=passphrase)
        certificates = _read_certificates(cert_path)
    except (ValueError, TypeError, OSError) as error:
        raise ImproperlyConfigured(
            f"Cannot load the signing key {key_path} or certificate {cert_path}: {error}. "
            "Check the files and CONTRACT_SIGNING_KEY_PASSPHRASE."
        ) from error
    signer = signers.SimpleSigner(
        signing_cert=certificates[0],
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(certificates),
    )
    credentials = Credentials(name=name, signer=signer, certificate=certificates[0])
    with _lock:
        _cache[stamp] = credentials
    return credentials


def credentials_for(organization) -> Credentials:
    """The organization's own key and certificate, else the (generated) default ones."""
    name = _credentials_name(organization)
    if name == DEFAULT_NAME:
        _ensure_default()
    return _load(name)


def trusted_certificates() -> list[asn1_x509.Certificate]:
    """Every certificate in the signing folder: the ones our signatures may chain to."""
    found = []
    folder = signing_dir()
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.cert.pem")):
        try:
            found += _read_certificates(path)
        except (ValueError, OSError):
            logger.warning("Skipping unreadable certificate %s", path)
    return found


# Signing and validation ----------------------------------------------------------------------


def pdf_sign(*, pdf: bytes, organization, contract_id: int, content_hash: str) -> bytes:
    """The PDF with a PAdES signature of the organization appended (an incremental update)."""
    credentials = credentials_for(organization)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=REASON.format(contract_id=contract_id, content_hash=content_hash),
        location=settings.SITE_URL,
        name=organization.name,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    try:
        output = signers.sign_pdf(writer, metadata, signer=credentials.signer)
    except SigningError as error:
        raise ImproperlyConfigured(
            f"Cannot sign with {credentials.name}'s certificate: {error}"
        ) from error
    return output.getvalue()


def signature_check(pdf: bytes) -> SignatureCheck:
    """Validate the PDF's first signature against the certificates we trust.

    Never raises for a bad upload: a file pyHanko cannot read is reported as unsigned with
    the reason in `problem`.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception as error:  # noqa: BLE001 - any parse failure means "not our PDF"
        return SignatureCheck(signed=False, problem=f"unreadable PDF ({type(error).__name__})")
    if not embedded:
        return SignatureCheck(signed=False, problem="no digital signature")
    signature = embedded[0]
    reason = str(signature.sig_object.get("/Reason", ""))
    match = _REASON.search(reason)
    # An explicit (possibly empty) list: never fall back to the system's TLS trust store.
    context = ValidationContext(trust_roots=trusted_certificates(), allow_fetching=False)
    try:
        status = validate_pdf_signature(
            signature, signer_validation_context=context, key_usage_settings=_KEY_USAGE
        )
    except Exception as error:  # noqa: BLE001 - a malformed signature is simply not valid
        return SignatureCheck(
            signed=True, problem=f"signature cannot be checked ({type(error).__name__})"
        )
    return SignatureCheck(
        signed=True,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
        signed_at=status.signer_reported_dt,
        contract_id=int(match.group(1)) if match else None,
        content_hash=match.group(2) if match else "",
    )
