"""Reading a members CSV file and checking it row by row, with no database.

`parse_members_csv` decodes the bytes, reads the header (tolerant of case, spaces and dashes)
and checks each record on its own: the number of cells, lengths, email addresses, names,
`Tag:number` cells, languages and time zones, and members listed twice. Problems carry the
physical line of the file where their record starts.
"""

import csv
import functools
import io
import re
import zoneinfo
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.validators import validate_one_line

from ..models import CareerStage, Role
from ..services import normalize_languages
from .results import (
    CELL_MAX_LENGTH,
    COLUMNS,
    ENTRY_SEPARATOR,
    LANGUAGE_MAX_LENGTH,
    MAX_LENGTHS,
    OPTIONAL_COLUMNS,
    TAG_NAME_MAX_LENGTH,
    MemberRow,
    ParsedFile,
    Problem,
)


class _Problems(list):
    def add(self, line: int, message: str, **params) -> None:
        self.append(Problem(line, message % params if params else message))


@functools.cache
def _timezone_names() -> dict[str, str]:
    """Lower-cased IANA name → its canonical spelling (reading the tz database is slow)."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _tidy(value: str) -> str:
    return " ".join(value.split())


def _read_header(cells: list[str], problems: _Problems) -> dict[str, int]:
    """Column name → position; tolerant of case, spaces and dashes ("First name")."""
    names = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in cells]
    if len(names) == 1 and ";" in names[0]:
        problems.add(1, _("the columns are separated by semicolons; separate them with commas."))
        return {}
    expected = ",".join(COLUMNS)
    unknown = [
        cell.strip() or _("(empty)")
        for cell, name in zip(cells, names, strict=True)
        if name not in COLUMNS and name not in OPTIONAL_COLUMNS
    ]
    if unknown:
        problems.add(
            1,
            ngettext(
                "unknown column: %(columns)s. The columns are: %(expected)s.",
                "unknown columns: %(columns)s. The columns are: %(expected)s.",
                len(unknown),
            ),
            columns=", ".join(unknown),
            expected=expected,
        )
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        problems.add(
            1,
            ngettext(
                "missing column: %(columns)s. The columns are: %(expected)s.",
                "missing columns: %(columns)s. The columns are: %(expected)s.",
                len(missing),
            ),
            columns=", ".join(missing),
            expected=expected,
        )
    known = COLUMNS + OPTIONAL_COLUMNS
    repeated = sorted({name for name in names if name in known and names.count(name) > 1})
    if repeated:
        problems.add(
            1,
            ngettext(
                "column named twice: %(columns)s.",
                "columns named twice: %(columns)s.",
                len(repeated),
            ),
            columns=", ".join(repeated),
        )
    return {name: names.index(name) for name in known if name in names}


def _parse_entries(
    value: str, *, line: int, column: str, label: str, problems: _Problems
) -> tuple[tuple[str, int], ...]:
    """`Tag:number;Tag:number` → ((tag, number), ...); empty entries (a trailing ;) are fine."""
    entries: dict[str, tuple[str, int]] = {}
    for raw in value.split(ENTRY_SEPARATOR):
        entry = raw.strip()
        if not entry:
            continue
        name, colon, number = entry.rpartition(":")
        name, number = _tidy(name), number.strip()
        where = {"column": column, "entry": entry, "name": name, "label": label}
        if not colon:
            problems.add(
                line,
                _("%(column)s: “%(entry)s” is not written as Tag:%(label)s (e.g. Python:3)."),
                **where,
            )
        elif not name:
            problems.add(line, _("%(column)s: “%(entry)s” has no tag name."), **where)
        elif len(name) > TAG_NAME_MAX_LENGTH:
            problems.add(
                line,
                _("%(column)s: the tag name “%(short)s…” is too long (at most %(max)s)."),
                column=column,
                short=name[:30],
                max=TAG_NAME_MAX_LENGTH,
            )
        elif not re.fullmatch(r"[1-5]", number):
            problems.add(
                line,
                _(
                    "%(column)s: the %(label)s of “%(name)s” must be a number from 1 to 5, "
                    "not “%(number)s”."
                ),  # fmt: skip
                number=number,
                **where,
            )
        elif name.lower() in entries:
            problems.add(line, _("%(column)s: “%(name)s” is named twice."), **where)
        else:
            entries[name.lower()] = (name, int(number))
    return tuple(entries.values())


def _parse_row(cells: dict[str, str], line: int, problems: _Problems) -> MemberRow | None:
    """The row's clean values, or None after adding each of its problems to `problems`."""
    found = len(problems)
    for column, value in cells.items():
        if len(value) > CELL_MAX_LENGTH:
            problems.add(
                line,
                _("%(column)s is too long (%(length)s characters; at most %(max)s)."),
                column=column,
                length=len(value),
                max=CELL_MAX_LENGTH,
            )
    if len(problems) > found:
        return None
    given = tuple(column for column in OPTIONAL_COLUMNS if column in cells)
    values = {column: _tidy(cells[column]) for column in COLUMNS + given}
    for column, value in values.items():
        try:
            validate_one_line(value)
        except ValidationError as error:
            problems.add(line, "%(column)s: %(error)s", column=column, error=error.messages[0])
    for column, limit in MAX_LENGTHS.items():
        if column in values and len(values[column]) > limit:
            problems.add(
                line,
                _("%(column)s is too long (%(length)s characters; at most %(max)s)."),
                column=column,
                length=len(values[column]),
                max=limit,
            )

    email = values["email"].lower()
    if not email:
        problems.add(line, _("the email address is missing."))
    elif len(email) <= MAX_LENGTHS["email"]:
        try:
            validate_email(email)
        except ValidationError:
            problems.add(
                line, _("“%(email)s” is not a valid email address."), email=values["email"]
            )

    time_zone = _timezone_names().get(values["timezone"].lower(), "")
    if values["timezone"] and not time_zone:
        problems.add(
            line,
            _("timezone: “%(value)s” is not a time zone name such as Europe/Copenhagen."),
            value=values["timezone"][:70],
        )

    languages = [_tidy(part) for part in cells["languages"].split(ENTRY_SEPARATOR)]
    for language in languages:
        if len(language) > LANGUAGE_MAX_LENGTH:
            problems.add(
                line,
                _("languages: “%(short)s…” is too long for a language (at most %(max)s)."),
                short=language[:30],
                max=LANGUAGE_MAX_LENGTH,
            )

    offers = _parse_entries(
        cells["offers"], line=line, column="offers", label=_("level"), problems=problems
    )
    needs = _parse_entries(
        cells["needs"], line=line, column="needs", label=_("priority"), problems=problems
    )
    career_stage = _choice(values, "career_stage", line, problems)
    role = _choice(values, "role", line, problems)
    if len(problems) > found:
        return None
    return MemberRow(
        line=line,
        email=email,
        first_name=values["first_name"],
        last_name=values["last_name"],
        department=values["department"],
        offers=offers,
        needs=needs,
        languages=tuple(normalize_languages(languages)),
        timezone=time_zone,
        goal=values.get("goal", ""),
        career_stage=int(career_stage) if career_stage else None,
        role=role or "",
        given=given,
    )


