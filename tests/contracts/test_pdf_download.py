"""Downloading a contract's PDF: the stored signed file for partners and coordinators only."""

import hashlib
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from contracts.models import Contract, ContractDocument
from tests.contracts.pdf_factories import signed_contract, use_temporary_files
from tests.factories import EnrolmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _temporary_files(settings, tmp_path):
    use_temporary_files(settings, tmp_path)


@pytest.fixture
def contract(cohort, member, partner):
    return signed_contract(cohort, [member, partner])


def pdf_url(contract, org_slug="northwind"):
    return reverse("contract_pdf", kwargs={"org_slug": org_slug, "contract_id": contract.pk})


@pytest.mark.parametrize("who", ["member", "partner", "coordinator"])
def test_partners_and_coordinators_download_the_stored_signed_pdf(
    request, client_for, contract, who
):
    response = client_for(request.getfixturevalue(who)).get(pdf_url(contract))

    document = ContractDocument.objects.get(contract=contract)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(document.pdf)
    assert hashlib.sha256(response.content).hexdigest() == document.sha256


def test_every_download_serves_the_same_bytes(client_for, contract, member, coordinator):
    first = client_for(member).get(pdf_url(contract)).content
    second = client_for(coordinator).get(pdf_url(contract)).content

    assert first == second
    assert ContractDocument.objects.count() == 1


def test_download_is_named_after_the_partners_and_version(client_for, contract, member):
    response = client_for(member).get(pdf_url(contract))

    assert response["Content-Disposition"] == (
        'attachment; filename="ana-silva--ben-okafor-v1.pdf"'
    )


@pytest.mark.parametrize("status", [Contract.Status.DRAFT, Contract.Status.READY])
def test_unsigned_version_downloads_as_an_unstored_watermarked_preview(
    client_for, cohort, member, partner, status
):
    draft = signed_contract(cohort, [member, partner], status=status)

    response = client_for(member).get(pdf_url(draft))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "-v1-draft.pdf" in response["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Draft – not signed" in text
    assert not ContractDocument.objects.exists()


def test_member_of_the_organization_who_is_not_a_partner_gets_404(client_for, contract, cohort):
    classmate = EnrolmentFactory(cohort=cohort).user

    assert client_for(classmate).get(pdf_url(contract)).status_code == 404


def test_coordinator_of_another_organization_gets_404(client_for, contract, outsider):
    assert client_for(outsider).get(pdf_url(contract)).status_code == 404
    assert client_for(outsider).get(pdf_url(contract, "southwind")).status_code == 404


def test_partner_asking_through_another_organizations_slug_gets_404(
    client_for, contract, member, other_organization
):
    MembershipFactory(organization=other_organization, user=member)

    assert client_for(member).get(pdf_url(contract, "southwind")).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, contract):
    response = client.get(pdf_url(contract))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not ContractDocument.objects.exists()


def test_download_name_spells_danish_letters_out_instead_of_dropping_them(
    client_for, cohort, member, partner
):
    member.first_name, member.last_name = "Ida", "Mørch"
    partner.first_name, partner.last_name = "Jens", "Ålund"
    member.save()
    partner.save()
    contract = signed_contract(cohort, [member, partner])

    response = client_for(member).get(pdf_url(contract))

    assert response["Content-Disposition"] == (
        'attachment; filename="ida-moerch--jens-aalund-v1.pdf"'
    )
