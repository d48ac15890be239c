"""Load test: simulated members browsing a 2,000-member demo served by gunicorn.

Run from the repository root:

    python benchmarks/load.py                                  # throwaway PostgreSQL database
    python benchmarks/load.py --database-url postgres://user@host:5432/name
    python benchmarks/load.py --users 50 --duration 60 --think 5 --ramp 20 --workers 3

1. The database: by default a PostgreSQL database `peermentor_load` on
   postgres://postgres@127.0.0.1:5432, created (dropped first if it exists) and dropped again at
   the end. With --database-url the given database is migrated and used, and kept.
2. The demo, seeded in this process: an organization ("load") with a coordinator and a cohort of
   --members members imported from a generated CSV through the import service (offers, needs,
   languages, time zones from the demo's taxonomy), every member with the demo password and a
   verified address; then, with bulk_create, the members paired two by two (active pairs), each
   pair with a contract signed by both (one goal, strategy and indicator per partner), its
   weekly meetings over the whole contract (past and future, as the scheduler plans them), and
   check-ins by both partners after every past meeting for half of the pairs. Contracts are
   inserted as signed rows with their canonical content hash; no PDFs are rendered.
3. gunicorn with --workers sync workers on 127.0.0.1, DEBUG=false (random SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1; the static files are collected for the manifest storage into a
   temporary STATIC_ROOT, set by a two-line settings module in a temporary folder that imports
   peermentor.settings, so nothing is written into the repository).
   Requests carry `X-Forwarded-Proto: https`, as from the TLS proxy the app expects in front.
4. A warm-up, unrecorded: every page a few times from several threads, so that each worker
   has loaded its templates before the clock starts.
5. --users simulated members (threads, http.client, a cookie jar each), each one a different
   partner of a pair without check-ins. Each logs in once (the login page, then the form; the
   logins are spread over the first --ramp seconds) and then, until --duration seconds after the
   start, opens one of its pages at random, pausing a random 0.5–1.5 × --think seconds between
   pages, as a person reading them would (0: no pause, a saturation test): its profile form,
   its partner's profile, the pair page, the check-in page of the pair's last meeting; once, it
   fills that check-in and submits it.

It prints requests per second, p50/p95/max latency per page kind and for all pages (also for
the pages after the last login), the errors (any status other than the expected 200, or 302
after a form, and any connection error), and the machine's load average before and after: the
load generator, gunicorn and PostgreSQL share the machine with whatever else runs on it. The
login requests are listed apart: they hash the password (PBKDF2), slowly on purpose.
"""

import argparse
import contextlib
import datetime
import html.parser
import http.client
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
DEFAULT_NAME = "peermentor_load"
ORG_SLUG = "load"
HOST = "127.0.0.1"
PAGE_KINDS = ("profile form", "partner profile", "pair page", "check-in page", "check-in POST")


# The database ------------------------------------------------------------------------------


def postgres_admin(url: str):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password or "") or None,
        dbname="postgres",
        autocommit=True,
    )


