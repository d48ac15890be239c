"""Properties of the members CSV parser (`profiles.importing.parse_members_csv`).

Whatever bytes arrive, the parser answers with line-numbered problems or with rows, and never
raises; and a file written from valid values reads back as exactly those values.
"""

import csv
import io
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from profiles.importing import COLUMNS, TAG_NAME_MAX_LENGTH, parse_members_csv

# Reproducible in CI: the same examples every run, and no example database in the project.
PROPERTIES = settings(max_examples=60, derandomize=True, database=None, deadline=None)

HEADER = ",".join(COLUMNS)
LANGUAGES = ["English", "Danish", "German", "French", "Portuguese", "Japanese"]
TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})

words = st.text(
    alphabet=st.characters(categories=["L", "N"], include_characters="'’-.,\"&"),
    min_size=1,
    max_size=12,
)
# Tidy text (single spaces, none at the ends), as the parser leaves it.
tidy_text = st.lists(words, min_size=1, max_size=3).map(" ".join)
tag_names = (
    st.lists(
        st.text(
            alphabet=st.characters(categories=["L", "N"], include_characters="+#&./:'-"),
            min_size=1,
            max_size=15,
        ),
        min_size=1,
        max_size=3,
    )
    .map(" ".join)
    .filter(lambda name: len(name) <= TAG_NAME_MAX_LENGTH)
)
entries = st.lists(
    st.tuples(tag_names, st.integers(1, 5)),
    max_size=4,
    unique_by=lambda entry: entry[0].lower(),
).map(tuple)
emails = st.from_regex(r"[a-z][a-z0-9]{0,10}(\.[a-z0-9]{1,8})?", fullmatch=True)


@st.composite
def valid_rows(draw):
    """Rows of valid values, already in the form the parser cleans them to."""
    locals_ = draw(st.lists(emails, min_size=1, max_size=6, unique=True))
    rows = []
    for local in locals_:
        rows.append(
            {
                "email": f"{local}@example.org",
                "first_name": draw(tidy_text),
                "last_name": draw(tidy_text | st.just("")),
                "department": draw(tidy_text | st.just("")),
                "offers": draw(entries),
                "needs": draw(entries),
                "languages": tuple(draw(st.lists(st.sampled_from(LANGUAGES), unique=True))),
                "timezone": draw(st.sampled_from(["", *TIME_ZONES])),
            }
        )
    return rows


def cell(value) -> str:
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return ";".join(f"{name}:{number}" for name, number in value)
    if isinstance(value, tuple):
        return ";".join(value)
    return value


def write_csv(rows, *, line_end: str, bom: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([cell(row[column]) for column in COLUMNS])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def physical_lines(data: bytes) -> int:
    """At least the number of lines any editor shows (CR, LF and CRLF all end a line)."""
    return data.count(b"\n") + data.count(b"\r") + 1


def assert_answers_sanely(data: bytes) -> None:
    parsed = parse_members_csv(data)  # must not raise

    assert parsed.problems or parsed.rows
    assert all(1 <= problem.line <= physical_lines(data) for problem in parsed.problems)
    assert all(2 <= row.line <= physical_lines(data) for row in parsed.rows)


@PROPERTIES
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_give_problems_or_rows_and_never_an_exception(data):
    assert_answers_sanely(data)


@PROPERTIES
@given(st.text(max_size=2000))
def test_arbitrary_text_gives_problems_or_rows_and_never_an_exception(text):
    assert_answers_sanely(text.encode("utf-8", errors="surrogatepass"))


@PROPERTIES
@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.sampled_from('ab1:;,"\n\r\x00 é@./'), max_size=12),
            min_size=0,
            max_size=10,
        ),
        max_size=8,
    ),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_csv_shaped_junk_under_a_valid_header_never_raises(records, line_end):
    """Random cells, quotes, separators and line breaks below the real header."""
    lines = [HEADER, *(",".join(cells) for cells in records)]
    assert_answers_sanely(line_end.join(lines).encode())


@PROPERTIES
@given(valid_rows(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_every_valid_row_reads_back_as_its_values(rows, line_end, bom):
    data = write_csv(rows, line_end=line_end, bom=bom)

    parsed = parse_members_csv(data)

    assert parsed.problems == []
    assert parsed.records == len(rows)
    assert [row.line for row in parsed.rows] == list(range(2, len(rows) + 2))
    for written, read in zip(rows, parsed.rows, strict=True):
        assert {column: getattr(read, column) for column in COLUMNS} == written


@PROPERTIES
@given(valid_rows(), st.integers(0, 5), st.sampled_from(["", ";", ":", "Python:9", "x" * 3000]))
def test_one_broken_cell_is_reported_on_its_own_line(rows, which, broken):
    """A valid file with one cell spoiled: the problem names that row's line, nobody else's."""
    index = which % len(rows)
    rows[index] = {**rows[index], "email": broken or "not-an-email"}
    data = write_csv(rows, line_end="\n", bom=False)

    parsed = parse_members_csv(data)

    assert parsed.problems
    assert {problem.line for problem in parsed.problems} == {index + 2}
    assert index + 2 not in {row.line for row in parsed.rows}
