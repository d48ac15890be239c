"""The contract as a printable document: HTML from a template, PDF from WeasyPrint.

`render_contract_pdf` takes a contract whose related rows are already loaded (see
`documents.contract_for_document`) and returns unsigned PDF bytes; signing and storing are
`documents`' business. A signed version is rendered in its first partner's language
(`document_language`), a draft in the requester's. The renderer fetches nothing over the
network: the stylesheet is read from disk once, the QR code is an inline data URI and any
other URL is refused.

Two guards keep one request from holding a CPU for long. WeasyPrint's line breaking costs the
square of a word's length when the word is wider than its column, so the text given to the
template (never the stored or hashed content) gets an invisible break opportunity (U+200B)
every few characters of a very long word (`breakable`). And `render_contract_pdf` stops a
render that runs past `CONTRACT_PDF_RENDER_SECONDS` with `RenderTimeout` (`time_budget`).
"""

import ctypes
import gc
import hashlib
import re
import threading
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache as cache_once
from pathlib import Path
from urllib.parse import urlencode

import segno
import weasyprint
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint.text.fonts import FontConfiguration

from accounts.language import current_language, supported_language, user_language

from .models import Contract, Indicator

STYLESHEET = Path(__file__).resolve().parent / "static" / "contracts" / "pdf.css"
TEMPLATE = "contracts/pdf/contract.html"


# A word longer than LONG_WORD characters gets a break opportunity every BREAK_EVERY characters:
# short enough that a piece of the widest glyphs fits the narrowest column (a third of the page).
LONG_WORD = 30
BREAK_EVERY = 10
ZERO_WIDTH_SPACE = "\u200b"
_LONG_WORD = re.compile(rf"\S{{{LONG_WORD + 1},}}")
_ZERO_WIDTH_JOINER = "\u200d"


class RenderTimeout(Exception):
    """Rendering took longer than its time budget and was stopped."""


def _may_break_before(previous: str, char: str) -> bool:
    """Not inside a character cluster: before a letter, digit, punctuation or symbol that
    doesn't join the one before it (combining marks, joiners, emoji modifiers, flags)."""
    if previous == _ZERO_WIDTH_JOINER or unicodedata.category(char)[0] not in "LNPS":
        return False
    code = ord(char)
    return not (0x1F3FB <= code <= 0x1F3FF or 0x1F1E6 <= code <= 0x1F1FF)


def _break_word(match: re.Match) -> str:
    word, pieces, start = match.group(), [], 0
    for index in range(BREAK_EVERY, len(word)):
        if index - start >= BREAK_EVERY and _may_break_before(word[index - 1], word[index]):
            pieces.append(word[start:index])
            start = index
    pieces.append(word[start:])
    return ZERO_WIDTH_SPACE.join(pieces)


def breakable(text) -> str:
    """`text` with a zero-width space every BREAK_EVERY characters of each word longer than
    LONG_WORD characters; shorter words are left whole. For display only."""
    if text is None:
        return ""
    return _LONG_WORD.sub(_break_word, str(text))


@dataclass(frozen=True)
class Partner:
    name: str
    email: str


def verification_url(content_hash: str) -> str:
    """The public page that tells whether a contract with this hash was signed here."""
    return f"{settings.SITE_URL}{reverse('contract_verify')}?{urlencode({'hash': content_hash})}"


def qr_data_uri(url: str) -> str:
    """A PNG with one pixel per module, printed large with `image-rendering: pixelated`: as
    sharp as an SVG, and far quicker to lay out than a path of a few thousand segments."""
    return segno.make(url, error="m", micro=False).png_data_uri(scale=1, border=0)


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def indicator_target(indicator: Indicator) -> str:
    if indicator.kind == Indicator.Kind.YES_NO:
        return _("Yes / no")
    return f"{_number(indicator.target_value)} {indicator.unit}".strip()


def signed_name(contract: Contract, user) -> str:
    """The name `user` typed when signing this version, or "" if no signature of theirs on
    it stands (deleting an account withdraws its signatures from versions not fully signed)."""
    for signature in contract.signatures.all():
        if signature.user_id == user.pk and signature.withdrawn_at is None:
            return signature.typed_name
    return ""


def partner_name(contract: Contract, user) -> str:
    """How the contract names a partner: their name; for a former member, the name they
    signed this version with, else "a former member" (their account, names and address are
    gone)."""
    if user.is_former_member:
        return signed_name(contract, user) or user.display_name
    return user.display_name


def _partner_order(contract: Contract, user) -> tuple:
    if user.is_former_member:
        return (partner_name(contract, user), "", "")
    return (user.first_name, user.last_name, user.email)


def partners_of(contract: Contract) -> list[Partner]:
    """The pair's members, by name (the same order as their sections)."""
    users = [member.user for member in contract.pair.members.all()]
    users += [s.user for s in contract.sections.all() if s.user_id not in {u.pk for u in users}]
    users.sort(key=lambda user: _partner_order(contract, user))
    return [
        Partner(
            name=partner_name(contract, user),
            email="" if user.is_former_member else user.email,
        )
        for user in users
    ]


def active_signatures(contract: Contract) -> list:
    """Signatures not withdrawn, first signer first."""
    signatures = [s for s in contract.signatures.all() if s.withdrawn_at is None]
    return sorted(signatures, key=lambda signature: (signature.signed_at, signature.pk))


def document_title(contract: Contract, partners: list[Partner]) -> str:
    names = " & ".join(partner.name for partner in partners)
    return _("Peer-mentoring contract: %(names)s (version %(version)s)") % {
        "names": names,
        "version": contract.version,
    }


