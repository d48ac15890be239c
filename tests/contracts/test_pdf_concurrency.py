"""Three workers ensure the same contract's PDF at once: it is rendered and stored once.

Needs PostgreSQL: the contract row lock (SELECT … FOR UPDATE) makes the others wait, which
SQLite doesn't do. Each thread has its own database connection, and the test commits for real
(`transaction=True`) so the threads see each other's work.
"""

import threading

from django.db import connection

from contracts import documents
from contracts.models import ContractDocument
from tests.contracts.pdf_factories import signed_contract, use_temporary_files
from tests.postgres import needs_postgres

pytestmark = needs_postgres("row locks")

WORKERS = 3


def test_concurrent_ensures_render_once_and_return_the_same_document(
    settings, tmp_path, cohort, member, partner, monkeypatch
):
    use_temporary_files(settings, tmp_path)
    contract = signed_contract(cohort, [member, partner], goals=1)
    renders, results, errors = [], [], []
    render = documents.render_contract_pdf

    def counting_render(*args, **kwargs):
        renders.append(1)
        return render(*args, **kwargs)

    monkeypatch.setattr(documents, "render_contract_pdf", counting_render)
    start = threading.Barrier(WORKERS)

    def worker():
        try:
            start.wait()
            results.append(documents.contract_document_ensure(contract=contract).pk)
        except Exception as error:  # noqa: BLE001 - reported in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _index in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len(set(results)) == 1 and len(results) == WORKERS
    assert ContractDocument.objects.count() == 1
    assert len(renders) == 1
