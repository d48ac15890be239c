"""How the isolation test (`tests/test_isolation.py`) reaches the contract document routes.

The World holds no contract or export, so `contract_in` and `export_in` make one on demand. The
PDF route is ENROLLED: the contract's partners (the World's enrolled member among them) and the
coordinators reach it; any other member of the organization gets 404. The public
`contract_verify` route is outside any organization and not in the table.
"""

from contracts.models import Contract, ContractExport
from tests.contracts.pdf_factories import signed_contract
from tests.factories import EnrolmentFactory
from tests.isolation import ENROLLED, Route, once


def contract_in(world) -> Contract:
    """A draft of the World's enrolled member and another member of the cohort: the PDF route
    answers with a watermarked preview and needs no signing key."""
    return once(
        world,
        "documents.contract",
        lambda: signed_contract(
            world.cohort,
            [world.enrolled_member, EnrolmentFactory(cohort=world.cohort).user],
            status=Contract.Status.DRAFT,
            goals=1,
        ),
    )


def export_in(world) -> ContractExport:
    return once(
        world,
        "documents.export",
        lambda: ContractExport.objects.create(organization=world.organization, cohort=world.cohort),
    )


# Views under @require_GET answer other methods with 405 for everyone, before any access check:
# only GET is listed for them. `cohort_contracts_export` shows its page on GET and starts an
# export on POST.
ROUTES = {
    "contract_pdf": Route(
        lambda w: {"contract_id": contract_in(w).pk}, methods=("get",), access=ENROLLED
    ),
    "cohort_contracts_export": Route(lambda w: {"cohort_id": w.cohort.pk}),
    "contract_export_status": Route(lambda w: {"export_id": export_in(w).pk}, methods=("get",)),
    "contract_export_status_json": Route(
        lambda w: {"export_id": export_in(w).pk}, methods=("get",)
    ),
    "contract_export_download": Route(lambda w: {"export_id": export_in(w).pk}, methods=("get",)),
}
