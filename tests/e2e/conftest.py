"""Browser journeys against a live server: Debian's Chromium driven by Playwright.

The tests skip, with the reason, when Chromium (`/usr/bin/chromium`, or `$CHROMIUM_PATH`) or the
`playwright` package is missing, so `make test` works on a machine without a browser.
"""

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.e2e.browser import VIEWPORT, Journey

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(django_settings.BASE_DIR) / "e2e-screenshots"


def _chromium_missing() -> str:
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        return f"Chromium not found at {CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures know whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Module-scoped, not session-scoped: Playwright's loop
    must not outlive the browser tests, or the tests collected after them would run beside it."""
    reason = _chromium_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread, which makes Django refuse
    # ORM calls from the test ("async-unsafe"). The test code never runs inside that loop; the
    # live server answers in threads of its own.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def e2e_files(settings, tmp_path):
    """Uploads, staged imports, PDFs and signing keys go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CONTRACT_SIGNING_DIR = tmp_path / "signing"


@pytest.fixture
def journey(request, browser, live_server, e2e_files):
    """`journey(name)` starts a journey; `journey.person(label)` opens a browser for someone.

    A test ends with `trip.finish()`; a problem seen after it (a late console error) still fails
    the test here. On failure each open page is saved as `failure-<person>.png` (and .html) in
    the journey's screenshots folder.
    """
    started = []

    def start(name: str) -> Journey:
        trip = Journey(
            name=name,
            base_url=live_server.url,
            directory=SCREENSHOTS / name,
            new_context=lambda: browser.new_context(viewport=VIEWPORT, locale="en-GB"),
        )
        started.append(trip)
        return trip

    yield start

    failed = getattr(request.node, "report_call", None)
    for trip in started:
        trip.write_report()
        for person in trip.people:
            if failed is not None and failed.failed:
                name = f"failure-{person.label}"
                with contextlib.suppress(Exception):  # the page may be gone
                    person.page.screenshot(path=str(trip.directory / f"{name}.png"), full_page=True)
                    (trip.directory / f"{name}.html").write_text(
                        person.page.content(), encoding="utf-8"
                    )
            person.context.close()
    if failed is not None and failed.passed:
        for trip in started:
            trip.finish()
