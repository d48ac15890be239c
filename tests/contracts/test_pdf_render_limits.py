"""A contract PDF can't hold a CPU: long words wrap cheaply, drafts are cached, renders have a
time budget, and signing renders once."""

import threading
import time

import pytest
import weasyprint
from django.urls import reverse
from weasyprint.formatting_structure.boxes import TextBox

from contracts import canonical, documents, limits, pdf
from contracts.models import Contract, ContractSection, Goal, Indicator
from contracts.services import contract_sign
from tests.contracts.pdf_factories import signed_contract, use_temporary_files

pytestmark = pytest.mark.django_db

ZWSP = "\u200b"


@pytest.fixture(autouse=True)
def _temporary_files(settings, tmp_path):
    use_temporary_files(settings, tmp_path)


def pdf_url(contract):
    return reverse("contract_pdf", kwargs={"org_slug": "northwind", "contract_id": contract.pk})


def draft_with(cohort, users, *, assets="", statement=""):
    """A draft whose first partner's section and first goal hold the given texts."""
    contract = signed_contract(cohort, users, status=Contract.Status.DRAFT, goals=1)
    section = ContractSection.objects.get(contract=contract, user=users[0])
    if assets:
        section.assets = assets
        section.save(update_fields=["assets"])
    if statement:
        Goal.objects.filter(section=section).update(statement=statement)
    return contract


@pytest.fixture
def count_renders(monkeypatch):
    """Counts WeasyPrint layouts (each `write_pdf` call is one full render)."""
    calls = []
    write_pdf = weasyprint.HTML.write_pdf

    def counting(self, *args, **kwargs):
        calls.append(1)
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counting)
    return calls


# Long words ----------------------------------------------------------------------------------


def test_breakable_splits_only_very_long_words():
    long_word = "x" * 45
    text = f"short words stay whole and so does internationalisation {long_word}"

    result = pdf.breakable(text)

    assert result.replace(ZWSP, "") == text
    assert "short words stay whole and so does internationalisation " in result
    pieces = result.split(" ")[-1].split(ZWSP)
    assert [len(piece) for piece in pieces] == [10, 10, 10, 10, 5]


def test_breakable_never_splits_a_letter_from_its_accent_or_an_emoji_sequence():
    accented = "e\u0301" * 40  # e + combining acute accent
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467" * 10  # joined emoji
    waving = "\U0001f44b\U0001f3fd" * 20  # waving hand + skin tone

    for word in (accented, family, waving):
        result = pdf.breakable(word)
        assert result.replace(ZWSP, "") == word
        for index, char in enumerate(result):
            if char == ZWSP:
                assert result[index + 1] not in "\u0301\u200d\U0001f3fd"
                assert result[index - 1] != "\u200d"


