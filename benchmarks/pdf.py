"""Benchmark the draft PDF of a maximal contract: long unbroken words against normal text.

Run from the repository root:

    .venv/bin/python benchmarks/pdf.py
    .venv/bin/python benchmarks/pdf.py --field-chars 4000 --goals 3 --rows 3 --scaling

It builds, in a temporary SQLite database, one draft contract of two partners in which every
free-text field holds FIELD_CHARS characters (terms, each partner's three section fields, each
goal statement and strategy; indicators their 300), then renders its draft PDF (uncached,
CPU seconds) with

1. one unbroken token per field (what a hostile partner would type), and
2. normal words,

and renders it again to show the draft cache. `--scaling` also renders a draft with one token of
2,000 to 100,000 characters in a section field and a goal, with and without the invisible
break opportunities `contracts.pdf.breakable` adds (without them only up to 16,000 characters,
as the cost grows with the square of the token's length).
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    "we",
    "meet",
    "every",
    "second",
    "week",
    "to",
    "talk",
    "about",
    "budgets",
    "feedback",
    "and",
    "the",
    "next",
    "talk",
]


def words(chars: int) -> str:
    text, index = [], 0
    while sum(len(word) + 1 for word in text) < chars:
        text.append(WORDS[index % len(WORDS)])
        index += 1
    return " ".join(text)[:chars]


def token(chars: int) -> str:
    return ("Unbroken" * (chars // 8 + 1))[:chars]


def build(cohort, users, *, text, goals: int, rows: int):
    """A draft contract of `users` whose every text field is `text(limit)`."""
    from contracts.models import Contract, ContractSection, Goal, Indicator, Strategy
    from matching.models import Pair, PairMember

    pair = Pair.objects.create(
        organization=cohort.organization, cohort=cohort, status=Pair.Status.ACTIVE
    )
    PairMember.objects.bulk_create(PairMember(pair=pair, user=user) for user in users)
    contract = Contract.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        pair=pair,
        starts_on=datetime.date(2026, 9, 21),
        ends_on=datetime.date(2027, 6, 30),
        meeting_time=datetime.time(17, 30),
        timezone="Europe/Berlin",
        agenda=text("agenda"),
        help_measure=text("help_measure"),
        boundaries=text("boundaries"),
        confidentiality=text("confidentiality"),
    )
    for user in users:
        section = ContractSection.objects.create(
            contract=contract,
            user=user,
            assets=text("assets"),
            needs=text("needs"),
            will_help_with=text("will_help_with"),
        )
        for position in range(goals):
            goal = Goal.objects.create(
                section=section, statement=text("statement"), position=position
            )
            Strategy.objects.bulk_create(
                Strategy(goal=goal, description=text("strategy"), position=step)
                for step in range(rows)
            )
            Indicator.objects.bulk_create(
                Indicator(
                    goal=goal,
                    description=text("indicator")[:300],
                    kind=Indicator.Kind.YES_NO,
                    position=step,
                )
                for step in range(rows)
            )
    return contract


def render_seconds(contract_id: int, *, cached: bool = False) -> tuple[float, int, int]:
    """CPU seconds of one draft render (the cache emptied first unless `cached`), pages and
    bytes."""
    import io

    from django.core.cache import cache
    from pypdf import PdfReader

    from contracts import documents
    from contracts.pdf import render_contract_pdf

    if not cached:
        cache.clear()
    loaded = documents.contract_for_document(contract_id=contract_id)
    started = time.process_time()
    pdf = render_contract_pdf(loaded, draft=True)
    return time.process_time() - started, len(PdfReader(io.BytesIO(pdf)).pages), len(pdf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--field-chars", type=int, default=4000, help="characters per field")
    parser.add_argument("--goals", type=int, default=3, help="goals per partner")
    parser.add_argument("--rows", type=int, default=3, help="strategies and indicators per goal")
    parser.add_argument("--scaling", action="store_true", help="time one token, 2k-100k chars")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="peermentor-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peermentor.settings")
    os.environ.setdefault("CONTRACT_PDF_RENDER_SECONDS", "0")  # measure, don't stop
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import Cohort, Organization, Program, User
    from contracts import pdf

    call_command("migrate", verbosity=0)
    organization = Organization.objects.create(name="Benchmark Guild", slug="bench")
    program = Program.objects.create(organization=organization, name="Peer mentoring")
    cohort = Cohort.objects.create(
        organization=organization,
        program=program,
        name="Benchmark cohort",
        slug="bench",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 6, 30),
    )
    users = [
        User.objects.create(email=f"{name.lower()}@bench.example.org", first_name=name)
        for name in ("Ana", "Ben")
    ]
    render_seconds(build(cohort, users, text=lambda _f: "warm-up", goals=1, rows=1).pk)

    size = args.field_chars
    print(
        f"Maximal draft: every text field {size} characters, {args.goals} goals per partner, "
        f"{args.rows} strategies and indicators per goal (CPU seconds)"
    )
    for label, text in (
        ("one unbroken token per field", lambda _f: token(size)),
        ("normal words", lambda _f: words(size)),
    ):
        contract = build(cohort, users, text=text, goals=args.goals, rows=args.rows)
        seconds, pages, pdf_bytes = render_seconds(contract.pk)
        again, _pages, _size = render_seconds(contract.pk, cached=True)
        print(
            f"  {label:<30} {seconds:6.2f} s, {pages} pages, {pdf_bytes / 1024:.0f} KB; "
            f"asked again (cached): {again * 1000:.0f} ms"
        )

    if args.scaling:
        print("One token in a section field and in a goal (CPU seconds):")
        keep = pdf.breakable
        for chars in (2_000, 8_000, 16_000, 100_000):
            contract = build(
                cohort,
                users[:1],
                text=lambda field, chars=chars: (
                    token(chars) if field in ("assets", "statement") else ""
                ),
                goals=1,
                rows=0,
            )
            with_breaks, _pages, _size = render_seconds(contract.pk)
            line = f"  {chars:>7} chars: with break opportunities {with_breaks:6.2f} s"
            if chars <= 16_000:
                pdf.breakable = str
                try:
                    without, _pages, _size = render_seconds(contract.pk)
                finally:
                    pdf.breakable = keep
                line += f", without {without:6.2f} s"
            print(line, flush=True)
    tmp.cleanup()


if __name__ == "__main__":
    main()
