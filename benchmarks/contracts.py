"""Benchmark contract PDFs: render, sign, and zip a cohort's signed contracts.

Run from the repository root:

    .venv/bin/python benchmarks/contracts.py --count 100
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/contracts.py --database configured

It builds COUNT signed contracts of realistic size (fixed seed: two partners, each with two or
three goals, two or three strategies and indicators per goal, a sentence or two per field:
three or four A4 pages), then

1. renders each one (WeasyPrint) and signs it (pyHanko), timing both, and validates it;
2. builds the cohort's ZIP the way the export task does, from nothing stored (every contract is
   rendered, signed and stored), then again with every document already stored.

By default it works in a temporary SQLite database and a temporary signing folder; with
`--database configured` it uses DATABASE_URL (and removes what it made unless --keep).
"""

import argparse
import datetime
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

# The benchmark is run as a script, so the repository root is not on the path by itself.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    "budget", "team", "meeting", "feedback", "clients", "pitch", "review", "weekly", "plan",
    "draft", "grant", "product", "launch", "hiring", "interview", "mentor", "network", "talk",
    "conference", "article", "course", "skill", "leadership", "design", "research", "data",
    "report", "strategy", "partner", "quarter", "customer", "sales", "negotiation", "website",
    "delegation", "workshop", "portfolio", "newsletter", "community", "volunteer", "coaching",
    "presentation", "deadline",
]  # fmt: skip
GOAL_STARTS = [
    "Lead a team of",
    "Publish",
    "Win",
    "Give",
    "Launch",
    "Close",
    "Run",
    "Finish",
]
UNITS = ["talks", "clients", "articles", "interviews", "workshops", "EUR", "pages", "hours"]


def sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, 8, 16) for _ in range(sentences))


