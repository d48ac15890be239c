"""The optional goal, career_stage and role columns of a members import: old files stay valid
and leave those fields alone; a file with them sets them."""

import pytest

from profiles import importing
from profiles.importing import COLUMNS, parse_members_csv
from profiles.models import CareerStage, Profile, Role

pytestmark = pytest.mark.django_db

ROW = "ana@example.org,Ana,Silva,Sales,Python:4,SQL:3,en,Europe/Paris"


def csv_bytes(header: str, *rows: str) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_a_file_without_the_new_columns_is_still_valid():
    parsed = parse_members_csv(csv_bytes(",".join(COLUMNS), ROW))

    assert parsed.problems == []
    assert parsed.rows[0].given == ()


def test_the_new_columns_accept_numbers_codes_and_english_labels():
    header = ",".join([*COLUMNS, "goal", "career_stage", "Role"])
    parsed = parse_members_csv(
        csv_bytes(
            header,
            ROW + ",Lead my first team,3,team_lead",
            ROW.replace("ana@", "ben@") + ",,Senior,Leads a small team",
        )
    )

    assert parsed.problems == []
    first, second = parsed.rows
    assert (first.goal, first.career_stage, first.role) == ("Lead my first team", 3, "team_lead")
    assert (second.goal, second.career_stage, second.role) == ("", 4, "team_lead")
    assert first.given == ("goal", "career_stage", "role")


def test_an_unknown_stage_or_role_is_reported_with_its_line():
    header = ",".join([*COLUMNS, "career_stage", "role"])
    parsed = parse_members_csv(csv_bytes(header, ROW + ",7,pilot"))

    messages = [str(problem) for problem in parsed.problems]
    assert any(m.startswith("Line 2: career_stage: “7” is not one of") for m in messages)
    assert any(m.startswith("Line 2: role: “pilot” is not one of") for m in messages)


def test_importing_sets_the_goal_stage_and_role(cohort):
    header = ",".join([*COLUMNS, "goal", "career_stage", "role"])

    importing.members_import(
        cohort=cohort, actor=None, data=csv_bytes(header, ROW + ",Lead my first team,2,manager")
    )

    profile = Profile.objects.get(user__email="ana@example.org")
    assert (profile.goal, profile.career_stage, profile.role) == (
        "Lead my first team",
        CareerStage.ESTABLISHED,
        Role.MANAGER,
    )


def test_an_old_file_leaves_the_goal_stage_and_role_as_they_are(cohort):
    header = ",".join([*COLUMNS, "goal", "career_stage", "role"])
    importing.members_import(
        cohort=cohort, actor=None, data=csv_bytes(header, ROW + ",Lead my first team,2,manager")
    )

    importing.members_import(
        cohort=cohort,
        actor=None,
        data=csv_bytes(",".join(COLUMNS), ROW.replace("Sales", "Finance")),
    )

    profile = Profile.objects.get(user__email="ana@example.org")
    assert profile.department == "Finance"
    kept = (profile.goal, profile.career_stage, profile.role)
    assert kept == ("Lead my first team", 2, "manager")
