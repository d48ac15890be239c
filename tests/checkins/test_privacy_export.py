"""Downloading one's data: a ZIP with data.json (the member's own data only) and the signed
contract PDFs."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from checkins.privacy import services as privacy
from contracts.pdf import RenderTimeout
from tests.checkins import privacy_scenario
from tests.contracts.pdf_factories import use_temporary_files
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _temporary_files(settings, tmp_path):
    use_temporary_files(settings, tmp_path)


@pytest.fixture
def scenario(cohort, member, partner, outsider, other_organization):
    return privacy_scenario.build(cohort, member, partner, outsider, other_organization)


def unzip(data: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("data.json")), files


def test_the_export_is_a_zip_of_data_json_and_the_signed_contract_pdfs(scenario, member):
    data, files = unzip(privacy.member_data_export(user=member))

    pdf_path = f"contracts/northwind-{scenario.contract.pk}-ana-silva--ben-okafor-v1.pdf"
    assert files == {pdf_path: privacy_scenario.SIGNED_PDF}  # the draft amendment has none
    signed = next(c for c in data["contracts"] if c["version"] == 1)
    assert signed["signed_pdf"] == pdf_path


def test_the_export_holds_what_an_import_stored_on_a_pending_invitation(
    scenario, member, other_organization
):
    InvitationFactory(
        cohort__program__organization=other_organization,
        email=member.email,
        import_data={"department": "Ops"},
    )

    data, _files = unzip(privacy.member_data_export(user=member))

    pending = [i for i in data["invitations"] if i["import_data"]]
    assert [i["import_data"] for i in pending] == [{"department": "Ops"}]
    assert pending[0]["declined_at"] is None


def test_the_export_holds_the_members_account_profile_pairs_and_contracts(
    scenario, member, organization
):
    data, _files = unzip(privacy.member_data_export(user=member))

    assert data["account"]["email"] == "ana@northwind.test"
    assert data["account"]["email_addresses"] == [
        {"email": "ana@northwind.test", "verified": True, "primary": True}
    ]
    assert [m["organization"]["slug"] for m in data["memberships"]] == ["northwind"]
    assert [e["cohort"] for e in data["enrolments"]] == ["Autumn 2026"]
    [profile] = data["profiles"]
    assert profile["about"] == "Ana's own about text"
    assert profile["offers"][0]["tag"] == "Public speaking"
    assert profile["needs"][0]["tag"] == "Fundraising"
    [pair] = data["pairs"]
    assert pair["partners"] == ["Ben Okafor"]
    signed = next(c for c in data["contracts"] if c["version"] == 1)
    assert signed["partners"] == ["Ben Okafor"]
    assert signed["shared_terms"]["boundaries"] == "No talk about salaries (alpha)"
    assert signed["my_section"]["assets"] == "Ana brings ten years of budgeting (alpha)"
    assert [g["statement"] for g in signed["my_section"]["goals"]] == [
        "Ana goal 1: lead a team of five (alpha)",
        "Ana goal 2: lead a team of five (alpha)",
    ]
    assert signed["my_signatures"][0]["typed_name"] == "Ana Silva"


def test_the_export_holds_the_members_own_checkins_meetings_and_settings(scenario, member):
    data, _files = unzip(privacy.member_data_export(user=member))

    [own] = data["checkins"]
    assert own["learned"] == "Ana learned budgeting"
    assert own["goal_progress"][0]["note"] == "Ana's progress note"
    assert own["indicator_values"][0]["note"] == "Ana's indicator note"
    assert own["next_steps"][0]["owner"] == "Ben Okafor"
    assert [s["description"] for s in data["next_steps_assigned_to_me"]] == [
        "Ana reviews the plan (from Ben's check-in)"
    ]
    assert len(data["meetings"]) == 2
    assert data["notification_preferences"]["checkin_nudge"] is False
    assert data["calendar_feed"] is not None
    assert {r["kind"] for r in data["reminders"]} >= {"meeting_24h", "meeting_1h"}
    assert data["partner_requests"][0]["other_person"] == "Carl Berg"
    assert "profile.updated" in [e["action"] for e in data["audit_events"]]


def test_the_export_leaves_out_the_partners_and_other_organizations_data(
    scenario, member, partner, outsider
):
    archive = privacy.member_data_export(user=member)
    text = json.dumps(unzip(archive)[0])

    for secret in (
        "Ben's private lesson",  # the partner's check-in
        "Ben's private about text",  # the partner's profile
        "Ben brings ten years",  # the partner's section
        "Ben goal 1",
        partner.email,
        "Southwind secret about text",  # another organization
        outsider.email,
        scenario.feed.token,  # a credential, not information
    ):
        assert secret not in text, secret


def test_the_download_page_sends_the_zip_and_records_the_export(
    client_for, scenario, member, client
):
    response = client_for(member).post(reverse("privacy_export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="peermentor-data-')
    assert "no-store" in response["Cache-Control"]
    assert unzip(response.content)[0]["account"]["email"] == member.email
    assert AuditEvent.objects.filter(action="account.data_exported", actor=member).exists()


def test_each_person_downloads_only_their_own_data(client_for, scenario, partner):
    data, _files = unzip(client_for(partner).post(reverse("privacy_export")).content)

    assert data["account"]["email"] == partner.email
    assert [c["learned"] for c in data["checkins"]] == ["Ben's private lesson"]


@pytest.mark.parametrize("name", ["privacy", "privacy_export", "privacy_delete"])
def test_the_privacy_pages_need_a_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_opening_the_download_address_makes_no_export(client_for, scenario, member):
    response = client_for(member).get(reverse("privacy_export"))

    assert response.status_code == 302
    assert response["Location"] == reverse("privacy")
    assert not AuditEvent.objects.filter(action="account.data_exported").exists()


def test_a_contract_too_slow_to_print_gives_a_message_not_an_error(
    client_for, scenario, member, monkeypatch
):
    def too_slow(**kwargs):
        raise RenderTimeout

    monkeypatch.setattr(privacy, "member_data_export", too_slow)

    response = client_for(member).post(reverse("privacy_export"), follow=True)

    assert response.status_code == 200
    assert "took too long to print" in response.content.decode()
    assert not AuditEvent.objects.filter(action="account.data_exported").exists()


def test_the_privacy_page_offers_the_download_and_the_deletion(client_for, member):
    response = client_for(member).get(reverse("privacy"))

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("privacy_export") in html
    assert reverse("privacy_delete") in html


def test_the_user_menu_links_to_the_privacy_page(client_for, member):
    html = client_for(member).get(reverse("home")).content.decode()

    assert f'href="{reverse("privacy")}"' in html
