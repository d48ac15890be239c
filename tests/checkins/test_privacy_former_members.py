"""After a member deletes their account, nothing shows their anonymised address: signed
contracts name them as they signed, everything else says "a former member", and stored match
explanations no longer carry their name."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AuditEvent
from checkins.privacy import services as privacy
from contracts import export
from contracts.models import Contract
from contracts.services import contract_sign
from matching.models import MatchRun, Pair
from tests.contracts.pdf_factories import make_pair, signed_contract, use_temporary_files

pytestmark = pytest.mark.django_db

EXPLANATION = (
    "Ana Silva offers Budgeting (expert), which Ben Okafor needs most; "
    "Ben Okafor offers Public speaking (advanced), which Ana Silva needs."
)


@pytest.fixture(autouse=True)
def _temporary_files(settings, tmp_path):
    use_temporary_files(settings, tmp_path)


@pytest.fixture
def signed(cohort, member, partner):
    contract = signed_contract(cohort, [member, partner])
    Pair.objects.filter(pk=contract.pair_id).update(explanation=EXPLANATION)
    return contract


def delete_account(user):
    AuditEvent.objects.all().delete()  # audit entries are out of scope here
    return privacy.member_account_delete(user=user, actor=user)


def zip_of(cohort):
    target = io.BytesIO()
    export.write_contracts_zip(cohort=cohort, target=target)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        index = archive.read(export.INDEX_NAME).decode()
    return names, list(csv.DictReader(io.StringIO(index)))


def test_the_zip_names_a_former_member_as_they_signed(cohort, signed, member):
    delete_account(member)

    names, rows = zip_of(cohort)

    assert "ana-silva--ben-okafor-v1.pdf" in names
    assert rows[0]["file"] == "ana-silva--ben-okafor-v1.pdf"
    assert rows[0]["partners"] == "Ana Silva; Ben Okafor"
    assert rows[0]["emails"] == "ben@northwind.test"
    assert not any("deleted-" in name for name in names)


def test_the_signed_pdf_download_is_named_as_signed(client_for, signed, member, partner):
    delete_account(member)

    response = client_for(partner).get(reverse("contract_pdf", args=["northwind", signed.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ana-silva--ben-okafor-v1.pdf"'


def test_a_version_not_signed_by_all_names_a_former_member_as_such(
    client_for, cohort, member, partner
):
    draft = signed_contract(cohort, [member, partner], status=Contract.Status.READY)
    contract_sign(
        contract=draft,
        user=member,
        typed_name="Ana Silva",
        content_hash=draft.content_hash,
        notify=False,
    )
    delete_account(member)

    response = client_for(partner).get(reverse("contract_pdf", args=["northwind", draft.pk]))

    disposition = response["Content-Disposition"]
    assert "a-former-member" in disposition and "ben-okafor" in disposition
    assert "deleted" not in disposition
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "a former member" in text
    assert "deleted-" not in text
    assert "Ana Silva" not in text  # her signature was withdrawn with her account


def test_the_stored_match_explanation_no_longer_names_the_former_member(signed, member):
    delete_account(member)

    assert Pair.objects.get(pk=signed.pair_id).explanation == (
        "A former member offers Budgeting (expert), which Ben Okafor needs most; "
        "Ben Okafor offers Public speaking (advanced), which a former member needs."
    )


def test_the_explanation_is_scrubbed_in_the_language_it_was_written_in(
    cohort, member, partner, coordinator
):
    coordinator.language = "da"
    coordinator.save(update_fields=["language"])
    run = MatchRun.objects.create(
        organization=cohort.organization, cohort=cohort, started_by=coordinator
    )
    pair = make_pair(cohort, [member, partner])
    Pair.objects.filter(pk=pair.pk).update(
        run=run, explanation="Ana Silva tilbyder Budgetter (ekspert), som Ben Okafor har brug for."
    )

    delete_account(member)

    assert Pair.objects.get(pk=pair.pk).explanation == (
        "Et tidligere medlem tilbyder Budgetter (ekspert), som Ben Okafor har brug for."
    )


def test_pair_and_contract_pages_show_no_anonymised_address(
    client_for, cohort, signed, member, partner, coordinator
):
    deleted = delete_account(member)
    pages = {
        "pair, partner": client_for(partner).get(
            reverse("pair_detail", args=["northwind", signed.pair_id])
        ),
        "matching, coordinator": client_for(coordinator).get(
            reverse("matching_cohort", args=["northwind", cohort.pk])
        ),
        "contract, partner": client_for(partner).get(
            reverse("contract_detail", args=["northwind", signed.pk])
        ),
        "contracts, coordinator": client_for(coordinator).get(
            reverse("cohort_contracts", args=["northwind", cohort.pk])
        ),
    }

    for label, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, label
        assert deleted.email not in html, label
        assert "deleted-" not in html, label
    assert "a former member" in pages["pair, partner"].content.decode()
