"""A cohort's signed contracts as one ZIP: the Celery task and `export_contracts` share this.

The archive holds one PDF per current signed contract version (the stored signed document, so
every file still verifies), named after the partners (`ana-silva--ben-okafor-v1.pdf`), and an
`index.csv` listing them. Entries are written in a fixed order with fixed timestamps, so the
same cohort gives byte-identical archives from the web and from the command line.
"""

import datetime
import io
import logging
import secrets
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Cohort, User
from accounts.services import audit
from accounts.spreadsheet import csv_writer
from matching.models import PairMember

from . import limits, tasks
from .documents import contract_document_ensure, document_filename
from .models import Contract, ContractDocument, ContractExport, ContractSection
from .pdf import partners_of

logger = logging.getLogger(__name__)

INDEX_NAME = "index.csv"
INDEX_COLUMNS = (
    "file",
    "partners",
    "emails",
    "version",
    "signed_at",
    "content_hash",
    "pdf_sha256",
)
EARLIEST_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class ExportResult:
    contracts: int = 0
    rendered: int = 0  # documents that had to be rendered and signed for this export
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)


# Selectors -----------------------------------------------------------------------------------


def cohort_contracts_for_export(*, cohort: Cohort) -> QuerySet[Contract]:
    """The cohort's current signed versions (amended ones are left out), oldest pair first."""
    return (
        Contract.objects.for_organization(cohort.organization)
        .filter(cohort=cohort, status=Contract.Status.SIGNED)
        .select_related("pair")
        .prefetch_related(
            Prefetch("pair__members", queryset=PairMember.objects.select_related("user")),
            Prefetch("sections", queryset=ContractSection.objects.select_related("user")),
            "signatures",  # a former member is named as they signed
        )
        .order_by("pk")
    )


def cohort_exports(*, cohort: Cohort, limit: int = 10) -> QuerySet[ContractExport]:
    return ContractExport.objects.filter(cohort=cohort).select_related("requested_by")[:limit]


def export_status(*, export: ContractExport) -> dict:
    """What the status page's poller needs."""
    return {
        "id": export.pk,
        "status": export.status,
        "status_label": str(export.get_status_display()),
        "progress": export.progress,
        "finished": export.status in (ContractExport.Status.DONE, ContractExport.Status.FAILED),
        "error": export.error,
    }


def export_download_name(export: ContractExport) -> str:
    return f"{export.cohort.slug}-signed-contracts-{export.created_at:%Y%m%d-%H%M}.zip"


# Building the archive ------------------------------------------------------------------------


def _unique(name: str, used: set[str]) -> str:
    stem, candidate, number = name.removesuffix(".pdf"), name, 2
    while candidate in used:
        candidate = f"{stem}-{number}.pdf"
        number += 1
    used.add(candidate)
    return candidate


def _zip_time(contract: Contract) -> tuple:
    if contract.signed_at is None:
        return EARLIEST_ZIP_TIME
    return max(contract.signed_at.astimezone(datetime.UTC).timetuple()[:6], EARLIEST_ZIP_TIME)


