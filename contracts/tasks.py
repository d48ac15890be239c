"""Background work for contract documents. Tasks take ids, re-fetch, and return quietly when
the row is gone or no longer in the state they were queued for. Each task imports the services
it calls inside its body, so those modules can import this one to queue tasks without an import
circle."""

from celery import shared_task
from django.db import OperationalError

from .models import Contract, ContractExport


# A lost database connection is worth another try; a rendering error is not (it would fail
# the same way again), so only OperationalError is retried.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def render_contract_document(contract_id: int) -> None:
    """Render and sign the PDF of a contract version once every partner has signed it."""
    from . import documents

    contract = Contract.objects.filter(pk=contract_id, status=Contract.Status.SIGNED).first()
    if contract is None:
        return
    documents.contract_document_ensure(contract=contract)


@shared_task
def build_contract_export(export_id: int) -> None:
    """Write the ZIP of a cohort's signed contracts that a coordinator asked for."""
    from . import export

    contract_export = (
        ContractExport.objects.select_related(
            "cohort__organization", "organization", "requested_by"
        )
        .filter(pk=export_id, status=ContractExport.Status.QUEUED)
        .first()
    )
    if contract_export is None:
        return
    export.contract_export_run(export=contract_export)


@shared_task
def purge_old_contract_exports() -> int:
    """Delete the contract archives older than CONTRACT_EXPORT_KEEP_DAYS (daily, from beat)."""
    from . import export

    return export.contract_exports_purge()
