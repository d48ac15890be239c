"""`manage.py export_cohort`: a cohort's CSV files from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from tests.matching.factories import give_profile

pytestmark = pytest.mark.django_db


def test_the_members_file_is_the_export_pages_file(cohort, member, partner, tmp_path):
    give_profile(member, cohort.organization, offers={"Budgeting": 4}, needs={"Writing": 3})
    target = tmp_path / "members.csv"
    out = StringIO()

    call_command(
        "export_cohort", "northwind", "autumn-2026", "members", "--out", str(target), stdout=out
    )

    text = target.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith('"email","first_name","last_name"')
    assert len(lines) == 3
    assert member.email in text and partner.email in text
    assert "Wrote 2 rows (members) of Autumn 2026" in out.getvalue()
    event = AuditEvent.objects.get(action="cohort.exported")
    assert event.actor is None
    assert event.data == {"cohort": cohort.pk, "kind": "members", "rows": 2}


def test_another_organizations_cohort_is_not_found(cohort, other_cohort, tmp_path):
    with pytest.raises(CommandError, match="No cohort 'autumn-2026' in organization 'southwind'"):
        call_command(
            "export_cohort", "southwind", "autumn-2026", "pairs", "--out", str(tmp_path / "p.csv")
        )

    assert not AuditEvent.objects.exists()


def test_a_missing_folder_is_refused_before_anything_is_recorded(cohort, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "export_cohort", "northwind", "autumn-2026", "pairs", "--out", str(tmp_path / "x/p.csv")
        )

    assert not AuditEvent.objects.exists()
