"""Contract PDFs: render, sign and store the signed version once; verify a file or a hash.

A signed contract version has exactly one `ContractDocument`: the signed PDF, kept byte for
byte, so that the copy a partner downloads today and the one in a coordinator's export next
year have the same SHA-256 and verify against the same row. Drafts and versions awaiting
signatures get an unsigned, watermarked preview that is never stored.

The pages sit beside this module's functions: `views`, `forms` and `urls` (a contract's PDF,
the public verification page, and a cohort's contracts exported as a ZIP, built by
`contracts.export`), with `access` for their scoped lookups.
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.services import audit
from accounts.slugs import ascii_slug
from matching.models import PairMember

from .. import signing
from ..models import Contract, ContractDocument, ContractSection, Goal, Signature
from ..pdf import partners_of, render_contract_pdf

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


# Selectors -----------------------------------------------------------------------------------


def signed_versions() -> QuerySet[Contract]:
    """Versions every partner signed: current ones, and older ones an amendment replaced."""
    return Contract.objects.filter(
        Q(status=Contract.Status.SIGNED)
        | Q(status=Contract.Status.SUPERSEDED, signed_at__isnull=False)
    )


def is_signed_version(contract: Contract) -> bool:
    return contract.status == Contract.Status.SIGNED or (
        contract.status == Contract.Status.SUPERSEDED and contract.signed_at is not None
    )


def with_document_content(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """Everything the PDF shows, in a fixed number of queries whatever the contract's size."""
    return contracts.select_related(
        "organization", "cohort__program", "pair", "previous"
    ).prefetch_related(
        Prefetch("pair__members", queryset=PairMember.objects.select_related("user")),
        Prefetch("sections", queryset=ContractSection.objects.select_related("user")),
        Prefetch("sections__goals", queryset=Goal.objects.order_by("position", "pk")),
        "sections__goals__strategies",
        "sections__goals__indicators",
        Prefetch("signatures", queryset=Signature.objects.filter(withdrawn_at__isnull=True)),
    )


def contract_for_document(*, contract_id: int) -> Contract:
    return with_document_content(Contract.objects.all()).get(pk=contract_id)


def document_filename(contract: Contract, *, suffix: str = "") -> str:
    """`ana-silva--ben-okafor-v1.pdf`: the partners' names, then the version."""
    names = "--".join(ascii_slug(partner.name) or "partner" for partner in partners_of(contract))
    return f"{names or 'contract'}-v{contract.version}{suffix}.pdf"


# Services ------------------------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signed_contract_pdf(*, contract: Contract) -> bytes:
    """Render and sign (not stored): what `contract_document_ensure` keeps."""
    loaded = contract_for_document(contract_id=contract.pk)
    return signing.pdf_sign(
        pdf=render_contract_pdf(loaded),
        organization=loaded.organization,
        contract_id=loaded.pk,
        content_hash=loaded.content_hash,
    )


def contract_document_ensure(*, contract: Contract) -> ContractDocument:
    """The signed PDF of a signed contract version, rendered and signed the first time only.

    Idempotent and safe under concurrency: the contract row is locked while its PDF is made, so
    a second caller waits and then finds the first one's document (on SQLite, which ignores
    row locks, the unique contract column turns the loser's insert into a lookup).
    """
    document = ContractDocument.objects.filter(contract=contract).first()
    if document is not None:
        return document
    with transaction.atomic():
        locked = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=contract.pk)
        )
        document = ContractDocument.objects.filter(contract=locked).first()
        if document is not None:
            return document
        if not is_signed_version(locked):
            raise ValidationError(_("Only a contract every partner has signed has a signed PDF."))
        pdf = signed_contract_pdf(contract=locked)
        try:
            with transaction.atomic():
                document = ContractDocument.objects.create(
                    contract=locked, pdf=pdf, sha256=sha256_hex(pdf)
                )
        except IntegrityError:
            return ContractDocument.objects.get(contract=locked)
        audit(
            organization=locked.organization,
            actor=None,
            action="contract.document_signed",
            contract=locked.pk,
            version=locked.version,
            sha256=document.sha256,
        )
    return document


