"""The coordinator's import in the browser: upload, preview, confirm, and who may do it."""

from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Enrolment, Membership, User
from profiles import importing
from profiles.models import Offer, Profile, Tag
from tests.profiles.factories import TagFactory
from tests.profiles.import_routes import ROUTES

pytestmark = pytest.mark.django_db

HEADER = ",".join(importing.COLUMNS)
GOOD = (
    f"{HEADER}\n"
    "ana.new@example.org,Ana,Nova,Engineering,Python:4;Mentoring:3,SQL:5,en,Europe/Oslo\n"
    "ben.new@example.org,Ben,Nova,Sales,SQL:2,Python:3,en;de,Europe/Berlin\n"
).encode()
BAD = f"{HEADER}\nana.new@example.org,,,,Python:4,,,\nben.new@example,,,,,,,Mars/Base\n".encode()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(name, cohort):
    return reverse(name, kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk})


def upload(client, cohort, data, *, name="members.csv", content_type="text/csv"):
    file = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(url("member_import", cohort), {"file": file})


def confirm(client, cohort, ticket):
    return client.post(url("member_import_confirm", cohort), {"ticket": ticket})


def staged_files(settings):
    return list((Path(settings.MEDIA_ROOT) / importing.STAGING_DIRECTORY).glob("*.csv"))


def counts():
    return (
        User.objects.count(),
        Membership.objects.count(),
        Enrolment.objects.count(),
        Profile.objects.count(),
        Offer.objects.count(),
        Tag.objects.count(),
        AuditEvent.objects.count(),
    )


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Upload and preview --------------------------------------------------------------------------


def test_coordinator_sees_the_upload_form_with_the_example_link(client_for, coordinator, cohort):
    response = client_for(coordinator).get(url("member_import", cohort))

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert url("member_import_example", cohort) in response.content.decode()


def test_uploading_a_good_file_shows_what_would_happen_and_writes_nothing(
    client_for, coordinator, cohort, settings
):
    TagFactory(organization=cohort.organization, name="Python")
    before = counts()

    response = upload(client_for(coordinator), cohort, GOOD)

    assert response.status_code == 200
    assert counts() == before
    report = response.context["report"]
    assert [o.email for o in report.created] == ["ana.new@example.org", "ben.new@example.org"]
    assert report.new_tags == ["Mentoring", "SQL"]
    page = response.content.decode()
    assert "Confirm the import" in page and "Mentoring, SQL" in page
    assert response.context["ticket"]
    assert len(staged_files(settings)) == 1


def test_confirming_writes_what_was_previewed_and_returns_to_the_cohort(
    client_for, coordinator, cohort, settings
):
    client = client_for(coordinator)
    ticket = upload(client, cohort, GOOD).context["ticket"]

    response = confirm(client, cohort, ticket)

    assert response.status_code == 302
    assert response["Location"] == cohort.get_absolute_url()
    assert set(Enrolment.objects.filter(cohort=cohort).values_list("user__email", flat=True)) == {
        "ana.new@example.org",
        "ben.new@example.org",
    }
    assert Offer.objects.filter(profile__user__email="ana.new@example.org").count() == 2
    event = AuditEvent.objects.get(action="members.imported")
    assert (event.actor, event.data["source"], event.data["created"]) == (coordinator, "browser", 2)
    assert message_texts(response) == [
        "Import done: 2 new to the organization (added or invited), 0 updated, 0 unchanged."
    ]
    assert staged_files(settings) == []


def test_a_confirmed_preview_cannot_be_confirmed_twice(client_for, coordinator, cohort):
    client = client_for(coordinator)
    ticket = upload(client, cohort, GOOD).context["ticket"]
    confirm(client, cohort, ticket)
    before = counts()

    response = confirm(client, cohort, ticket)

    assert response.status_code == 302
    assert response["Location"] == url("member_import", cohort)
    assert counts() == before


def test_a_file_with_problems_previews_each_problem_by_line_and_offers_no_confirm(
    client_for, coordinator, cohort, settings
):
    before = counts()

    response = upload(client_for(coordinator), cohort, BAD)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 3: “ben.new@example” is not a valid email address." in page
    assert "Line 3: timezone: “Mars/Base” is not a time zone name" in page
    assert "Nothing was imported" in page
    assert "Confirm the import" not in page
    assert counts() == before
    assert staged_files(settings) == []