def create_database(server: str, name: str) -> None:
    with postgres_admin(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(server: str, name: str) -> None:
    with postgres_admin(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The demo ----------------------------------------------------------------------------------


@dataclass
class Member:
    """What one simulated member needs: who they are and the paths of their pages."""

    email: str
    password: str
    paths: dict[str, str]


def members_csv(count: int, rng: random.Random) -> bytes:
    from profiles.demo import DEPARTMENTS, LANGUAGE_SETS, TAXONOMY, TIMEZONES

    tags = [name for names in TAXONOMY.values() for name in names]
    lines = ["email,first_name,last_name,department,offers,needs,languages,timezone,goal"]
    for n in range(1, count + 1):
        offers, needs = rng.sample(tags, 3), rng.sample(tags, 2)
        lines.append(
            ",".join(
                [
                    f"member{n:04d}@load.peermentor.test",
                    f"Member{n}",
                    "Load",
                    rng.choice(DEPARTMENTS),
                    ";".join(f"{tag}:{rng.randint(2, 5)}" for tag in offers),
                    ";".join(f"{tag}:{rng.randint(1, 5)}" for tag in needs),
                    ";".join(rng.choice(LANGUAGE_SETS)),
                    rng.choice(TIMEZONES),
                    "Lead my team's planning on my own within a year",
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode()


def seed(*, members: int, users: int, rng: random.Random) -> list[Member]:
    """Seed the demo (see the module docstring) and return the simulated members."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from accounts import services as account_services
    from accounts.demo import DEMO_PASSWORD, ensure_user
    from accounts.models import Cohort, Enrolment, User
    from checkins import schedule
    from checkins import selectors as checkin_selectors
    from checkins.models import CheckIn, Meeting
    from contracts.canonical import content_hash
    from contracts.models import Contract, ContractSection, Goal, Indicator, Signature, Strategy
    from matching.models import Pair, PairMember
    from profiles import importing

    now = timezone.now()
    today = timezone.localdate()
    coordinator = ensure_user("coordinator@load.peermentor.test", "Cora", "Load")
    organization = account_services.organization_create(
        user=coordinator, name="Load test", slug=ORG_SLUG
    )
    program = account_services.program_create(
        organization=organization, actor=coordinator, name="Load test program"
    )
    cohort = account_services.cohort_create(
        program=program,
        actor=coordinator,
        name="Load test cohort",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=300),
        status=Cohort.Status.ACTIVE,
    )
    started = time.perf_counter()
    importing.members_import(cohort=cohort, actor=coordinator, data=members_csv(members, rng))
    print(f"  imported {members:,} members in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    people = list(User.objects.filter(enrolments__cohort=cohort).order_by("pk").only("pk", "email"))
    with transaction.atomic():
        User.objects.filter(pk__in=[u.pk for u in people]).update(
            password=make_password(DEMO_PASSWORD)
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in people],
            batch_size=1000,
        )
        pairs = Pair.objects.bulk_create(
            [
                Pair(
                    organization=organization,
                    cohort=cohort,
                    status=Pair.Status.ACTIVE,
                    origin=Pair.Origin.MANUAL,
                    score=round(rng.uniform(60, 100), 1),
                    published_at=now - datetime.timedelta(days=40),
                    activated_at=now - datetime.timedelta(days=38),
                )
                for _n in range(len(people) // 2)
            ]
        )
        partners = {pair.pk: people[2 * i : 2 * i + 2] for i, pair in enumerate(pairs)}
        PairMember.objects.bulk_create(
            [
                PairMember(
                    pair=pair,
                    user=user,
                    response=PairMember.Response.ACCEPTED,
                    responded_at=now - datetime.timedelta(days=38),
                )
                for pair in pairs
                for user in partners[pair.pk]
            ],
            batch_size=1000,
        )
        contracts = Contract.objects.bulk_create(
            [
                Contract(
                    organization=organization,
                    cohort=cohort,
                    pair=pair,
                    status=Contract.Status.SIGNED,
                    starts_on=today - datetime.timedelta(days=35),
                    ends_on=cohort.ends_on,
                    cadence=Contract.Cadence.WEEKLY,
                    medium=Contract.Medium.VIDEO,
                    meeting_minutes=60,
                    meeting_weekday=Contract.Weekday.TUESDAY,
                    meeting_time=datetime.time(16, 0),
                    timezone="Europe/Copenhagen",
                    help_measure="We rate the help from 1 to 5 at each meeting.",
                    boundaries="No talk about salaries.",
                    confidentiality="What we share stays between us.",
                    ready_at=now - datetime.timedelta(days=36),
                    signed_at=now - datetime.timedelta(days=35),
                )
                for pair in pairs
            ]
        )
        sections = ContractSection.objects.bulk_create(
            [
                ContractSection(
                    contract=contract,
                    user=user,
                    assets="Budgeting (expert)",
                    needs="Public speaking",
                    will_help_with="Budgeting",
                )
                for contract in contracts
                for user in partners[contract.pair_id]
            ],
            batch_size=1000,
        )
        goals = Goal.objects.bulk_create(
            [
                Goal(
                    section=section,
                    horizon=Goal.Horizon.ONE_YEAR,
                    statement="Run my department's budget without surprises.",
                )
                for section in sections
            ],
            batch_size=1000,
        )
        Strategy.objects.bulk_create(
            [Strategy(goal=goal, description="Prepare one part each week.") for goal in goals],
            batch_size=1000,
        )
        Indicator.objects.bulk_create(
            [
                Indicator(
                    goal=goal,
                    description="Parts done",
                    kind=Indicator.Kind.NUMBER,
                    target_value=Decimal("10"),
                    unit="parts",
                    due_on=cohort.ends_on,
                )
                for goal in goals
            ],
            batch_size=1000,
        )
        signatures, meetings = [], []
        for contract in contracts:
            contract.content_hash = content_hash(contract)
            for user in partners[contract.pair_id]:
                signatures.append(
                    Signature(
                        contract=contract,
                        user=user,
                        typed_name=f"{user.first_name} {user.last_name}",
                        signed_at=contract.signed_at,
                        ip="127.0.0.1",
                        user_agent="benchmarks/load.py",
                        content_hash=contract.content_hash,
                    )
                )
            terms = checkin_selectors.contract_terms(contract=contract)
            meetings += [
                Meeting(
                    organization=organization,
                    cohort=cohort,
                    pair_id=contract.pair_id,
                    contract=contract,
                    starts_at=occurrence.starts_at,
                    ends_at=occurrence.ends_at,
                    origin=Meeting.Origin.SCHEDULE,
                    sequence=occurrence.sequence,
                )
                for occurrence in schedule.expand(terms)
            ]
        Contract.objects.bulk_update(contracts, ["content_hash"], batch_size=1000)
        Signature.objects.bulk_create(signatures, batch_size=1000)
        meetings = Meeting.objects.bulk_create(meetings, batch_size=5000)
        past = {}
        for meeting in meetings:
            if meeting.starts_at < now:
                past.setdefault(meeting.pair_id, []).append(meeting)
        # Even pairs checked in after every past meeting; odd pairs have not checked in yet.
        CheckIn.objects.bulk_create(
            [
                CheckIn(
                    meeting=meeting,
                    user=user,
                    learned="How to plan a budget review.",
                    time_effectiveness=4,
                    confidence=4,
                )
                for index, pair in enumerate(pairs)
                if index % 2 == 0
                for meeting in past.get(pair.pk, [])
                for user in partners[pair.pk]
            ],
            batch_size=5000,
        )
    print(
        f"  {len(pairs):,} pairs, {len(contracts):,} signed contracts, {len(meetings):,} meetings "
        f"and {CheckIn.objects.filter(meeting__cohort=cohort).count():,} check-ins "
        f"in {time.perf_counter() - started:.1f} s"
    )
    enrolled = Enrolment.objects.filter(cohort=cohort).count()
    if enrolled != members:
        sys.exit(f"The import enrolled {enrolled} members, not {members}.")

    chosen = [pair for index, pair in enumerate(pairs) if index % 2 == 1][:users]
    if len(chosen) < users:
        sys.exit(f"Only {len(chosen)} pairs without check-ins: use more --members.")
    simulated = []
    for pair in chosen:
        user, partner = partners[pair.pk]
        last_meeting = past[pair.pk][-1]
        org = {"org_slug": ORG_SLUG}
        simulated.append(
            Member(
                email=user.email,
                password=DEMO_PASSWORD,
                paths={
                    "profile form": reverse("profile_edit", kwargs=org),
                    "partner profile": reverse(
                        "profile_detail", kwargs={**org, "user_id": partner.pk}
                    ),
                    "pair page": reverse("pair_detail", kwargs={**org, "pair_id": pair.pk}),
                    "check-in page": reverse(
                        "checkin_create", kwargs={**org, "meeting_id": last_meeting.pk}
                    ),
                },
            )
        )
    return simulated


# The simulated members ---------------------------------------------------------------------


class FormParser(html.parser.HTMLParser):
    """The fields of each <form method="post"> of a page, with the values a browser sends
    unchanged: text and hidden inputs, checked boxes and radios, selected options, textareas."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self.names: list[set[str]] = []
        self._select = None
        self._select_value = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append([])
            self.names.append(set())
            return
        if not self.forms or "name" not in attrs:
            if tag == "option" and self._select is not None:
                self._option(attrs)
            return
        name = attrs["name"]
        self.names[-1].add(name)
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self.forms[-1].append((name, attrs.get("value", "")))
        elif tag == "select":
            self._select, self._select_value = name, None
        elif tag == "textarea":
            self._textarea = [name, ""]

    def _option(self, attrs):
        if self._select_value is None or "selected" in attrs:
            self._select_value = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self.forms[-1].append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].append(tuple(self._textarea))
            self._textarea = None

    def form_with(self, field_name: str) -> list[tuple[str, str]]:
        for fields, names in zip(self.forms, self.names, strict=True):
            if field_name in names:
                return fields
        raise LookupError(f"no form with a field {field_name!r}")

    def radio_names(self, text: str) -> set[str]:
        return {name for names in self.names for name in names if name.endswith(text)}


@dataclass
class Sample:
    kind: str
    status: int
    seconds: float
    error: str = ""
    at: float = field(default_factory=time.perf_counter)  # when the response was complete


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class SimulatedMember:
    def __init__(self, member: Member, port: int, results: Results, rng: random.Random):
        self.member, self.port, self.results, self.rng = member, port, results, rng
        self.cookies: dict[str, str] = {}

    def request(self, kind, method, path, form=None, expect=200):
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {
            "Host": f"{HOST}:{self.port}",
            "User-Agent": "benchmarks/load.py",
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{HOST}:{self.port}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                content = response.read()
            finally:
                connection.close()
        except (OSError, http.client.HTTPException) as error:
            self.results.add(Sample(kind, 0, time.perf_counter() - started, repr(error)))
            return None
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        error = ""
        if response.status != expect:
            where = response.headers.get("Location", "")
            error = f"{method} {path}: {response.status} (expected {expect}) {where}".strip()
        self.results.add(Sample(kind, response.status, elapsed, error))
        return content.decode("utf-8", "replace") if not error else None

    def log_in(self) -> bool:
        page = self.request("login page", "GET", "/accounts/login/")
        if page is None:
            return False
        parser = FormParser()
        parser.feed(page)
        form = dict(parser.form_with("login"))
        form.update({"login": self.member.email, "password": self.member.password})
        return self.request("login POST", "POST", "/accounts/login/", form, expect=302) is not None

    def check_in(self, page: str) -> None:
        parser = FormParser()
        parser.feed(page)
        form = parser.form_with("time_effectiveness")
        ratings = parser.radio_names("rating") | {"time_effectiveness", "confidence"}
        form += [(name, str(self.rng.randint(3, 5))) for name in sorted(ratings)]
        form.append(("learned", "How my partner plans a talk."))
        # A help rating asks for one example of that help.
        form.append(("help_example", "They walked me through their budget review."))
        path = self.member.paths["check-in page"]
        self.request("check-in POST", "POST", path, form, expect=302)

    def run(self, start_at: float, deadline: float, think: float) -> None:
        time.sleep(max(0.0, start_at - time.perf_counter()))
        if not self.log_in():
            return
        checked_in = False
        kinds = ["profile form", "partner profile", "pair page", "check-in page"]
        while time.perf_counter() < deadline:
            if think:
                pause = self.rng.uniform(0.5 * think, 1.5 * think)
                time.sleep(max(0.0, min(pause, deadline - time.perf_counter())))
                if time.perf_counter() >= deadline:
                    break
            kind = self.rng.choice(kinds)
            page = self.request(kind, "GET", self.member.paths[kind])
            if kind == "check-in page" and page and not checked_in:
                checked_in = True
                self.check_in(page)


def warm_up(member: Member, port: int, workers: int) -> None:
    """Open every page a few times from `workers` threads at once, unrecorded, so that each
    worker has loaded its templates and lazy imports before the clock starts."""
    ignored = Results()
    first = SimulatedMember(member, port, ignored, random.Random(0))
    if not first.log_in():
        sys.exit(f"Warm-up: could not log in as {member.email}: {ignored.samples[-1].error}")

    def browse():
        anonymous = SimulatedMember(member, port, ignored, random.Random(0))
        visitor = SimulatedMember(member, port, ignored, random.Random(0))
        visitor.cookies = dict(first.cookies)
        for _round in range(3):
            anonymous.request("login page", "GET", "/accounts/login/")
            for kind, path in member.paths.items():
                visitor.request(kind, "GET", path)

    threads = [threading.Thread(target=browse) for _n in range(2 * workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = [sample.error for sample in ignored.samples if sample.error]
    if failed:
        sys.exit(f"Warm-up failed: {failed[0]}")


# The server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped with exit code {server.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.2)
    sys.exit("gunicorn did not answer /healthz in time")


# Report ------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def report_line(label: str, samples: list[Sample]) -> str:
    if not samples:
        return f"{label:<18} {0:>8}"
    times = [s.seconds * 1000 for s in samples]
    errors = sum(1 for s in samples if s.error)
    return (
        f"{label:<18} {len(samples):>8} {percentile(times, 0.50):>8.1f} "
        f"{percentile(times, 0.95):>8.1f} {max(times):>8.1f} {errors:>7}"
    )


def report(results: Results, seconds: float) -> bool:
    samples = results.samples
    pages = [s for s in samples if s.kind in PAGE_KINDS]
    logins = [s for s in samples if s.kind.startswith("login")]
    print(f"\n{'':<18} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>7}")
    for kind in PAGE_KINDS:
        print(report_line(kind, [s for s in pages if s.kind == kind]))
    print(report_line("all pages", pages))
    print(report_line("login page", [s for s in logins if s.kind == "login page"]))
    print(report_line("login POST", [s for s in logins if s.kind == "login POST"]))
    errors = [s for s in samples if s.error]
    times = sorted(s.seconds * 1000 for s in pages)
    print(
        f"\nPages: {len(pages):,} requests in {seconds:.1f} s = {len(pages) / seconds:.1f} "
        f"requests/s; p50 {percentile(times, 0.5):.1f} ms, p95 {percentile(times, 0.95):.1f} ms; "
        f"{sum(1 for s in pages if s.error)} errors."
    )
    logged_in = max((s.at for s in logins if s.kind == "login POST"), default=None)
    steady = [s for s in pages if logged_in is not None and s.at > logged_in]
    if steady:
        times = sorted(s.seconds * 1000 for s in steady)
        print(
            f"Pages after the last login ({len(steady):,} requests): p50 "
            f"{percentile(times, 0.5):.1f} ms, p95 {percentile(times, 0.95):.1f} ms."
        )
    print(f"All requests (logins included): {len(samples):,} = {len(samples) / seconds:.1f}/s.")
    for sample in errors[:10]:
        print(f"  error: {sample.kind}: {sample.error}")
    if len(errors) > 10:
        print(f"  … and {len(errors) - 10} more errors")
    return not errors


# Main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help=f"PostgreSQL database to use and keep (default: {DEFAULT_SERVER}/{DEFAULT_NAME}, "
        "created and dropped by this script)",
    )
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--users", type=int, default=50, help="simulated members at once")
    parser.add_argument("--duration", type=float, default=60, help="seconds, logins included")
    parser.add_argument(
        "--think", type=float, default=5.0, help="mean pause between pages, seconds (0: none)"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--ramp", type=float, default=20, help="seconds over which users log in")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    throwaway = args.database_url is None
    database_url = args.database_url or f"{DEFAULT_SERVER}/{DEFAULT_NAME}"
    if throwaway:
        create_database(DEFAULT_SERVER, DEFAULT_NAME)
    port = free_port()
    scratch = tempfile.TemporaryDirectory(prefix="peermentor-load-")
    (Path(scratch.name) / "load_settings.py").write_text(
        "from peermentor.settings import *  # noqa: F403\n"
        f"STATIC_ROOT = {str(Path(scratch.name) / 'static')!r}\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"https://{HOST}:{port}",
        "EMAIL_URL": "dummymail://",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": os.pathsep.join([scratch.name, str(ROOT)]),
    }
    sys.path.insert(0, scratch.name)
    os.environ.update(env)
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from accounts.models import Organization

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        print(
            f"Migrated {database_url} and collected static files in "
            f"{time.perf_counter() - started:.1f} s"
        )
        if Organization.objects.filter(slug=ORG_SLUG).exists():
            sys.exit(f"The database already has an organization '{ORG_SLUG}': use another one.")
        print(f"Seeding {args.members:,} members …")
        members = seed(members=args.members, users=args.users, rng=random.Random(args.seed))
        connections.close_all()

        server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "peermentor.wsgi:application",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "sync",
                "--preload",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_until_up(port, server)
        warm_up(members[-1], port, args.workers)
        print(
            f"gunicorn: {args.workers} sync workers on {HOST}:{port}, DEBUG=false. "
            f"{args.users} simulated members for {args.duration:.0f} s, pauses of "
            f"{0.5 * args.think:.2f}–{1.5 * args.think:.2f} s, logins over {args.ramp:.0f} s."
        )
        print("Load average before (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        results = Results()
        began = time.perf_counter()
        deadline = began + args.duration
        threads = [
            threading.Thread(
                target=SimulatedMember(member, port, results, random.Random(args.seed + n)).run,
                args=(began + args.ramp * n / len(members), deadline, args.think),
            )
            for n, member in enumerate(members)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ok = report(results, time.perf_counter() - began)
        print("Load average after (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    finally:
        if server is not None:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=20)
        if throwaway:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            drop_database(DEFAULT_SERVER, DEFAULT_NAME)
            print(f"Dropped the database {DEFAULT_NAME}.")
        scratch.cleanup()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
