"""Nobody joins an organization through an import without saying yes.

An address whose account is not a member of the organization is invited (the usual signed,
expiring email), never enrolled; what the file says about it waits on the invitation and is
applied when they accept. The preview reads the same whether or not an address has an account.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent, Enrolment, Invitation, Membership
from profiles import importing
from profiles.models import Need, Offer, Profile
from tests.factories import UserFactory
from tests.profiles.factories import TagFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(importing.COLUMNS)
ROW = "{email},Someone,Else,Sales,Python:4;Mentoring:2,SQL:3,English;Danish,Europe/Oslo"


def csv_for(*emails):
    return "\n".join([HEADER, *(ROW.format(email=email) for email in emails)]).encode() + b"\n"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(name, cohort):
    return reverse(name, kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk})


def preview(client, cohort, data):
    file = SimpleUploadedFile("members.csv", data, content_type="text/csv")
    return client.post(url("member_import", cohort), {"file": file})


@pytest.fixture
def import_file(client_for, coordinator, cohort, django_capture_on_commit_callbacks):
    """`import_file(data)`: the coordinator previews and confirms `data` in the browser."""

    def run(data):
        client = client_for(coordinator)
        ticket = preview(client, cohort, data).context["ticket"]
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url("member_import_confirm", cohort), {"ticket": ticket})

    return run


def accept_path(message):
    return re.search(r"https?://[^/\s]+(/invitations/[^\s]+/)", message.body).group(1)


def test_preview_reads_the_same_with_or_without_account(client_for, coordinator, cohort, outsider):
    client = client_for(coordinator)
    fresh = "nobody.yet@example.org"

    with_account = preview(client, cohort, csv_for(outsider.email))
    without_account = preview(client, cohort, csv_for(fresh))

    def page(response, email):
        text = response.content.decode().replace(email, "ADDRESS")
        return re.sub(r'<input type="hidden"[^>]*>', "", text)  # the CSRF token and ticket

    assert page(with_account, outsider.email) == page(without_account, fresh)
    for response in (with_account, without_account):
        report = response.context["report"]
        assert [(o.status, o.changes) for o in report.outcomes] == [("created", ())]
        assert "joins the organization" not in response.content.decode()


def test_import_never_enrolls_existing_account_of_another_org(
    import_file, cohort, outsider, mailoutbox
):
    response = import_file(csv_for(outsider.email, "new.person@example.org"))

    assert response.status_code == 302
    organization = cohort.organization
    assert not Membership.objects.filter(organization=organization, user=outsider).exists()
    assert not Enrolment.objects.filter(cohort=cohort, user=outsider).exists()
    assert not Profile.objects.filter(organization=organization, user=outsider).exists()
    # New people are still enrolled from the file.
    assert Enrolment.objects.filter(cohort=cohort, user__email="new.person@example.org").exists()
    invitation = Invitation.objects.get(cohort=cohort, email=outsider.email)
    assert invitation.status == Invitation.Status.PENDING
    # The outsider is asked; the new person is welcomed (the confirm page's default).
    assert sorted(message.to for message in mailoutbox) == [
        ["new.person@example.org"],
        [outsider.email],
    ]
    event = AuditEvent.objects.get(action="invitation.sent")
    assert event.data["emails"] == [outsider.email] and event.data["source"] == "import"


def test_an_invited_account_shows_as_invited_on_the_cohort_page(
    import_file, client_for, coordinator, cohort, outsider
):
    import_file(csv_for(outsider.email))

    response = client_for(coordinator).get(cohort.get_absolute_url())

    invitations = list(response.context["invitations"])
    assert [(i.email, i.status_label) for i in invitations] == [(outsider.email, "Invited")]
    assert outsider.email not in [e.user.email for e in response.context["members"]]


def test_accepting_applies_what_the_file_said(
    import_file, client_for, cohort, outsider, mailoutbox, links_in
):
    TagFactory(organization=cohort.organization, name="Python")
    import_file(csv_for(outsider.email))
    (message,) = mailoutbox

    response = client_for(outsider).post(accept_path(message))

    assert response.status_code == 302
    organization = cohort.organization
    assert Membership.objects.get(organization=organization, user=outsider).role == "member"
    assert Enrolment.objects.filter(cohort=cohort, user=outsider).exists()
    profile = Profile.objects.get(organization=organization, user=outsider)
    assert (profile.department, profile.languages, profile.timezone) == (
        "Sales",
        ["English", "Danish"],
        "Europe/Oslo",
    )
    offers = {o.tag.name: o.level for o in Offer.objects.filter(profile=profile)}
    needs = {n.tag.name: n.priority for n in Need.objects.filter(profile=profile)}
    assert (offers, needs) == ({"Python": 4, "Mentoring": 2}, {"SQL": 3})
    outsider.refresh_from_db()
    assert outsider.get_full_name() == "Olu Bakare"  # their own name, not the file's


def test_declining_an_import_invitation_changes_nothing_else(
    import_file, client, cohort, outsider, mailoutbox
):
    import_file(csv_for(outsider.email))
    (message,) = mailoutbox
    path = accept_path(message)

    response = client.post(path + "decline/")

    assert response.status_code == 200
    assert "You declined the invitation" in response.content.decode()
    invitation = Invitation.objects.get(cohort=cohort, email=outsider.email)
    assert invitation.status == Invitation.Status.DECLINED
    assert not Membership.objects.filter(organization=cohort.organization, user=outsider).exists()
    assert not Profile.objects.filter(user=outsider, organization=cohort.organization).exists()
    assert AuditEvent.objects.filter(action="invitation.declined").count() == 1


def test_importing_the_same_file_again_sends_no_second_invitation(
    import_file, client_for, coordinator, cohort, outsider, mailoutbox
):
    import_file(csv_for(outsider.email))

    report = preview(client_for(coordinator), cohort, csv_for(outsider.email)).context["report"]
    import_file(csv_for(outsider.email))

    assert [o.status for o in report.outcomes] == ["unchanged"]
    assert len(mailoutbox) == 1
    assert Invitation.objects.filter(cohort=cohort).count() == 1


def test_a_changed_row_updates_the_waiting_invitation_without_resending(
    import_file, cohort, outsider, mailoutbox
):
    import_file(csv_for(outsider.email))

    import_file(csv_for(outsider.email).replace(b"Sales", b"Finance"))

    invitation = Invitation.objects.get(cohort=cohort, email=outsider.email)
    assert invitation.import_data["department"] == "Finance"
    assert len(mailoutbox) == 1


def test_someone_who_declined_is_not_invited_again_by_an_import(
    import_file, client, cohort, outsider, mailoutbox
):
    import_file(csv_for(outsider.email))
    client.post(accept_path(mailoutbox[0]) + "decline/")

    import_file(csv_for(outsider.email))

    assert len(mailoutbox) == 1
    assert Invitation.objects.filter(cohort=cohort).pending().count() == 0


def test_invitations_past_the_daily_limit_are_held_unsent(
    import_file, cohort, outsider, coordinator, settings, mailoutbox
):
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 1
    UserFactory(email="other@southwind.test")

    response = import_file(csv_for(outsider.email, coordinator.email, "other@southwind.test"))

    invitations = Invitation.objects.filter(cohort=cohort).order_by("email")
    assert [(i.email, i.send_count) for i in invitations] == [
        ("olu@southwind.test", 1),
        ("other@southwind.test", 0),
    ]
    assert [message.to for message in mailoutbox] == [[outsider.email]]
    texts = [str(m) for m in response.wsgi_request._messages]
    assert any("1 invitation was not emailed" in text for text in texts)
    held = AuditEvent.objects.get(action="invitation.held")
    assert held.data["emails"] == ["other@southwind.test"]


def test_the_daily_limit_never_refuses_an_import(cohort, outsider, settings, mailoutbox):
    """A refusal would tell the importer that an address has an account."""
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 0

    for email in (outsider.email, "new.person@example.org"):
        report = importing.members_import(cohort=cohort, actor=None, data=csv_for(email))
        assert report.written

    assert Invitation.objects.get().send_count == 0
    assert Enrolment.objects.filter(user__email="new.person@example.org").exists()
    assert mailoutbox == []


def test_a_held_invitation_is_shown_and_can_be_resent_later(
    import_file, client_for, coordinator, cohort, outsider, settings, mailoutbox
):
    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 0
    import_file(csv_for(outsider.email))
    page = client_for(coordinator).get(cohort.get_absolute_url()).content.decode()
    assert "Not emailed yet (daily email limit)" in page

    settings.ORGANIZATION_DAILY_EMAIL_LIMIT = 5
    invitation = Invitation.objects.get()
    url = reverse(
        "invitation_resend",
        kwargs={"org_slug": cohort.organization.slug, "invitation_id": invitation.pk},
    )
    client_for(coordinator).post(url)

    assert Invitation.objects.get().send_count == 1
