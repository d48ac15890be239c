"""The people of a journey: Playwright pages that check every page they land on.

A `Journey` owns a screenshots folder (`e2e-screenshots/<journey>/NN-name.png`) and the list of
problems found on the way. Each `Person` is a browser context of its own (own cookies) with one
page, and fails the journey on:

* a response of 500 or more, for the page or anything it loads;
* a browser console error or an uncaught script error (a Content-Security-Policy violation is
  one), except "Failed to load resource" for the status a step declares it expects (a 404 page
  logs one for itself);
* an axe-core violation of serious or critical impact on any page it lands on.

Server errors fail at once; console errors and accessibility violations are collected and the
journey fails at its end with all of them listed (`Journey.finish`).
"""

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import BrowserContext, Page, Response

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"
SEVERE = ("serious", "critical")
VIEWPORT = {"width": 1280, "height": 900}  # wide enough for the expanded navbar (lg)
FAILED_RESOURCE = re.compile(r"Failed to load resource: .*status of (\d+)")
# Ids and emailed keys in paths vary between runs; a violation is reported once per page kind.
ID_IN_PATH = re.compile(r"/(\d+|[^/]*[:-][^/]{20,})(?=/|$)")

_axe_script = None


def axe_script() -> str:
    global _axe_script
    if _axe_script is None:
        _axe_script = AXE_SOURCE.read_text(encoding="utf-8")
    return _axe_script


@dataclass
class AxeFinding:
    page: str  # the path, with ids replaced by <id>
    rule: str
    impact: str
    help: str
    targets: list[str]
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        where = "; ".join(self.details or self.targets)
        return f"{self.page}: [{self.impact}] {self.rule} ({self.help}): {where}"


