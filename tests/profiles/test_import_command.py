"""`manage.py import_members`: the whole import through the command line.

A good file creates people, memberships, enrolments, profiles, offers, needs and tags; the same
file again changes nothing; a changed row updates just that member; any bad row writes nothing
and exits with status 1 after printing every problem with its line number.
"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import (
    AuditEvent,
    Cohort,
    Enrolment,
    Invitation,
    Membership,
    Organization,
    Program,
    User,
)
from profiles.importing import COLUMNS
from profiles.models import Need, Offer, Profile, Tag
from tests.factories import MembershipFactory, UserFactory
from tests.profiles.factories import OfferFactory, ProfileFactory, TagFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
ROWS = [
    "ana@example.org,Ana,Silva,Engineering,Python:4;Public speaking:2,Negotiation:5,en;da,"
    "Europe/Copenhagen",
    "ben@example.org,Ben,Okafor,Sales,Negotiation:4,Python:3;SQL:2,English,Europe/London",
    "chloe@example.org,Chloé,Martin,Finance,Budgeting:5,Public speaking:4,fr,Europe/Paris",
]


@pytest.fixture
def write_csv(tmp_path):
    """`write_csv(*rows)`: a members file with the standard header; returns its path."""

    def write(*rows, header=HEADER, name="members.csv"):
        path = tmp_path / name
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        return str(path)

    return write


def run(*args, **options):
    """Call the command; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_members", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_failing(*args, **options):
    """Call the command expecting exit status 1; return (message, stderr)."""
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_members", *args, stdout=io.StringIO(), stderr=err, **options)
    assert raised.value.returncode == 1
    return str(raised.value), err.getvalue()


