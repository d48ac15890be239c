"""Deleting one's account: explained first, confirmed with the password and a typed word; the
account is anonymised, personal data goes, signed contracts stay readable for the partner."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AuditEvent, Enrolment, Invitation, Membership, User
from checkins.models import (
    CalendarFeed,
    CheckIn,
    Meeting,
    NextStep,
    NotificationPreference,
    Reminder,
)
from checkins.privacy import services as privacy
from contracts.models import Contract, ContractDocument, ContractSection, Goal, Signature
from matching.models import Pair, PairMember, PartnerRequest
from profiles.models import Profile
from tests.checkins import privacy_scenario
from tests.contracts.pdf_factories import signed_contract, use_temporary_files
from tests.factories import PASSWORD, InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _temporary_files(settings, tmp_path):
    use_temporary_files(settings, tmp_path)


@pytest.fixture
def scenario(cohort, member, partner, outsider, other_organization):
    return privacy_scenario.build(cohort, member, partner, outsider, other_organization)


def confirm(client, password=PASSWORD, word="DELETE"):
    return client.post(reverse("privacy_delete"), {"password": password, "confirmation": word})


def contract_url(contract):
    return reverse(
        "contract_detail",
        kwargs={"org_slug": contract.organization.slug, "contract_id": contract.pk},
    )


def personal_rows(user):
    return {
        "profiles": Profile.objects.filter(user=user).count(),
        "memberships": Membership.objects.filter(user=user).count(),
        "enrolments": Enrolment.objects.filter(user=user).count(),
        "checkins": CheckIn.objects.filter(user=user).count(),
        "next steps": NextStep.objects.filter(owner=user).count(),
        "preferences": NotificationPreference.objects.filter(user=user).count(),
        "feeds": CalendarFeed.objects.filter(user=user).count(),
        "reminders": Reminder.objects.filter(recipient=user).count(),
        "requests": PartnerRequest.objects.filter(from_user=user).count(),
        "email addresses": EmailAddress.objects.filter(user=user).count(),
    }


# Before confirming -----------------------------------------------------------------------------


def test_the_page_explains_what_is_deleted_and_what_stays_before_confirming(
    client_for, scenario, member
):
    response = client_for(member).get(reverse("privacy_delete"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "The contract you signed with your partner stays." in html
    assert "your name as you typed it when signing" in html
    assert "Your pair is ended" in html
    assert "Your part of the contract that is not signed yet is erased" in html
    assert 'name="password"' in html and 'name="confirmation"' in html
    assert User.objects.get(pk=member.pk).is_active


def test_a_wrong_password_is_refused_and_nothing_changes(client_for, scenario, member):
    before = personal_rows(member)

    response = confirm(client_for(member), password="not-my-password")

    assert response.status_code == 200
    assert "That password is not right." in response.content.decode()
    member.refresh_from_db()
    assert (member.email, member.first_name, member.is_active) == (
        "ana@northwind.test",
        "Ana",
        True,
    )
    assert personal_rows(member) == before
    assert Pair.objects.get(pk=scenario.pair.pk).status == Pair.Status.ACTIVE


def test_a_wrong_confirmation_word_is_refused(client_for, scenario, member):
    response = confirm(client_for(member), word="delete me")

    assert response.status_code == 200
    assert "Type DELETE, exactly, to confirm." in response.content.decode()
    assert User.objects.get(pk=member.pk).is_active


def test_the_only_coordinator_of_an_organization_cannot_delete_their_account(
    client_for, coordinator, organization
):
    page = client_for(coordinator).get(reverse("privacy_delete"))
    response = confirm(client_for(coordinator))

    assert "You are the only coordinator of an organization" in page.content.decode()
    assert response.status_code == 200
    assert "Make someone else a coordinator" in response.content.decode()
    assert User.objects.get(pk=coordinator.pk).is_active


# Confirmed -------------------------------------------------------------------------------------


def test_confirming_ends_the_session_and_anonymises_the_account(client_for, scenario, member):
    client = client_for(member)

    response = confirm(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert SESSION_KEY not in client.session
    member.refresh_from_db()
    assert member.email == f"deleted-{member.pk}@invalid"
    assert (member.first_name, member.last_name) == ("", "")
    assert not member.is_active
    assert not member.has_usable_password()


def test_the_old_email_no_longer_logs_in(client_for, scenario, member):
    confirm(client_for(member))

    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "ana@northwind.test", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    failed = AuditEvent.objects.get(action="login.failed")
    assert (failed.organization, failed.actor) == (None, None)


def test_personal_data_is_gone_and_the_partners_stays(client_for, scenario, member, partner):
    confirm(client_for(member))

    assert set(personal_rows(member).values()) == {0}
    assert not CheckIn.objects.filter(pk=scenario.ana_checkin.pk).exists()
    assert CheckIn.objects.filter(pk=scenario.ben_checkin.pk).exists()
    assert Profile.objects.filter(user=partner).exists()
    assert not NextStep.objects.filter(description__startswith="Ben sends the deck").exists()


def test_the_pair_is_dissolved_and_its_future_meetings_and_reminders_cancelled(
    client_for, scenario, member, partner
):
    confirm(client_for(member))

    assert Pair.objects.get(pk=scenario.pair.pk).status == Pair.Status.DISSOLVED
    assert PairMember.objects.filter(pair=scenario.pair, user=member).exists()  # history
    assert Meeting.objects.get(pk=scenario.future.pk).status == Meeting.Status.CANCELLED
    assert Meeting.objects.get(pk=scenario.past.pk).status == Meeting.Status.SCHEDULED
    pending = Reminder.objects.filter(recipient=partner, status=Reminder.Status.PENDING)
    assert not pending.exists()


def test_the_partner_still_reads_the_signed_contract_with_the_name_as_signed(
    client_for, scenario, member, partner
):
    confirm(client_for(member))
    ben = client_for(partner)

    page = ben.get(contract_url(scenario.contract))
    pdf = ben.get(reverse("contract_pdf", args=["northwind", scenario.contract.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Ana Silva" in html  # the typed name of her signature
    assert "Ana goal 1: lead a team of five (alpha)" in html  # her section as signed
    assert pdf.content == privacy_scenario.SIGNED_PDF
    signature = Signature.objects.get(contract=scenario.contract, typed_name="Ana Silva")
    assert signature.withdrawn_at is None


def test_the_members_part_of_an_unsigned_version_is_erased(client_for, scenario, member, partner):
    confirm(client_for(member))

    amendment = Contract.objects.get(pk=scenario.amendment.pk)
    ana = ContractSection.objects.get(contract=amendment, user=member)
    ben = ContractSection.objects.get(contract=amendment, user=partner)
    assert amendment.status == Contract.Status.DRAFT
    assert (ana.assets, ana.needs, ana.will_help_with) == ("", "", "")
    assert not Goal.objects.filter(section=ana).exists()
    assert ben.assets == "Ben brings ten years of budgeting (beta)"
    assert Goal.objects.filter(section=ben).count() == 2


def test_a_version_waiting_for_signatures_goes_back_to_draft_without_them(
    client_for, cohort, member, partner
):
    ready = signed_contract(cohort, [member, partner], tag="ready", status=Contract.Status.READY)
    Signature.objects.create(
        contract=ready,
        user=partner,
        typed_name="Ben Okafor",
        signed_at=timezone.now(),
        content_hash=ready.content_hash,
    )

    confirm(client_for(member))

    ready.refresh_from_db()
    assert (ready.status, ready.content_hash) == (Contract.Status.DRAFT, "")
    assert not Signature.objects.filter(contract=ready, withdrawn_at__isnull=True).exists()


def test_the_deleted_members_profile_is_a_404_for_the_partner_and_the_coordinator(
    client_for, scenario, member, partner, coordinator
):
    url = reverse("profile_detail", kwargs={"org_slug": "northwind", "user_id": member.pk})
    assert client_for(partner).get(url).status_code == 200  # they shared a cohort

    confirm(client_for(member))

    assert client_for(partner).get(url).status_code == 404
    assert client_for(coordinator).get(url).status_code == 404


def test_the_address_is_replaced_in_invitations_and_audit_entries(
    client_for, scenario, member, coordinator, cohort
):
    invitation = InvitationFactory(cohort=cohort, email="ana@northwind.test")
    AuditEvent.objects.create(
        organization=cohort.organization,
        actor=coordinator,
        action="invitation.sent",
        data={"emails": ["ana@northwind.test", "eli@example.org"]},
    )
    AuditEvent.objects.create(
        organization=cohort.organization,
        actor=member,
        action="login.succeeded",
        data={"ip": "203.0.113.7"},
    )

    confirm(client_for(member))

    invitation.refresh_from_db()
    assert invitation.email == f"deleted-{member.pk}@invalid"
    assert invitation.revoked_at is not None
    sent = AuditEvent.objects.get(action="invitation.sent")
    assert sent.data["emails"] == [f"deleted-{member.pk}@invalid", "eli@example.org"]
    assert AuditEvent.objects.get(action="login.succeeded").data == {"ip": None}
    assert not Invitation.objects.filter(email__iexact="ana@northwind.test").exists()


def test_the_deletion_is_in_the_organizations_audit_log(client_for, scenario, member, organization):
    confirm(client_for(member))

    event = AuditEvent.objects.get(action="account.deleted")
    assert (event.organization, event.actor_id) == (organization, member.pk)
    assert event.data["signed_contracts_kept"] == [scenario.contract.pk]
    assert event.data["drafts_emptied"] == [scenario.amendment.pk]
    assert event.data["pairs_dissolved"] == [scenario.pair.pk]
    assert event.data["meetings_cancelled"] == 1


def test_every_row_that_deleting_the_user_would_delete_is_gone_or_kept_on_purpose(scenario, member):
    """A new model pointing at users is covered without changes to the deletion (or added to
    KEPT_ON_DELETE with a reason)."""
    privacy.member_account_delete(user=member, actor=member)

    left = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey) or field.remote_field.model is not User:
                continue
            if field.remote_field.on_delete is not models.CASCADE:
                continue
            rows = model._default_manager.filter(**{field.name: member}).count()
            if rows and (model._meta.label, field.name) not in privacy.KEPT_ON_DELETE:
                left.append(f"{model._meta.label}.{field.name}")
    assert left == []


def test_an_account_cannot_be_deleted_twice(scenario, member):
    privacy.member_account_delete(user=member, actor=member)

    with pytest.raises(privacy.ValidationError):
        privacy.member_account_delete(user=member, actor=member)


def test_a_signed_pdf_not_stored_yet_is_made_with_the_names_as_signed(cohort, member, partner):
    contract = signed_contract(cohort, [member, partner], tag="gamma")

    privacy.member_account_delete(user=member, actor=member)

    document = ContractDocument.objects.get(contract=contract)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document.pdf)).pages)
    assert "Ana Silva" in text
    assert "deleted-" not in text


def test_a_coordinator_with_a_co_coordinator_can_delete_their_account(
    client_for, coordinator, organization
):
    MembershipFactory(organization=organization, role=Membership.Role.COORDINATOR)

    response = confirm(client_for(coordinator))

    assert response.status_code == 302
    assert not User.objects.get(pk=coordinator.pk).is_active