@dataclass
class Journey:
    name: str
    base_url: str
    directory: Path
    new_context: Callable[[], BrowserContext]
    problems: list[str] = field(default_factory=list)
    findings: list[AxeFinding] = field(default_factory=list)
    pages_checked: set[str] = field(default_factory=set)
    shots: list[Path] = field(default_factory=list)
    people: list["Person"] = field(default_factory=list)

    def __post_init__(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self.directory.iterdir():  # the previous run's screenshots and files
            if old.is_file():
                old.unlink()

    def person(self, label: str) -> "Person":
        """Someone with a browser of their own (own cookies)."""
        return Person(self, self.new_context(), label)

    def screenshot(self, page: Page, name: str) -> Path:
        path = self.directory / f"{len(self.shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        return path

    def record(self, finding: AxeFinding) -> None:
        known = {(f.page, f.rule) for f in self.findings}
        if (finding.page, finding.rule) not in known:
            self.findings.append(finding)
            if finding.impact in SEVERE:
                self.problems.append(f"accessibility: {finding}")

    def finish(self) -> None:
        """Fail with everything found on the way."""
        assert not self.problems, f"journey {self.name!r} found problems:\n" + "\n".join(
            self.problems
        )

    def write_report(self) -> None:
        """axe's findings of every impact, for the record (the journey fails on serious ones)."""
        report = {
            "pages_checked": sorted(self.pages_checked),
            "findings": [f.__dict__ for f in self.findings],
        }
        (self.directory / "axe.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


class Person:
    """One browser user. Navigation helpers check the page they arrive at."""

    def __init__(self, journey: Journey, context: BrowserContext, label: str):
        self.journey = journey
        self.context = context
        self.label = label
        context.set_default_timeout(10_000)
        self.page = context.new_page()
        self.expected_statuses: set[int] = set()
        self.server_errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("response", self._on_response)
        # data-confirm forms ask with window.confirm(); the person always says yes.
        self.page.on("dialog", lambda dialog: dialog.accept())
        journey.people.append(self)

    # Listeners -------------------------------------------------------------------------------

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        failed = FAILED_RESOURCE.search(message.text)
        if failed and int(failed.group(1)) in self.expected_statuses:
            return
        self.journey.problems.append(
            f"{self.label}: console error on {self.page.url}: {message.text}"
        )

    def _on_page_error(self, error) -> None:
        self.journey.problems.append(f"{self.label}: script error on {self.page.url}: {error}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    # Navigation ------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return urljoin(self.journey.base_url, path)

    @property
    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def goto(self, path: str, *, status: int = 200, shot: str = "") -> Response:
        with self.expecting(status):
            response = self.page.goto(self.url(path))
            assert response is not None
            assert response.status == status, (
                f"{self.label}: GET {path} answered {response.status}, expected {status}"
            )
            self.check(shot)
        return response

    def click(self, target, *, shot: str = "", status: int = 200) -> Response:
        """Click a link or a submit button and wait for the page it leads to."""
        locator = self._locate(target)
        with self.expecting(status):
            with self.page.expect_navigation() as navigation:
                locator.click()
            response = navigation.value
            assert response is not None
            assert response.status == status, (
                f"{self.label}: {target!r} led to {response.url} answering {response.status}"
            )
            self.check(shot)
        return response

    def download(self, target) -> bytes:
        """Click a link that downloads a file; the file's bytes."""
        with self.page.expect_download() as info:
            self._locate(target).click()
        download = info.value
        failure = download.failure()
        assert failure is None, f"{self.label}: download failed: {failure}"
        return Path(download.path()).read_bytes()

    def _locate(self, target):
        if isinstance(target, str):
            button = self.page.get_by_role("button", name=target, exact=True)
            return button.or_(self.page.get_by_role("link", name=target, exact=True)).first
        return target

    @contextlib.contextmanager
    def expecting(self, status: int):
        """While inside, a console "Failed to load resource" for `status` is expected."""
        added = status >= 400 and status not in self.expected_statuses
        if added:
            self.expected_statuses.add(status)
        try:
            yield
        finally:
            if added:
                self.expected_statuses.discard(status)

    # Checks ----------------------------------------------------------------------------------

    def check(self, shot: str = "") -> None:
        """The page has loaded: no server error so far, axe finds nothing serious."""
        self.page.wait_for_load_state("load")
        assert not self.server_errors, f"{self.label}: server errors: {self.server_errors}"
        self.axe()
        if shot:
            self.journey.screenshot(self.page, shot)

    def axe(self) -> None:
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, which the page's CSP does not govern
            # (a <script> tag with the same content would be refused by `script-src 'self'`).
            self.page.evaluate(axe_script())
        violations = self.page.evaluate(
            """async () => {
                const results = await axe.run(document, {resultTypes: ["violations"]});
                return results.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
                    details: v.nodes.slice(0, 5).map((n) => n.failureSummary + " | " + n.html),
                }));
            }"""
        )
        page = ID_IN_PATH.sub("/<id>", urlsplit(self.page.url).path)
        self.journey.pages_checked.add(page)
        for violation in violations:
            self.journey.record(
                AxeFinding(
                    page=page,
                    rule=violation["id"],
                    impact=violation["impact"] or "unknown",
                    help=violation["help"],
                    targets=violation["targets"],
                    details=violation["details"],
                )
            )

    @property
    def messages(self) -> str:
        """The text of the page's flash messages (success, info, warnings, errors)."""
        box = self.page.locator(".pm-messages")
        return box.inner_text() if box.count() else ""

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).inner_text()

    # Forms -----------------------------------------------------------------------------------

    def field(self, label: str, within=None):
        """The form field labelled `label` (crispy forms add a `*` to required fields)."""
        pattern = re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")
        return (within or self.page).get_by_label(pattern)

    def fill(self, label: str, value: str, *, within=None) -> None:
        self.field(label, within).fill(value)

    def select(self, label: str, value: str, *, within=None) -> None:
        self.field(label, within).select_option(value)

    def post(self, path: str, data: dict | None = None):
        """A form POST outside the page (as a crafted request would), with the CSRF token."""
        token = next((c["value"] for c in self.context.cookies() if c["name"] == "csrftoken"), "")
        return self.context.request.post(
            self.url(path),
            form=data or {},
            headers={"X-CSRFToken": token, "Referer": self.url("/")},
            max_redirects=0,
        )