def write_contracts_zip(
    *,
    cohort: Cohort,
    target,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Write the cohort's signed contracts as a ZIP into the binary file object `target`.

    Renders and signs (once, for good) any document not made yet; `progress(done, total)` is
    called after each contract.
    """
    started = time.perf_counter()
    contracts = list(cohort_contracts_for_export(cohort=cohort))
    existing = set(
        ContractDocument.objects.filter(contract__in=contracts).values_list(
            "contract_id", flat=True
        )
    )
    result = ExportResult(contracts=len(contracts))
    index = io.StringIO()
    writer = csv_writer(index)
    writer.writerow(INDEX_COLUMNS)
    used: set[str] = set()
    with zipfile.ZipFile(target, "w") as archive:
        for done, contract in enumerate(contracts, start=1):
            document = contract_document_ensure(contract=contract)
            result.rendered += contract.pk not in existing
            name = _unique(document_filename(contract), used)
            entry = zipfile.ZipInfo(name, date_time=_zip_time(contract))
            entry.compress_type = zipfile.ZIP_STORED  # PDF streams are compressed already
            archive.writestr(entry, bytes(document.pdf))
            partners = partners_of(contract)
            writer.writerow(
                [
                    name,
                    "; ".join(partner.name for partner in partners),
                    "; ".join(partner.email for partner in partners if partner.email),
                    contract.version,
                    contract.signed_at.isoformat() if contract.signed_at else "",
                    contract.content_hash,
                    document.sha256,
                ]
            )
            result.files.append(name)
            if progress:
                progress(done, len(contracts))
        latest = max((_zip_time(contract) for contract in contracts), default=EARLIEST_ZIP_TIME)
        entry = zipfile.ZipInfo(INDEX_NAME, date_time=latest)
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, index.getvalue().encode("utf-8"))
    result.seconds = time.perf_counter() - started
    return result


# Services ------------------------------------------------------------------------------------


@transaction.atomic
def contract_export_request(*, cohort: Cohort, actor: User) -> ContractExport:
    """Queue a ZIP of the cohort's signed contracts; an export already under way is reused."""
    pending = (
        ContractExport.objects.select_for_update()
        .filter(
            cohort=cohort,
            status__in=[ContractExport.Status.QUEUED, ContractExport.Status.RUNNING],
        )
        .first()
    )
    if pending is not None:
        return pending
    export = ContractExport.objects.create(
        organization=cohort.organization, cohort=cohort, requested_by=actor
    )
    audit(
        organization=cohort.organization,
        actor=actor,
        action="contracts.export_requested",
        export=export.pk,
        cohort=cohort.pk,
    )
    transaction.on_commit(partial(tasks.build_contract_export.delay, export.pk))
    return export


def _set_progress(export: ContractExport, done: int, total: int) -> None:
    percent = min(99, done * 100 // total) if total else 99
    if percent != export.progress:
        # Committed at once (the run is not one transaction) so the status page sees it.
        ContractExport.objects.filter(pk=export.pk).update(progress=percent)
        export.progress = percent


def contract_export_run(*, export: ContractExport) -> ContractExport:
    """Build a queued export's archive. Not one transaction on purpose: progress is committed
    as it goes, and each document is stored as soon as it is signed."""
    claimed = ContractExport.objects.filter(
        pk=export.pk, status=ContractExport.Status.QUEUED
    ).update(status=ContractExport.Status.RUNNING, progress=0)
    if not claimed:  # taken by another worker, or finished
        export.refresh_from_db()
        return export
    export.status, export.progress = ContractExport.Status.RUNNING, 0
    cohort = export.cohort
    try:
        with tempfile.TemporaryFile() as file:
            result = write_contracts_zip(
                cohort=cohort, target=file, progress=partial(_set_progress, export)
            )
            file.seek(0)
            name = (
                f"{cohort.organization.slug}-{cohort.slug}-{export.pk}-{secrets.token_hex(8)}.zip"
            )
            export.archive.save(name, File(file), save=False)
    except Exception as error:
        logger.exception("Contract export %s failed", export.pk)
        export.status = ContractExport.Status.FAILED
        export.error = f"{type(error).__name__}: {error}"[: limits.EXPORT_ERROR_MAX]
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        audit(
            organization=export.organization,
            actor=export.requested_by,
            action="contracts.export_failed",
            export=export.pk,
            error=export.error,
        )
        return export
    export.status = ContractExport.Status.DONE
    export.progress = 100
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "progress", "archive", "finished_at"])
    audit(
        organization=export.organization,
        actor=export.requested_by,
        action="contracts.export_built",
        export=export.pk,
        contracts=result.contracts,
        rendered=result.rendered,
        seconds=round(result.seconds, 2),
    )
    return export


def contract_exports_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the archives (files and rows) of exports that finished more than
    CONTRACT_EXPORT_KEEP_DAYS ago; returns how many. Exports under way are left alone.

    Each row goes in its own transaction, and its file only once the row is gone: a failure
    half-way leaves no row pointing at a missing file."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.CONTRACT_EXPORT_KEEP_DAYS)
    old = ContractExport.objects.filter(
        status__in=[ContractExport.Status.DONE, ContractExport.Status.FAILED],
        finished_at__lt=cutoff,
    )
    deleted = 0
    for export in old.order_by("pk").iterator():
        with transaction.atomic():
            if not ContractExport.objects.filter(pk=export.pk).delete()[0]:
                continue  # another purge took it
            name, storage = export.archive.name, export.archive.storage
            if name:
                transaction.on_commit(partial(storage.delete, name), robust=True)
        deleted += 1
    return deleted


def contract_export_downloaded(*, export: ContractExport, actor: User) -> None:
    audit(
        organization=export.organization,
        actor=actor,
        action="contracts.export_downloaded",
        export=export.pk,
    )
