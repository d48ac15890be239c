"""The Danish catalogue is complete: every message translated, nothing fuzzy, placeholders kept,
and the committed .mo says exactly what the .po says (CI has no gettext to compile it)."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "da" / "LC_MESSAGES"
PERCENT = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
BRACE = re.compile(r"\{\w*\}")


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for what makemessages writes (no obsolete entries kept)."""
    entries, entry, key = [], None, None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if entry is not None and not line:
                entries.append(entry)
                entry = None
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if key[0] == "msgstr":
                entry.msgstr[key[1]] += value
            else:
                setattr(entry, key[0], getattr(entry, key[0]) + value)
        else:
            keyword, _space, literal = line.partition(" ")
            value = ast.literal_eval(literal)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                key = ("msgstr", index)
                entry.msgstr[index] = value
            else:
                key = (keyword, None)
                setattr(entry, keyword, value)
    if entry is not None:
        entries.append(entry)
    return entries


def messages():
    return [entry for entry in read_po(LOCALE / "django.po") if entry.msgid]


def header():
    return next(entry for entry in read_po(LOCALE / "django.po") if not entry.msgid)


def test_the_catalogue_is_danish_with_danish_plurals():
    text = header().msgstr[0]

    assert "Language: da\n" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text
    assert "fuzzy" not in header().flags


def test_the_catalogue_has_the_apps_messages():
    assert len(messages()) > 1000


def test_every_message_is_translated_and_none_is_fuzzy():
    problems = [
        f"line {entry.line}: {entry.msgid[:60]!r}"
        for entry in messages()
        if "fuzzy" in entry.flags
        or not entry.msgstr
        or not all(entry.msgstr.values())
        or (entry.msgid_plural is not None and sorted(entry.msgstr) != [0, 1])
    ]
    assert problems == []


def test_every_translation_keeps_the_placeholders():
    problems = []
    for entry in messages():
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        for pattern, flag in ((PERCENT, "python-format"), (BRACE, "python-brace-format")):
            if flag not in entry.flags:
                continue
            expected = set().union(*(set(pattern.findall(source)) for source in sources))
            for translation in entry.msgstr.values():
                found = set(pattern.findall(translation))
                # A singular may leave out the count ("one pair" for "%(n)s pair").
                if found != expected and not (entry.msgid_plural and found < expected):
                    problems.append(f"line {entry.line}: {sorted(expected)} → {sorted(found)}")
    assert problems == []


def test_the_format_flags_match_the_messages():
    """makemessages flags a message python-format when it has %(name)s-style placeholders; a
    hand edit that adds or drops one without the flag would break at runtime."""
    problems = [
        f"line {entry.line}: {entry.msgid[:60]!r}"
        for entry in messages()
        if re.search(r"%\(\w+\)[sd]", entry.msgid)
        and "python-format" not in entry.flags
        and "no-python-format" not in entry.flags
    ]
    assert problems == []


def test_the_compiled_catalogue_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as file:
        catalog = gettext.GNUTranslations(file)._catalog
    problems = []
    for entry in messages():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural is None:
            compiled = {0: catalog.get(key)}
        else:
            compiled = {index: catalog.get((key, index)) for index in entry.msgstr}
        if compiled != entry.msgstr:
            problems.append(f"line {entry.line}: {entry.msgid[:60]!r}")
    assert problems == [], "Run: python manage.py compilemessages -l da"