def build_contracts(count: int, seed: int, slug: str):
    """An organization with one cohort of `count` signed contracts; returns the cohort."""
    from accounts.models import Cohort, Organization, Program, User
    from contracts.canonical import content_hash
    from contracts.models import (
        Contract,
        ContractSection,
        Goal,
        Indicator,
        Signature,
        Strategy,
    )
    from matching.models import Pair, PairMember

    rng = random.Random(seed)
    organization = Organization.objects.create(name=f"Benchmark Guild {slug}", slug=slug)
    program = Program.objects.create(organization=organization, name="Peer mentoring")
    cohort = Cohort.objects.create(
        organization=organization,
        program=program,
        name="Benchmark cohort",
        slug="bench",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 6, 30),
    )
    signed_at = datetime.datetime(2026, 9, 20, 12, 0, tzinfo=datetime.UTC)
    first_names = ["Ana", "Ben", "Carla", "Dev", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jun"]
    last_names = ["Silva", "Okafor", "Berg", "Moreau", "Tanaka", "Kowalski", "Haddad", "Ng"]
    for number in range(count):
        users = [
            User.objects.create(
                email=f"p{number}-{side}@{slug}.example.org",
                first_name=rng.choice(first_names),
                last_name=rng.choice(last_names),
            )
            for side in (1, 2)
        ]
        pair = Pair.objects.create(
            organization=organization, cohort=cohort, status=Pair.Status.ACTIVE
        )
        PairMember.objects.bulk_create(PairMember(pair=pair, user=user) for user in users)
        contract = Contract.objects.create(
            organization=organization,
            cohort=cohort,
            pair=pair,
            status=Contract.Status.SIGNED,
            starts_on=datetime.date(2026, 9, 21),
            ends_on=datetime.date(2027, 6, 30),
            meeting_time=datetime.time(17, 30),
            timezone="Europe/Berlin",
            help_measure=paragraph(rng, 1),
            boundaries=paragraph(rng, 1),
            confidentiality=paragraph(rng, 1),
        )
        for user in users:
            section = ContractSection.objects.create(
                contract=contract,
                user=user,
                assets=paragraph(rng, rng.choice([1, 2])),
                needs=paragraph(rng, 1),
                will_help_with=paragraph(rng, 1),
            )
            for position in range(rng.choice([2, 2, 3])):
                goal = Goal.objects.create(
                    section=section,
                    horizon=rng.choice(list(Goal.Horizon.values)),
                    statement=f"{rng.choice(GOAL_STARTS)} {sentence(rng, 5, 10).lower()}",
                    position=position,
                )
                Strategy.objects.bulk_create(
                    Strategy(goal=goal, description=sentence(rng, 8, 18), position=step)
                    for step in range(rng.choice([2, 2, 3]))
                )
                Indicator.objects.bulk_create(
                    Indicator(
                        goal=goal,
                        description=sentence(rng, 5, 10)[:300],
                        kind=Indicator.Kind.YES_NO if step == 2 else Indicator.Kind.NUMBER,
                        target_value=None if step == 2 else Decimal(rng.randint(2, 40)),
                        unit="" if step == 2 else rng.choice(UNITS),
                        due_on=datetime.date(2027, rng.randint(1, 6), rng.randint(1, 28)),
                        position=step,
                    )
                    for step in range(rng.choice([2, 2, 3]))
                )
        contract.content_hash = content_hash(contract)
        contract.signed_at = signed_at
        contract.save(update_fields=["content_hash", "signed_at"])
        Signature.objects.bulk_create(
            Signature(
                contract=contract,
                user=user,
                typed_name=user.get_full_name(),
                signed_at=signed_at - datetime.timedelta(minutes=5 * side),
                content_hash=contract.content_hash,
            )
            for side, user in enumerate(users)
        )
    return cohort


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def summary(label: str, wall: list[float], cpu: list[float]) -> str:
    """Wall-clock times, and the process's CPU time: on a shared machine the wall clock also
    counts the time other processes held the cores."""
    return (
        f"{label:<28} median {statistics.median(wall) * 1000:6.0f} ms   "
        f"p95 {p95(wall) * 1000:6.0f} ms   max {max(wall) * 1000:6.0f} ms   "
        f"(CPU median {statistics.median(cpu) * 1000:4.0f} ms, p95 {p95(cpu) * 1000:4.0f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100, help="contracts to build")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", choices=["temporary", "configured"], default="temporary")
    parser.add_argument("--keep", action="store_true", help="keep what was made")
    parser.add_argument("--sample", metavar="FILE.pdf", help="also save the first signed PDF")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="peermentor-bench-")
    if args.database == "temporary":
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ["CONTRACT_SIGNING_DIR"] = f"{tmp.name}/signing"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peermentor.settings")
    import django

    django.setup()
    import io

    from django.core.management import call_command
    from django.db import connection
    from pypdf import PdfReader

    from accounts.models import Organization, User
    from contracts import documents, export, signing
    from contracts.pdf import render_contract_pdf

    if args.database == "temporary":
        call_command("migrate", verbosity=0)
    slug = f"bench-{secrets.token_hex(3)}"
    started = time.perf_counter()
    cohort = build_contracts(args.count, args.seed, slug)
    print(
        f"Database: {connection.vendor} ({args.database}); built {args.count} signed contracts "
        f"in {time.perf_counter() - started:.1f} s (seed {args.seed})"
    )
    try:
        contracts = list(export.cohort_contracts_for_export(cohort=cohort))
        organization = cohort.organization

        started = time.perf_counter()
        first = documents.contract_for_document(contract_id=contracts[0].pk)
        render_contract_pdf(first)
        signing.credentials_for(organization)  # generates the signing key and certificate
        print(f"First render (cold, with key generation): {time.perf_counter() - started:.2f} s")

        wall = {"render": [], "sign": [], "both": [], "validate": []}
        cpu = {"render": [], "sign": [], "both": [], "validate": []}
        pages, sizes = [], []

        def clocks():
            return time.perf_counter(), time.process_time()

        for contract in contracts:
            t0 = clocks()
            loaded = documents.contract_for_document(contract_id=contract.pk)
            pdf = render_contract_pdf(loaded)
            t1 = clocks()
            signed = signing.pdf_sign(
                pdf=pdf,
                organization=organization,
                contract_id=loaded.pk,
                content_hash=loaded.content_hash,
            )
            t2 = clocks()
            check = signing.signature_check(signed)
            t3 = clocks()
            if not check.authentic:
                sys.exit(f"Contract {contract.pk}: the signature does not validate: {check}")
            for clock, times in ((0, wall), (1, cpu)):
                times["render"].append(t1[clock] - t0[clock])
                times["sign"].append(t2[clock] - t1[clock])
                times["both"].append(t2[clock] - t0[clock])
                times["validate"].append(t3[clock] - t2[clock])
            if args.sample and not pages:
                Path(args.sample).write_bytes(signed)
            pages.append(len(PdfReader(io.BytesIO(signed)).pages))
            sizes.append(len(signed))
        print(
            f"Pages per contract: median {statistics.median(pages)}, "
            f"min {min(pages)}, max {max(pages)}; "
            f"size median {statistics.median(sizes) / 1024:.0f} KB"
        )
        print(summary("render (fetch+HTML+PDF)", wall["render"], cpu["render"]))
        print(summary("sign (pyHanko)", wall["sign"], cpu["sign"]))
        print(summary("render + sign", wall["both"], cpu["both"]))
        print(summary("validate (pyHanko)", wall["validate"], cpu["validate"]))

        for label in ("ZIP, nothing stored yet", "ZIP, all stored"):
            with tempfile.TemporaryFile() as file:
                cpu_started = time.process_time()
                result = export.write_contracts_zip(cohort=cohort, target=file)
                cpu_seconds = time.process_time() - cpu_started
                size = file.tell()
            print(
                f"{label:<28} {result.contracts} contracts ({result.rendered} rendered, signed "
                f"and stored) in {result.seconds:.1f} s (CPU {cpu_seconds:.1f} s), "
                f"{size / 1e6:.1f} MB"
            )
    finally:
        if args.database == "configured" and not args.keep:
            Organization.objects.filter(slug=slug).delete()
            User.objects.filter(email__endswith=f"@{slug}.example.org").delete()
        connection.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
