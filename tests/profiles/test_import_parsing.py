"""Reading a members CSV: what is accepted, and the line-numbered problems for what isn't.

These checks need no database; those that do (retired tags, merged names) are in
test_import_command.py.
"""

import pytest

from profiles.importing import COLUMNS, example_csv, parse_members_csv

HEADER = ",".join(COLUMNS)


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *lines]).encode() + b"\n"


def problems(data: bytes) -> list[str]:
    return [str(problem) for problem in parse_members_csv(data).problems]


def test_a_good_row_is_cleaned():
    data = csv_bytes(
        " Ana@Example.ORG ,Ana, Silva ,Research  and Development,"
        "Python:4; Public  speaking :2;,Negotiation:5,en;dansk;English,europe/copenhagen"
    )

    parsed = parse_members_csv(data)

    assert parsed.problems == []
    (row,) = parsed.rows
    assert row.line == 2
    assert row.email == "ana@example.org"
    assert (row.first_name, row.last_name) == ("Ana", "Silva")
    assert row.department == "Research and Development"
    assert row.offers == (("Python", 4), ("Public speaking", 2))
    assert row.needs == (("Negotiation", 5),)
    assert row.languages == ("English", "Danish")
    assert row.timezone == "Europe/Copenhagen"


def test_empty_optional_cells_are_fine():
    parsed = parse_members_csv(csv_bytes("ana@example.org,,,,,,,"))

    assert parsed.problems == []
    assert parsed.rows[0].offers == () and parsed.rows[0].timezone == ""


def test_a_utf8_byte_order_mark_is_accepted():
    data = "\ufeff".encode() + csv_bytes("chloe@example.org,Chloé,Martin,,,,,")

    parsed = parse_members_csv(data)

    assert parsed.problems == []
    assert parsed.rows[0].first_name == "Chloé"


def test_columns_may_come_in_any_order_and_case():
    header = "Email,Last Name,first_name,DEPARTMENT,needs,offers,timezone,languages"

    parsed = parse_members_csv(
        csv_bytes("ana@example.org,Silva,Ana,,,Python:3,UTC,en", header=header)
    )

    assert parsed.problems == []
    assert (parsed.rows[0].last_name, parsed.rows[0].offers) == ("Silva", (("Python", 3),))


def test_blank_lines_are_skipped_and_line_numbers_stay_physical():
    data = csv_bytes("", "ana@example.org,,,,,,,", ",,,,,,,", "ben@example", "")

    assert problems(data) == [
        "Line 5: expected 8 values separated by commas, found 1.",
    ]
    assert parse_members_csv(data).rows[0].line == 3


def test_a_quoted_cell_spanning_lines_keeps_the_following_line_numbers_right():
    data = csv_bytes(
        'ana@example.org,Ana,Silva,"Research\nand\nDevelopment",,,,',
        "ben@example,Ben,,,,,,",
    )

    assert problems(data) == ["Line 5: “ben@example” is not a valid email address."]


