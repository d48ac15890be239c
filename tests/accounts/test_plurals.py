"""Counts read as real English and Danish: every count goes through ngettext (or a template's
`blocktranslate count`), so nothing says "pair(s)", "1 check-ins" or "medlem(mer)"."""

import io
import re
import tokenize
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

from checkins.oversight.views import _close_message
from tests.accounts.test_language_catalog import messages

BASE = Path(settings.BASE_DIR)
APPS = ("accounts", "profiles", "matching", "contracts", "checkins", "peermentor")
# "(s)" straight after a letter, as in "pair(s)"; "meeting(s)" in a docstring naming a pair of
# functions is written `name(s)` in backticks and is not shown to anyone.
HEDGED_PLURAL = re.compile(r"[A-Za-z]\(s\)")
HEDGED_DANISH = re.compile(r"[a-zæøå]\((?:er|r|e|mer)\)")


def user_visible_sources():
    for app in APPS:
        for path in (BASE / app).rglob("*"):
            if path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts:
                yield path


def texts(path: Path):
    """(line, text) of what could reach a reader: a Python file's string literals (code such as
    `label(s)` is not), a template's whole text."""
    source = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        yield from enumerate(source.splitlines(), start=1)
        return
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)}:
            yield token.start[0], token.string


def hedged_lines(path: Path) -> list[str]:
    found = []
    for number, text in texts(path):
        for match in HEDGED_PLURAL.finditer(text):
            if not re.search(r"`[^`]*$", text[: match.start()]):  # `name(s)` in a docstring
                found.append(f"{path.relative_to(BASE)}:{number}: {text.strip()[:90]}")
    return found


def test_no_source_hedges_a_plural_with_s_in_brackets():
    found = [hit for path in user_visible_sources() for hit in hedged_lines(path)]

    assert found == []


def test_no_catalogue_message_hedges_a_plural():
    hedged = [
        entry.msgid
        for entry in messages()
        if HEDGED_PLURAL.search(entry.msgid + (entry.msgid_plural or ""))
        or any(HEDGED_DANISH.search(text) for text in entry.msgstr.values())
    ]

    assert hedged == []


def test_one_pair_published_reads_singular_in_english_and_danish():
    def published(count, language):
        with translation.override(language):
            return ngettext(
                "%(n)s pair published; its members were emailed.",
                "%(n)s pairs published; their members were emailed.",
                count,
            ) % {"n": count}

    assert published(1, "en") == "1 pair published; its members were emailed."
    assert published(3, "en") == "3 pairs published; their members were emailed."
    assert published(1, "da") == "1 par offentliggjort; medlemmerne har fået en e-mail."


def test_the_closing_message_counts_each_thing_in_its_own_plural():
    class Result:
        already_closed = False
        meetings_cancelled = 1
        reminders_cancelled = 3
        surveys_requested = 1

    with translation.override("en"):
        english = _close_message(Result())
    with translation.override("da"):
        danish = _close_message(Result())

    assert english == (
        "The cohort is closed: 1 future meeting cancelled, 3 reminders cancelled, "
        "1 member asked for the closing survey."
    )
    assert danish == (
        "Holdet er lukket: 1 kommende møde aflyst, 3 påmindelser aflyst, "
        "1 medlem bedt om at besvare den afsluttende evaluering."
    )