def test_long_word_gets_break_opportunities_in_the_printed_copy_only(cohort, member, partner):
    """The longest words the fields allow: a section text and a goal, each one unbroken word."""
    word = "Unbroken" * (limits.SECTION_TEXT_MAX // 8)
    goal_word = "Unbroken" * (limits.GOAL_STATEMENT_MAX // 8)
    contract = draft_with(cohort, [member, partner], assets=word, statement=goal_word)
    hash_before = canonical.content_hash(contract)

    html = pdf.render_contract_html(documents.contract_for_document(contract_id=contract.pk))

    assert word not in html
    assert goal_word not in html
    assert word[:10] + ZWSP + word[10:20] in html
    section = ContractSection.objects.get(contract=contract, user=member)
    assert section.assets == word
    assert canonical.content_hash(contract) == hash_before


def _text_boxes(box):
    if isinstance(box, TextBox):
        yield box
    for child in getattr(box, "children", []):
        yield from _text_boxes(child)


def test_long_words_wrap_inside_the_page(cohort, member, partner):
    """A word too wide for its column (below the length that gets break opportunities, and
    far above it) is wrapped, not printed past the right margin."""
    medium = "W" * pdf.LONG_WORD
    contract = draft_with(
        cohort, [member, partner], assets=medium, statement=f"{medium} {'Unbroken' * 100}"
    )
    Indicator.objects.filter(goal__section__contract=contract, kind=Indicator.Kind.NUMBER).update(
        unit=medium  # in the narrow "target" column
    )
    html = pdf.render_contract_html(
        documents.contract_for_document(contract_id=contract.pk), draft=True
    )

    document = weasyprint.HTML(string=html).render(stylesheets=[weasyprint.CSS(pdf.STYLESHEET)])

    checked = []
    for page in document.pages:
        right = page._page_box.content_box_x() + page._page_box.width
        for box in _text_boxes(page._page_box):
            if "WWWWW" in box.text or "Unb" in box.text:
                checked.append(box.text)
                assert box.position_x + box.width <= right + 1, box.text
    assert len(checked) > 10  # the medium word's line and the long word's many lines


# The draft cache -----------------------------------------------------------------------------


def test_asking_again_for_an_unchanged_draft_renders_nothing(
    client_for, cohort, member, partner, count_renders
):
    contract = signed_contract(cohort, [member, partner], status=Contract.Status.DRAFT)

    first = client_for(member).get(pdf_url(contract))
    second = client_for(member).get(pdf_url(contract))

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(count_renders) == 1


def test_an_edited_draft_is_rendered_afresh(client_for, cohort, member, partner, count_renders):
    contract = signed_contract(cohort, [member, partner], status=Contract.Status.DRAFT)
    client_for(member).get(pdf_url(contract))
    ContractSection.objects.filter(contract=contract, user=member).update(assets="Budgets.")

    client_for(member).get(pdf_url(contract))

    assert len(count_renders) == 2


# The time budget -----------------------------------------------------------------------------


def _endless_layout(self, *args, **kwargs):
    """A layout that would go on far past the budget (Python work, like WeasyPrint's)."""
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        pass
    return b"%PDF-never"


def test_render_past_its_budget_answers_a_clear_error_page(
    settings, client_for, cohort, member, partner, monkeypatch
):
    settings.CONTRACT_PDF_RENDER_SECONDS = 1
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", _endless_layout)
    contract = signed_contract(cohort, [member, partner], status=Contract.Status.DRAFT)

    started = time.monotonic()
    response = client_for(member).get(pdf_url(contract))

    assert time.monotonic() - started < 4
    assert response.status_code == 503
    assert b"took longer than 1 seconds" in response.content


def test_time_budget_stops_a_render_in_any_thread(monkeypatch):
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", _endless_layout)
    outcome = []

    def render():
        started = time.monotonic()
        try:
            with pdf.time_budget(0.5):
                weasyprint.HTML(string="<p>x</p>").write_pdf()
        except pdf.RenderTimeout:
            outcome.append(time.monotonic() - started)

    thread = threading.Thread(target=render)
    thread.start()
    thread.join(timeout=10)

    assert outcome and outcome[0] < 2


def test_time_budget_does_not_fire_after_the_block(settings):
    with pdf.time_budget(0.2):
        pass
    time.sleep(0.4)  # a late exception would be raised here


# Signing -------------------------------------------------------------------------------------


def test_signing_renders_the_signed_pdf_once(
    client_for,
    cohort,
    member,
    partner,
    count_renders,
    django_capture_on_commit_callbacks,
):
    contract = signed_contract(cohort, [member, partner], status=Contract.Status.READY)

    with django_capture_on_commit_callbacks(execute=True):
        for user in (member, partner):
            contract_sign(
                contract=contract,
                user=user,
                typed_name=user.get_full_name(),
                content_hash=contract.content_hash,
                notify=False,
            )
    downloads = [client_for(user).get(pdf_url(contract)) for user in (member, partner)]

    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.SIGNED
    assert [response.status_code for response in downloads] == [200, 200]
    assert downloads[0].content == downloads[1].content
    assert len(count_renders) == 1
