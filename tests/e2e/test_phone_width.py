"""At phone width (390 px) no page is wider than the screen.

The coordinator and a member each follow every link from their home page (a bounded crawl
over same-site pages) in a 390 x 844 window; a page whose content is wider than the window
would have to be scrolled sideways, so something on it is cut off.
"""

import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from tests.e2e import arrange
from tests.e2e.arrange import ANA, PASSWORD
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
MOST_PAGES = 80
LONG_EMAIL = "margrethe.oestergaard-christiansen@northwind-collective.test"
# Files, sign-out, language switching and the admin are not pages a member reads on a phone.
SKIPPED = ("/logout", "/i18n/", "/admin/", "/static/", "/media/")
SKIPPED_ENDINGS = (".pdf", ".ics", ".csv", ".zip", ".png", ".svg")
SKIPPED_WORDS = ("download", "export.", "/file", "/pdf", "/ics", "/csv", "/zip")

OVERFLOW = """() => {
    const root = document.documentElement;
    return root.scrollWidth - root.clientWidth;
}"""
# The elements that reach past the window's right edge, innermost first (for the message).
PAST_THE_EDGE = """() => {
    const width = document.documentElement.clientWidth;
    const clipped = (el) => {
        if (getComputedStyle(el).position === "absolute") return false;  // escapes its box
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== "visible") return true;
        }
        return false;
    };
    const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5 && !clipped(el);
    const past = Array.from(document.body.querySelectorAll("*"))
        .filter(sticksOut)
        .filter((el) => !Array.from(el.children).some(sticksOut));
    return past.slice(0, 3).map((el) => {
        const classes = el.className && el.className.baseVal === undefined
            ? "." + el.className.trim().split(/\\s+/).join(".") : "";
        return el.tagName.toLowerCase() + classes;
    });
}"""
LINKS = """() => Array.from(document.querySelectorAll("a[href]"))
    .filter((a) => !a.hasAttribute("download"))
    .map((a) => a.href)"""


def worth_visiting(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    path = parts.path.lower()
    return not (
        any(path.startswith(prefix) for prefix in SKIPPED)
        or path.endswith(SKIPPED_ENDINGS)
        or any(word in path for word in SKIPPED_WORDS)
    )


def log_in(page, base_url: str, email: str) -> None:
    page.goto(urljoin(base_url, reverse("account_login")))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign In", exact=True).click()


def crawl(page, base_url: str, shots: Path) -> tuple[list[str], list[str], set[str]]:
    """Every page reachable from home: (too wide, server errors, paths visited). Each page
    that is too wide is saved as a screenshot in `shots`."""
    origin = base_url.rstrip("/")
    queue, seen = [urljoin(base_url, reverse("home"))], set()
    too_wide, server_errors, paths = [], [], set()
    while queue and len(seen) < MOST_PAGES:
        url = queue.pop(0).split("#")[0]
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        if response is None:  # a download, not a page
            continue
        path = urlsplit(page.url).path
        paths.add(path)
        if response.status >= 500:
            server_errors.append(f"{response.status} {path}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        page.wait_for_load_state("load")
        overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            culprits = ", ".join(page.evaluate(PAST_THE_EDGE))
            too_wide.append(f"{path} is {overflow}px too wide ({culprits})")
            name = "-".join(part for part in path.split("/") if part) or "home"
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        for link in page.evaluate(LINKS):
            link = link.split("#")[0]
            if link not in seen and worth_visiting(link, origin):
                queue.append(link)
    return too_wide, server_errors, paths


def world() -> arrange.Cast:
    """Journey 4's cohort, and a member whose address is longer than a phone is wide."""
    cast, _meeting = arrange.after_journey_4()
    MembershipFactory(organization=cast.organization, user=UserFactory(email=LONG_EMAIL))
    return cast


@pytest.mark.parametrize("who", ["coordinator", "member"])
def test_no_page_is_wider_than_a_phone(who, browser, live_server, e2e_files):
    cast = arrange.build(world)
    email = cast.coordinator.email if who == "coordinator" else ANA
    context = browser.new_context(viewport=PHONE, locale="en-GB", accept_downloads=False)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, live_server.url, email)
        shots = SCREENSHOTS / f"phone-width-{who}"
        shutil.rmtree(shots, ignore_errors=True)
        shots.mkdir(parents=True)
        too_wide, server_errors, paths = crawl(page, live_server.url, shots)
    finally:
        context.close()

    assert len(paths) > 10, f"only {len(paths)} pages were reachable from home: {paths}"
    if who == "coordinator":  # the widest tables
        org, cohort = cast.organization.slug, cast.cohort.pk
        for name, kwargs in [
            ("organization_members", {"org_slug": org}),
            ("cohort_contracts", {"org_slug": org, "cohort_id": cohort}),
            ("cohort_lifecycle", {"org_slug": org, "cohort_id": cohort}),
        ]:
            assert reverse(name, kwargs=kwargs) in paths
    assert not server_errors, "server errors:\n" + "\n".join(server_errors)
    assert not too_wide, f"wider than a {PHONE['width']}px phone:\n" + "\n".join(too_wide)