def contract_preview_pdf(*, contract: Contract) -> bytes:
    """An unsigned PDF with a "Draft – not signed" watermark on every page; not stored."""
    return render_contract_pdf(contract_for_document(contract_id=contract.pk), draft=True)


def contract_pdf_for_download(*, contract: Contract) -> tuple[bytes, str]:
    """(PDF bytes, file name): the stored signed PDF of a signed version, else a preview."""
    if is_signed_version(contract):
        document = contract_document_ensure(contract=contract)
        return bytes(document.pdf), document_filename(
            contract_for_document(contract_id=contract.pk)
        )
    loaded = contract_for_document(contract_id=contract.pk)
    return render_contract_pdf(loaded, draft=True), document_filename(loaded, suffix="-draft")


# Verification --------------------------------------------------------------------------------


@dataclass
class Verification:
    """What this installation can say about a PDF file or a hash.

    `contracts` are the signed versions it stands for (more than one only when several
    contracts have word-for-word the same content). `matched_by` says how we know:
    "file" (the exact bytes we stored), "signature" (our intact signature on a copy we don't
    hold byte for byte) or "content" (the content hash of a signed version).
    """

    authentic: bool
    contracts: list[Contract] = field(default_factory=list)
    matched_by: str = ""
    file_sha256: str = ""
    signature: signing.SignatureCheck | None = None

    @property
    def tampered(self) -> bool:
        """Signed, but bytes were changed or added after signing."""
        check = self.signature
        return bool(check and check.signed and not (check.intact and check.whole_file))


def _verifiable(condition: Q) -> list[Contract]:
    return list(
        signed_versions()
        .filter(condition)
        .select_related("organization", "cohort__program", "amendment")
        .prefetch_related(
            Prefetch("pair__members", queryset=PairMember.objects.select_related("user")),
            Prefetch(
                "signatures",
                queryset=Signature.objects.filter(withdrawn_at__isnull=True).order_by("signed_at"),
            ),
        )
        .order_by("-signed_at", "-pk")[:10]
    )


def normalize_hash(value: str) -> str:
    """A SHA-256 in lowercase hex, or ValidationError."""
    value = (value or "").strip().lower()
    if not SHA256_HEX.match(value):
        raise ValidationError(_("Enter a SHA-256 hash: 64 characters, 0–9 and a–f."))
    return value


def verify_hash(*, value: str) -> Verification:
    """Look up a PDF file's SHA-256, or else a contract's content hash."""
    value = normalize_hash(value)
    contracts = _verifiable(Q(document__sha256=value))
    if contracts:
        return Verification(
            authentic=True, contracts=contracts, matched_by="file", file_sha256=value
        )
    contracts = _verifiable(Q(content_hash=value))
    return Verification(
        authentic=bool(contracts), contracts=contracts, matched_by="content" if contracts else ""
    )


def verify_pdf(*, data: bytes) -> Verification:
    """Check an uploaded PDF: stored byte for byte, or carrying our intact signature."""
    digest = sha256_hex(data)
    check = signing.signature_check(data)
    contracts = _verifiable(Q(document__sha256=digest))
    if contracts:
        return Verification(
            authentic=True,
            contracts=contracts,
            matched_by="file",
            file_sha256=digest,
            signature=check,
        )
    if check.authentic and check.contract_id:
        contracts = _verifiable(Q(pk=check.contract_id, content_hash=check.content_hash))
        if contracts:
            return Verification(
                authentic=True,
                contracts=contracts,
                matched_by="signature",
                file_sha256=digest,
                signature=check,
            )
    return Verification(authentic=False, file_sha256=digest, signature=check)
