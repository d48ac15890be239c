"""CSV files are written so that a spreadsheet shows every cell as data, never runs it."""

import csv
import decimal
import io
import re
from pathlib import Path

import pytest

from accounts.spreadsheet import csv_writer, formula_safe
from profiles.importing import example_csv

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "profiles", "matching", "contracts", "checkins")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+45 12 34", "'+45 12 34"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Regular meetings;=cmd|' /C calc'!A0", "Regular meetings;'=cmd|' /C calc'!A0"),
        ("one, +two;  -three", "one, '+two;  '-three"),
        ("a=b, c-d, e@f.test", "a=b, c-d, e@f.test"),
        ("Ana-Maria Silva", "Ana-Maria Silva"),
        ("", ""),
        (None, ""),
        (-5, -5),
        (-2.5, -2.5),
        (decimal.Decimal("-1.50"), decimal.Decimal("-1.50")),
        (True, "True"),
    ],
)
def test_formula_safe_neutralises_every_formula_start(value, cell):
    assert formula_safe(value) == cell


def test_the_writer_quotes_every_field_and_keeps_numbers_as_numbers():
    buffer = io.StringIO()

    csv_writer(buffer, lineterminator="\n").writerows([["name", "score"], ["=x;-y", -3]])

    assert buffer.getvalue() == '"name","score"\n"\'=x;\'-y","-3"\n'
    assert list(csv.reader(io.StringIO(buffer.getvalue())))[1] == ["'=x;'-y", "-3"]


def test_the_example_import_file_is_written_through_the_safe_writer():
    lines = example_csv().splitlines()

    assert all(line.startswith('"') and line.endswith('"') for line in lines)


def test_no_app_writes_csv_without_the_safe_writer():
    """Every CSV the project writes goes through `accounts.spreadsheet`."""
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))
        and path != ROOT / "accounts" / "spreadsheet.py"
    ]

    assert offenders == []