def test_the_example_file_is_valid():
    parsed = parse_members_csv(example_csv().encode())

    assert parsed.problems == []
    assert len(parsed.rows) == 3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"", "Line 1: the file is empty.", id="empty-file"),
        pytest.param(b"\n  \n", "Line 1: the file is empty.", id="blank-file"),
        pytest.param(
            HEADER.encode() + b"\n",
            "Line 1: the file has a header line but no members",
            id="no-rows",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,,,,", header=HEADER + ",extra"),
            "Line 1: unknown column: extra.",
            id="unknown-column",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,,,", header=HEADER.replace(",timezone", "")),
            "Line 1: missing column: timezone.",
            id="missing-column",
        ),
        pytest.param(
            csv_bytes("x", header=HEADER.replace(",", ";")),
            "Line 1: the columns are separated by semicolons",
            id="semicolon-separated",
        ),
        pytest.param(
            csv_bytes(
                "ana@example.org,,,,,,,", "ben@example.org,Ben,,,,,,", "ca\xe9@x.org,,,,,,,"
            ).replace(b"ca\xc3\xa9", b"ca\xe9"),
            "Line 4: the file is not UTF-8 text",
            id="latin-1",
        ),
        pytest.param(
            b"\xff\xfe" + HEADER.encode("utf-16-le"),
            "Line 1: the file is not UTF-8 text",
            id="utf-16",
        ),
        pytest.param(
            csv_bytes(",Ana,,,,,,"), "Line 2: the email address is missing.", id="no-email"
        ),
        pytest.param(
            csv_bytes("ana@@example.org,,,,,,,"),
            "Line 2: “ana@@example.org” is not a valid email address.",
            id="bad-email",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,,,,", "ben@example.org,,,,,,,", "ANA@example.org,,,,,,,"),
            "Line 4: ana@example.org is also on line 2; list each member once.",
            id="duplicate-email",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,Python:6,,,"),
            "Line 2: offers: the level of “Python” must be a number from 1 to 5, not “6”.",
            id="level-out-of-range",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,,Python:high,,"),
            "Line 2: needs: the priority of “Python” must be a number from 1 to 5, not “high”.",
            id="priority-not-a-number",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,Python:0,,,"),
            "Line 2: offers: the level of “Python” must be a number from 1 to 5, not “0”.",
            id="level-zero",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,Python;SQL:2,,,"),
            "Line 2: offers: “Python” is not written as Tag:level (e.g. Python:3).",
            id="malformed-entry",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,,:3,,"),
            "Line 2: needs: “:3” has no tag name.",
            id="empty-tag-name",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,Python:3;SQL:2;python:4,,,"),
            "Line 2: offers: “python” is named twice.",
            id="tag-named-twice",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,,,,Mars/Olympus_Mons"),
            "Line 2: timezone: “Mars/Olympus_Mons” is not a time zone name",
            id="bad-time-zone",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,,,,+02:00"),
            "Line 2: timezone: “+02:00” is not a time zone name",
            id="offset-is-not-a-time-zone",
        ),
        pytest.param(
            csv_bytes("ana@example.org," + "A" * 151 + ",,,,,,"),
            "Line 2: first_name is too long (151 characters; at most 150).",
            id="long-first-name",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,," + "T" * 81 + ":2,,"),
            "Line 2: needs: the tag name “TTTTTTTTTTTTTTTTTTTTTTTTTTTTTT…” is too long",
            id="long-tag-name",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,," + ";".join(f"Tag {n}:3" for n in range(300)) + ",,,"),
            "Line 2: offers is too long",
            id="long-cell",
        ),
        pytest.param(
            csv_bytes("ana@example.org,,,,,,,,"),
            "Line 2: expected 8 values separated by commas, found 9.",
            id="too-many-values",
        ),
    ],
)
def test_bad_input_is_reported_with_its_line_number(data, expected):
    parsed = parse_members_csv(data)

    assert any(problem.startswith(expected) for problem in problems(data)), problems(data)
    assert parsed.problems


def test_every_problem_of_a_file_is_reported_not_just_the_first():
    data = csv_bytes(
        "ana@example,,,,Python:9,,,Nowhere/City",
        "ben@example.org,,,,,,,",
        "carl@example.org,,,,;:2,,,",
    )

    assert problems(data) == [
        "Line 2: “ana@example” is not a valid email address.",
        "Line 2: timezone: “Nowhere/City” is not a time zone name such as Europe/Copenhagen.",
        "Line 2: offers: the level of “Python” must be a number from 1 to 5, not “9”.",
        "Line 4: offers: “:2” has no tag name.",
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("ana@example.org,A\u200bna,Silva,,,,,", "Line 2: first_name: Remove the invisible"),
        ("ana@example.org,Ana,\u202eavliS,,,,,", "Line 2: last_name: Remove the invisible"),
        ("ana@example.org,Ana,Silva,Sales\u2066,,,,", "Line 2: department: Remove the invisible"),
        ("ana@example.org,Ana,Silva,,Pyth\u200don:3,,,", "Line 2: offers: Remove the invisible"),
        ("ana@example.org,Ana,Silva,,,Speak\x07ing:3,,", "Line 2: needs: Remove the control"),
    ],
    ids=["zero-width-name", "bidi-name", "bidi-department", "joiner-tag", "bell-tag"],
)
def test_hidden_characters_in_names_and_tags_are_reported(row, expected):
    data = csv_bytes(row)

    assert any(problem.startswith(expected) for problem in problems(data)), problems(data)
    assert not parse_members_csv(data).rows