def snapshot():
    """Every row an import could touch, with every value."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            User, Organization, Program, Cohort, Membership, Enrolment, Profile, Offer, Need, Tag,
            AuditEvent,
        )
    }  # fmt: skip


def offers_of(email):
    return {
        offer.tag.name: offer.level
        for offer in Offer.objects.filter(profile__user__email=email).select_related("tag")
    }


def needs_of(email):
    return {
        need.tag.name: need.priority
        for need in Need.objects.filter(profile__user__email=email).select_related("tag")
    }


# A good file ---------------------------------------------------------------------------------


def test_a_good_file_creates_people_profiles_offers_needs_and_tags(write_csv, organization, cohort):
    TagFactory(organization=organization, name="Python", kind=Tag.Kind.EXPERTISE)

    out, _err = run(organization.slug, cohort.slug, write_csv(*ROWS))

    assert "created: 3" in out
    ana = User.objects.get(email="ana@example.org")
    assert (ana.first_name, ana.last_name) == ("Ana", "Silva")
    assert not ana.has_usable_password()
    assert ana.emailaddress_set.count() == 0
    assert Membership.objects.get(organization=organization, user=ana).role == "member"
    assert Enrolment.objects.filter(cohort=cohort).count() == 3
    profile = Profile.objects.get(organization=organization, user=ana)
    assert (profile.department, profile.languages, profile.timezone) == (
        "Engineering",
        ["English", "Danish"],
        "Europe/Copenhagen",
    )
    assert offers_of("ana@example.org") == {"Python": 4, "Public speaking": 2}
    assert needs_of("ben@example.org") == {"Python": 3, "SQL": 2}
    # Python existed; the others joined the taxonomy as skills.
    assert Tag.objects.get(name="Python").kind == Tag.Kind.EXPERTISE
    new_tags = Tag.objects.for_organization(organization).exclude(name="Python")
    assert sorted(new_tags.values_list("name", flat=True)) == [
        "Budgeting", "Negotiation", "Public speaking", "SQL",
    ]  # fmt: skip
    assert set(new_tags.values_list("kind", flat=True)) == {Tag.Kind.SKILL}
    assert "new tags: 4" in out and "Budgeting, Negotiation, Public speaking, SQL" in out


def test_the_import_is_audited_once_with_its_counts(write_csv, organization, cohort):
    run(organization.slug, cohort.slug, write_csv(*ROWS))

    event = AuditEvent.objects.get(action="members.imported")
    assert event.organization == organization and event.actor is None
    assert event.data == {
        "cohort": cohort.pk,
        "source": "command",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "new_tags": 5,
        "invited": 0,
        "welcomed": 0,  # the command leaves the welcome to the matching by default
    }


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    write_csv, organization, cohort
):
    path = write_csv(*ROWS)
    run(organization.slug, cohort.slug, path)
    before = snapshot()

    out, _err = run(organization.slug, cohort.slug, path)

    assert snapshot() == before
    assert "Nothing to change" in out
    assert "created: 0" in out and "updated: 0" in out and "unchanged: 3" in out


def test_a_changed_row_updates_only_that_member(write_csv, organization, cohort):
    run(organization.slug, cohort.slug, write_csv(*ROWS))
    before = snapshot()
    ben_profile = Profile.objects.get(user__email="ben@example.org")
    changed = (
        "ben@example.org,Ben,Okafor,Marketing,Negotiation:5;Storytelling:3,SQL:4,English;de,"
        "America/New_York"
    )

    out, _err = run(organization.slug, cohort.slug, write_csv(ROWS[0], changed, ROWS[2]))

    assert "updated: 1" in out and "unchanged: 2" in out
    assert "line 3: ben@example.org (department: Sales → Marketing;" in out
    ben_profile.refresh_from_db()
    assert (ben_profile.department, ben_profile.languages, ben_profile.timezone) == (
        "Marketing",
        ["English", "German"],
        "America/New_York",
    )
    assert offers_of("ben@example.org") == {"Negotiation": 5, "Storytelling": 3}
    assert needs_of("ben@example.org") == {"SQL": 4}  # Python was dropped: the file is the truth
    after = snapshot()
    for model in ("User", "Membership", "Enrolment"):
        assert after[model] == before[model]
    others = [p for p in after["Profile"] if p["id"] != ben_profile.pk]
    assert others == [p for p in before["Profile"] if p["id"] != ben_profile.pk]
    assert ben_profile.updated_at > next(
        p["updated_at"] for p in before["Profile"] if p["id"] == ben_profile.pk
    )


def test_an_existing_member_is_enrolled_and_keeps_their_offer_notes(
    write_csv, organization, cohort, member
):
    profile = ProfileFactory(organization=organization, user=member, department="Ops")
    python = TagFactory(organization=organization, name="Python")
    OfferFactory(profile=profile, tag=python, level=2, note="Django mostly")

    out, _err = run(
        organization.slug, cohort.slug, write_csv(f"{member.email.upper()},,,Ops,python:5,,,")
    )

    assert f"{member.email} (offers: Python 2→5)" in out
    offer = Offer.objects.get(profile=profile)
    assert (offer.tag, offer.level, offer.note) == (python, 5, "Django mostly")
    member.refresh_from_db()
    assert (member.first_name, member.last_name) == ("Ana", "Silva")  # their own name stays


def test_import_never_enrolls_an_existing_account_of_another_organization(
    write_csv, organization, cohort, outsider, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run(
            organization.slug,
            cohort.slug,
            write_csv(f"{outsider.email},Someone,Else,Sales,Python:4,SQL:2,English,Europe/Oslo"),
        )

    outsider.refresh_from_db()
    assert outsider.get_full_name() == "Olu Bakare"
    assert not Membership.objects.filter(organization=organization, user=outsider).exists()
    assert not Enrolment.objects.filter(cohort=cohort, user=outsider).exists()
    assert not Profile.objects.filter(organization=organization, user=outsider).exists()
    invitation = Invitation.objects.get(cohort=cohort, email=outsider.email)
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.import_data["department"] == "Sales"
    assert invitation.import_data["offers"] == [["Python", 4]]
    assert [message.to for message in mailoutbox] == [[outsider.email]]


def test_names_of_an_account_nobody_has_used_follow_the_file(write_csv, organization, cohort):
    run(organization.slug, cohort.slug, write_csv("dina@example.org,Dina,Aly,,,,,"))

    run(organization.slug, cohort.slug, write_csv("dina@example.org,Dina,Ali,,,,,"))

    assert User.objects.get(email="dina@example.org").last_name == "Ali"


def test_a_coordinator_in_the_file_stays_a_coordinator(
    write_csv, organization, cohort, coordinator
):
    run(organization.slug, cohort.slug, write_csv(f"{coordinator.email},Cora,Lindqvist,,,,,"))

    assert Membership.objects.get(organization=organization, user=coordinator).role == (
        Membership.Role.COORDINATOR
    )
    assert Enrolment.objects.filter(cohort=cohort, user=coordinator).exists()


def test_a_merged_tag_name_resolves_to_the_tag_it_was_merged_into(write_csv, organization, cohort):
    public_speaking = TagFactory(organization=organization, name="Public speaking")
    TagFactory(organization=organization, name="Speaking", merged_into=public_speaking)

    run(organization.slug, cohort.slug, write_csv("ana@example.org,,,,Speaking:3,,,"))

    assert offers_of("ana@example.org") == {"Public speaking": 3}
    assert not Tag.objects.filter(name__iexact="speaking ").exists()


def test_a_member_may_keep_a_retired_tag_they_already_have(write_csv, organization, cohort, member):
    profile = ProfileFactory(organization=organization, user=member)
    cobol = TagFactory(organization=organization, name="COBOL")
    OfferFactory(profile=profile, tag=cobol, level=3)
    cobol.retired_at = timezone.now()
    cobol.save()

    out, _err = run(organization.slug, cohort.slug, write_csv(f"{member.email},,,,COBOL:4,,,"))

    assert offers_of(member.email) == {"COBOL": 4}


# Dry run, --create, unknown targets ----------------------------------------------------------


def test_dry_run_writes_nothing_and_prints_what_would_happen(write_csv, organization, cohort):
    before = snapshot()

    out, _err = run(organization.slug, cohort.slug, write_csv(*ROWS), dry_run=True)

    assert snapshot() == before
    assert "Dry run: nothing was written" in out
    assert "would be created: 3" in out
    assert "line 2: ana@example.org" in out
    assert "new tags (would be added): 5" in out


def test_create_makes_the_organization_program_and_cohort_and_says_so(write_csv, db):
    out, _err = run("acme", "spring-2027", write_csv(*ROWS), create=True)

    organization = Organization.objects.get(slug="acme")
    cohort = Cohort.objects.get(organization=organization, slug="spring-2027")
    assert cohort.program.name == "Peer mentoring"
    assert "Created organization “Acme” (acme)." in out
    assert "Created program “Peer mentoring”." in out
    assert "Created cohort “Spring 2027” (spring-2027)" in out
    assert Enrolment.objects.filter(cohort=cohort).count() == 3


def test_create_adds_only_the_missing_cohort_to_an_existing_organization(
    write_csv, organization, cohort
):
    out, _err = run(organization.slug, "winter", write_csv(*ROWS), create=True, program="Leads")

    assert "organization" not in out.split("Imported")[0]
    assert Cohort.objects.get(organization=organization, slug="winter").program.name == "Leads"


def test_create_with_dry_run_creates_nothing_and_says_what_it_would_create(write_csv, db):
    out, _err = run("acme", "spring", write_csv(*ROWS), create=True, dry_run=True)

    assert not Organization.objects.exists() and not User.objects.exists()
    assert "Would create organization “Acme” (acme)." in out
    assert "would be created: 3" in out


def test_create_with_a_bad_file_creates_nothing(write_csv, db):
    message, err = run_failing("acme", "spring", write_csv("not-an-email,,,,,,,"), create=True)

    assert not Organization.objects.exists()
    assert "Line 2: “not-an-email” is not a valid email address." in err


@pytest.mark.parametrize(
    ("org_slug", "cohort_slug", "expected"),
    [
        ("nowhere", "autumn-2026", "There is no organization “nowhere”. Add --create"),
        ("northwind", "nothing", "Northwind Collective has no cohort “nothing”. Add --create"),
    ],
)
def test_without_create_an_unknown_organization_or_cohort_is_a_clear_error(
    write_csv, cohort, org_slug, cohort_slug, expected
):
    before = snapshot()

    message, _err = run_failing(org_slug, cohort_slug, write_csv(*ROWS))

    assert expected in message
    assert snapshot() == before


def test_a_missing_file_is_a_clear_error(organization, cohort, tmp_path):
    message, _err = run_failing(organization.slug, cohort.slug, str(tmp_path / "nope.csv"))

    assert "Cannot read" in message and "nope.csv" in message


# Bad files write nothing ---------------------------------------------------------------------

BAD_FILES = [
    pytest.param((), HEADER + ",extra", "Line 1: unknown column: extra", id="unknown-column"),
    pytest.param((), HEADER.replace("languages,", ""), "Line 1: missing column: languages",
                 id="missing-column"),
    pytest.param(("ana@example,,,,,,,",), HEADER, "Line 3: “ana@example” is not a valid email",
                 id="bad-email"),
    pytest.param((ROWS[0].upper(),), HEADER,
                 "Line 3: ana@example.org is also on line 2; list each member once.",
                 id="duplicate-email"),
    pytest.param(("dan@example.org,,,,SQL:7,,,",), HEADER,
                 "Line 3: offers: the level of “SQL” must be a number from 1 to 5, not “7”.",
                 id="bad-level"),
    pytest.param(("dan@example.org,,,,,SQL:x,,",), HEADER,
                 "Line 3: needs: the priority of “SQL” must be a number from 1 to 5, not “x”.",
                 id="bad-priority"),
    pytest.param(("dan@example.org,,,,SQL,,,",), HEADER,
                 "Line 3: offers: “SQL” is not written as Tag:level", id="malformed-entry"),
    pytest.param(("dan@example.org,,,,:2,,,",), HEADER, "Line 3: offers: “:2” has no tag name.",
                 id="empty-tag-name"),
    pytest.param(("dan@example.org,,,,SQL:2;sql:3,,,",), HEADER,
                 "Line 3: offers: “sql” is named twice.", id="tag-named-twice"),
    pytest.param(("dan@example.org,,,,,,,Europe/Atlantis",), HEADER,
                 "Line 3: timezone: “Europe/Atlantis” is not a time zone name", id="bad-timezone"),
    pytest.param(("dan@example.org,,,".ljust(200, "D") + ",,,,",), HEADER,
                 "Line 3: department is too long", id="long-field"),
]  # fmt: skip


@pytest.mark.parametrize(("extra_rows", "header", "expected"), BAD_FILES)
def test_a_bad_file_prints_each_problem_by_line_and_writes_nothing(
    write_csv, organization, cohort, extra_rows, header, expected
):
    before = snapshot()

    message, err = run_failing(
        organization.slug, cohort.slug, write_csv(ROWS[0], *extra_rows, header=header)
    )

    assert expected in err
    assert "nothing was imported" in message
    assert snapshot() == before


def test_an_empty_file_is_refused(organization, cohort, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    message, err = run_failing(organization.slug, cohort.slug, str(path))

    assert "Line 1: the file is empty." in err


def test_a_file_that_is_not_utf8_is_refused_at_the_line_of_the_first_bad_byte(
    organization, cohort, tmp_path
):
    path = tmp_path / "latin1.csv"
    path.write_bytes("\n".join([HEADER, ROWS[0], "zoë@example.org,Zoë,,,,,,"]).encode("latin-1"))
    before = snapshot()

    message, err = run_failing(organization.slug, cohort.slug, str(path))

    assert "Line 3: the file is not UTF-8 text" in err
    assert snapshot() == before


def test_a_retired_tag_is_refused_and_nothing_is_written(write_csv, organization, cohort):
    TagFactory(organization=organization, name="Fortran", retired_at=timezone.now())
    before = snapshot()

    message, err = run_failing(
        organization.slug, cohort.slug, write_csv(ROWS[0], "dan@example.org,,,,,fortran:2,,")
    )

    assert "Line 3: needs: the tag “Fortran” is retired and can no longer be chosen." in err
    assert snapshot() == before


def test_two_names_of_one_merged_tag_in_a_cell_are_refused(write_csv, organization, cohort):
    target = TagFactory(organization=organization, name="Public speaking")
    TagFactory(organization=organization, name="Speaking", merged_into=target)

    message, err = run_failing(
        organization.slug,
        cohort.slug,
        write_csv("dan@example.org,,,,Speaking:2;Public speaking:3,,,"),
    )

    assert "Line 2: offers: “Speaking” and “Public speaking” are the same tag" in err


def test_a_bad_row_among_good_ones_writes_none_of_them(write_csv, organization, cohort):
    before = snapshot()
    rows = [*ROWS, "dan@example.org,,,,,,,Not/AZone"]

    message, err = run_failing(organization.slug, cohort.slug, write_csv(*rows))

    assert err.strip() == (
        "Line 5: timezone: “Not/AZone” is not a time zone name such as Europe/Copenhagen."
    )
    assert message.startswith("1 problem in ")
    assert snapshot() == before


def test_the_command_exits_with_status_1_on_a_bad_file(write_csv, organization, cohort):
    """Run as a program, a CommandError with returncode 1 becomes the exit status."""
    from django.core.management import ManagementUtility

    utility = ManagementUtility(
        ["manage.py", "import_members", organization.slug, cohort.slug, write_csv("x,,,,,,,")]
    )
    with pytest.raises(SystemExit) as exited:
        utility.execute()

    assert exited.value.code == 1


def test_an_existing_user_import_with_a_new_membership_lists_what_changes(
    write_csv, organization, cohort
):
    user = UserFactory(email="eve@example.org", first_name="Eve", last_name="Adams")
    MembershipFactory(organization=organization, user=user)

    out, _err = run(organization.slug, cohort.slug, write_csv("eve@example.org,Eve,Adams,,,,,"))

    assert "line 2: eve@example.org (joins the cohort; new profile)" in out