def contract_pdf_context(contract: Contract, *, draft: bool) -> dict:
    partners = partners_of(contract)
    sections = sorted(contract.sections.all(), key=lambda s: _partner_order(contract, s.user))
    for section in sections:
        section.partner_name = partner_name(contract, section.user)
        section.goal_list = sorted(section.goals.all(), key=lambda goal: (goal.position, goal.pk))
        by_id = {goal.pk: goal for goal in section.goal_list}
        for goal in section.goal_list:
            goal.serves_goal = by_id.get(goal.serves_id)
            goal.strategy_list = sorted(goal.strategies.all(), key=lambda s: (s.position, s.pk))
            goal.indicator_list = sorted(goal.indicators.all(), key=lambda i: (i.position, i.pk))
            for indicator in goal.indicator_list:
                indicator.target_text = indicator_target(indicator)
    url = verification_url(contract.content_hash) if contract.content_hash else ""
    return {
        "contract": contract,
        "organization": contract.organization,
        "cohort": contract.cohort,
        "program": contract.cohort.program,
        "partners": partners,
        "sections": sections,
        "signatures": active_signatures(contract),
        "title": document_title(contract, partners),
        "draft": draft,
        "verify_url": url,
        "qr": qr_data_uri(url) if url and not draft else "",
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }


_per_thread = threading.local()


def _fonts_and_stylesheet() -> tuple[FontConfiguration, weasyprint.CSS]:
    """The font configuration and the parsed stylesheet, made once per thread (Pango's font
    map is not thread-safe) and reused for every document: they never change."""
    if not hasattr(_per_thread, "stylesheet"):
        _per_thread.fonts = FontConfiguration()
        _per_thread.stylesheet = weasyprint.CSS(
            filename=str(STYLESHEET), url_fetcher=_fetcher(), font_config=_per_thread.fonts
        )
    return _per_thread.fonts, _per_thread.stylesheet


@cache_once
def _fetcher() -> weasyprint.URLFetcher:
    return weasyprint.URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def document_language(contract: Contract) -> str:
    """The signed PDF's language: that of the partner with the lowest user id (its bytes are
    signed and kept, so it is rendered once, in one language, whoever asks for it first)."""
    users = [member.user for member in contract.pair.members.all()]
    users += [section.user for section in contract.sections.all()]
    first = min(users, key=lambda user: user.pk, default=None)
    return user_language(first)


def render_contract_html(
    contract: Contract, *, draft: bool = False, language: str | None = None
) -> str:
    """`language` by default: a draft in the active one (the requester's), a signed version
    in `document_language`."""
    if language is None:
        language = current_language() if draft else document_language(contract)
    with translation.override(supported_language(language)):
        return render_to_string(TEMPLATE, contract_pdf_context(contract, draft=draft))


@contextmanager
def _without_gc_pauses():
    """WeasyPrint allocates a few hundred thousand short-lived objects per document, and every
    full collection also walks all of Django's long-lived ones: measured, about a third of
    the render time. Reference counting frees nearly everything anyway; the few cycles wait
    until the document is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def time_budget(seconds: float):
    """Raise RenderTimeout in this thread once `seconds` have passed inside the block.

    A timer thread sets the exception on this thread (CPython's PyThreadState_SetAsyncExc),
    which raises it at the next Python instruction: it works in any thread, so under
    gunicorn's sync workers, Celery's prefork pool and the threaded development server alike,
    and uses no signal that a server might already handle. WeasyPrint lays out in Python,
    calling Pango for one line at a time, so the stop comes promptly. `seconds` <= 0: no budget.
    """
    if seconds <= 0:
        yield
        return
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"inside": True}

    def expire():
        with lock:
            if state["inside"]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread_id), ctypes.py_object(RenderTimeout)
                )

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        # Under the lock, so that the exception can't be set once the block is left.
        with lock:
            state["inside"] = False
        timer.cancel()


def _write_pdf(html: str) -> bytes:
    fonts, stylesheet = _fonts_and_stylesheet()
    try:
        with time_budget(settings.CONTRACT_PDF_RENDER_SECONDS), _without_gc_pauses():
            document = weasyprint.HTML(string=html, url_fetcher=_fetcher())
            return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    except RenderTimeout:
        # The stop may have come in the middle of WeasyPrint's work with the shared fonts:
        # the next render in this thread starts from fresh ones.
        _per_thread.__dict__.clear()
        raise


def render_contract_pdf(
    contract: Contract, *, draft: bool = False, language: str | None = None
) -> bytes:
    """Unsigned PDF bytes; `draft` adds a "Draft – not signed" watermark on every page.

    A draft is kept in the cache under the SHA-256 of its HTML (which holds every word, name,
    date and the language it shows) and of the stylesheet, for DRAFT_CACHE_SECONDS: asking
    again for an unchanged draft costs no rendering. Raises RenderTimeout past the budget.
    """
    html = render_contract_html(contract, draft=draft, language=language)
    if not draft:
        return _write_pdf(html)
    key = f"contracts:draft-pdf:{_stylesheet_digest()}:{hashlib.sha256(html.encode()).hexdigest()}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = _write_pdf(html)
        cache.set(key, pdf, DRAFT_CACHE_SECONDS)
    return pdf


DRAFT_CACHE_SECONDS = 60 * 60


@cache_once
def _stylesheet_digest() -> str:
    return hashlib.sha256(STYLESHEET.read_bytes()).hexdigest()[:16]