def test_a_file_already_up_to_date_has_nothing_to_confirm(client_for, coordinator, cohort):
    client = client_for(coordinator)
    confirm(client, cohort, upload(client, cohort, GOOD).context["ticket"])

    response = upload(client, cohort, GOOD)

    assert "Confirm the import" not in response.content.decode()
    assert len(response.context["report"].unchanged) == 2


def test_a_file_over_the_size_limit_is_refused_clearly(
    client_for, coordinator, cohort, monkeypatch
):
    monkeypatch.setattr(importing, "MAX_UPLOAD_BYTES", 100)

    response = upload(client_for(coordinator), cohort, GOOD)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        f"The file is {len(GOOD)}\xa0bytes; the limit is 100\xa0bytes. Split it into smaller files."
    ]


def test_a_file_that_is_not_csv_is_refused(client_for, coordinator, cohort):
    response = upload(
        client_for(coordinator),
        cohort,
        b"PK\x03\x04",
        name="members.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

    assert response.context["form"].errors["file"] == ["Choose a .csv file (comma-separated text)."]


def test_a_csv_labelled_as_excel_by_the_browser_is_accepted(client_for, coordinator, cohort):
    response = upload(
        client_for(coordinator), cohort, GOOD, content_type="application/vnd.ms-excel"
    )

    assert response.context["report"].is_valid


# Confirming re-validates -----------------------------------------------------------------------


def test_confirm_after_the_file_changed_shows_its_problems_and_writes_nothing(
    client_for, coordinator, cohort, settings
):
    client = client_for(coordinator)
    ticket = upload(client, cohort, GOOD).context["ticket"]
    (staged,) = staged_files(settings)
    staged.write_bytes(BAD)
    before = counts()

    response = confirm(client, cohort, ticket)

    assert response.status_code == 200
    assert "Line 3: “ben.new@example” is not a valid email address." in response.content.decode()
    assert counts() == before


def test_confirm_after_the_file_changed_shows_the_new_preview_instead_of_writing(
    client_for, coordinator, cohort, settings
):
    client = client_for(coordinator)
    ticket = upload(client, cohort, GOOD).context["ticket"]
    (staged,) = staged_files(settings)
    staged.write_bytes(GOOD.replace(b"Python:4", b"Python:5"))
    before = counts()

    response = confirm(client, cohort, ticket)

    assert response.status_code == 200
    assert response.context["changed"] is True
    assert counts() == before
    # Confirming the new preview writes the file as it is now.
    assert confirm(client, cohort, response.context["ticket"]).status_code == 302
    assert (
        Offer.objects.get(profile__user__email="ana.new@example.org", tag__name="Python").level == 5
    )


def test_confirm_after_a_tag_was_retired_reports_it_and_writes_nothing(
    client_for, coordinator, cohort
):
    python = TagFactory(organization=cohort.organization, name="Python")
    client = client_for(coordinator)
    ticket = upload(client, cohort, GOOD).context["ticket"]
    python.retired_at = timezone.now()
    python.save()
    before = counts()

    response = confirm(client, cohort, ticket)

    assert "Line 2: offers: the tag “Python” is retired" in response.content.decode()
    assert counts() == before


def test_confirm_after_someone_else_changed_a_member_shows_the_new_preview(
    client_for, coordinator, cohort, member
):
    data = GOOD + f"{member.email},Ana,Silva,Ops,,,,\n".encode()
    client = client_for(coordinator)
    ticket = upload(client, cohort, data).context["ticket"]
    Profile.objects.create(organization=cohort.organization, user=member, department="Ops")
    before = counts()

    response = confirm(client, cohort, ticket)

    assert response.context["changed"] is True
    assert counts() == before


def test_a_ticket_for_another_cohort_is_refused(client_for, coordinator, cohort, program):
    from tests.factories import CohortFactory

    other_cohort = CohortFactory(program=program)
    client = client_for(coordinator)
    ticket = upload(client, other_cohort, GOOD).context["ticket"]
    before = counts()

    response = confirm(client, cohort, ticket)

    assert response["Location"] == url("member_import", cohort)
    assert message_texts(response) == ["That preview has expired. Upload the file again."]
    assert counts() == before


def test_a_ticket_of_another_coordinator_is_refused(client_for, coordinator, cohort):
    from tests.factories import MembershipFactory

    colleague = MembershipFactory(organization=cohort.organization, coordinator=True).user
    ticket = upload(client_for(coordinator), cohort, GOOD).context["ticket"]

    response = confirm(client_for(colleague), cohort, ticket)

    assert response["Location"] == url("member_import", cohort)
    assert not User.objects.filter(email="ana.new@example.org").exists()


def test_a_forged_ticket_is_refused(client_for, coordinator, cohort):
    response = confirm(client_for(coordinator), cohort, "../../etc/passwd")

    assert response["Location"] == url("member_import", cohort)


# The example file ----------------------------------------------------------------------------


def test_the_example_file_downloads_and_imports_cleanly(client_for, coordinator, cohort):
    response = client_for(coordinator).get(url("member_import_example", cohort))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    report = importing.members_import_preview(cohort=cohort, data=response.content)
    assert report.is_valid and len(report.created) == 3


# Who may import --------------------------------------------------------------------------------

CASES = [(name, method) for name, route in ROUTES.items() for method in route.methods]


@pytest.fixture
def world(cohort):
    class World:
        organization = cohort.organization

    World.cohort = cohort
    return World


def route_url(name, world):
    return reverse(name, kwargs=ROUTES[name].kwargs(world))


@pytest.mark.parametrize(("name", "method"), CASES)
def test_coordinator_of_another_organization_gets_404(client_for, world, outsider, name, method):
    response = getattr(client_for(outsider), method)(route_url(name, world))

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method"), CASES)
def test_member_gets_403(client_for, world, member, name, method):
    response = getattr(client_for(member), method)(route_url(name, world))

    assert response.status_code == 403


@pytest.mark.parametrize(("name", "method"), CASES)
def test_anonymous_visitor_is_sent_to_login(client, world, name, method):
    response = getattr(client, method)(route_url(name, world))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_another_organizations_cohort_under_ones_own_slug_gives_404(
    client_for, coordinator, organization, other_cohort
):
    response = client_for(coordinator).get(
        reverse(
            "member_import", kwargs={"org_slug": organization.slug, "cohort_id": other_cohort.pk}
        )
    )

    assert response.status_code == 404


def test_an_outsider_cannot_confirm_a_coordinators_preview(
    client_for, coordinator, cohort, outsider
):
    ticket = upload(client_for(coordinator), cohort, GOOD).context["ticket"]

    response = confirm(client_for(outsider), cohort, ticket)

    assert response.status_code == 404
    assert not User.objects.filter(email="ana.new@example.org").exists()


def test_the_preview_shows_every_column_as_read_before_anything_is_saved(
    client_for, coordinator, cohort
):
    data = (
        f"{HEADER}\nida@example.org,Ida,Mørch,Økonomi,Python:4,Ledelse:3,da;en,Europe/Copenhagen\n"
    ).encode()
    before = counts()

    response = upload(client_for(coordinator), cohort, data)

    assert counts() == before
    (row,) = response.context["read"]
    assert (row.first_name, row.last_name, row.department) == ("Ida", "Mørch", "Økonomi")
    page = response.content.decode()
    for shown in (
        "Ida Mørch",
        "ida@example.org",
        "Økonomi",
        "Danish, English",
        "Python: 4 – advanced",
        "Ledelse: 3 – important",
        "Europe/Copenhagen",
    ):
        assert shown in page
    assert 'class="table table-sm align-top pm-stack-sm"' in page


def test_a_big_file_shows_the_first_rows_and_says_how_many_more(
    client_for, coordinator, cohort, monkeypatch
):
    monkeypatch.setattr("profiles.importing.views.SHOWN", 1)

    response = upload(client_for(coordinator), cohort, GOOD)

    assert [row.email for row in response.context["read"]] == ["ana.new@example.org"]
    assert "The first 1 rows are shown; 1 more row is imported the same way." in (
        response.content.decode()
    )