@functools.cache
def _choice_keys(column: str) -> dict[str, str]:
    """A choice's value, or its English label in any case, -> the value (as text)."""
    choices = CareerStage.choices if column == "career_stage" else Role.choices
    keys = {}
    with translation.override("en"):
        for value, label in choices:
            keys[str(value).lower()] = str(value)
            keys[str(label).lower()] = str(value)
    return keys


def _choice(values, column: str, line: int, problems) -> str:
    """The value of an optional choice column ("" when absent or empty), or a problem."""
    text = values.get(column, "")
    if not text:
        return ""
    keys = _choice_keys(column)
    if text.lower() in keys:
        return keys[text.lower()]
    problems.add(
        line,
        _("%(column)s: “%(value)s” is not one of: %(choices)s."),
        column=column,
        value=text[:70],
        choices=", ".join(sorted({value for value in keys.values()})),
    )
    return ""


class _CsvError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) for each CSV record, skipping blank lines.

    A quoted cell may span lines, so a record's line is where it starts, not a count of records.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _CsvError(line, str(error)) from error
        if any(cell.strip() for cell in cells):
            yield line, cells
        line = reader.line_num + 1


def parse_members_csv(data: bytes) -> ParsedFile:
    """Read and check the file row by row (everything that needs no database)."""
    parsed, problems = ParsedFile(), _Problems()
    parsed.problems = problems
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.add(
            data[: error.start].count(b"\n") + 1,
            _(
                "the file is not UTF-8 text (byte %(position)s cannot be read). "
                "Save it as “CSV UTF-8” and try again."
            ),  # fmt: skip
            position=error.start + 1,
        )
        return parsed
    if "\x00" in text:  # binary content; PostgreSQL can't store a NUL character either
        problems.add(
            text[: text.index("\x00")].count("\n") + 1,
            _("the file contains a NUL character, so it is not CSV text. Save it as “CSV UTF-8”."),
        )
        return parsed
    records = _records(text)
    try:
        header_line, header = next(records, (0, []))
        if not header:
            problems.add(
                1,
                _("the file is empty. Its first line must name the columns: %(columns)s."),
                columns=",".join(COLUMNS),
            )
            return parsed
        if header_line != 1:
            problems.add(1, _("the first line must name the columns, but it is empty."))
            return parsed
        positions = _read_header(header, problems)
        if problems:
            return parsed
        first_lines: dict[str, int] = {}
        for line, cells in records:
            parsed.records += 1
            if len(cells) != len(header):
                problems.add(
                    line,
                    _("expected %(expected)s values separated by commas, found %(found)s."),
                    expected=len(header),
                    found=len(cells),
                )
                continue
            row = _parse_row({c: cells[i] for c, i in positions.items()}, line, problems)
            email = _tidy(cells[positions["email"]]).lower()
            if email and email in first_lines:
                problems.add(
                    line,
                    _("%(email)s is also on line %(first)s; list each member once."),
                    email=email,
                    first=first_lines[email],
                )
                continue
            first_lines[email] = line
            if row is not None:
                parsed.rows.append(row)
    except _CsvError as error:
        problems.add(error.line, _("the line cannot be read as CSV (%(error)s)."), error=error)
    if not parsed.records and not problems:
        problems.add(1, _("the file has a header line but no members below it."))
    return parsed
