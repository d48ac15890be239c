"""Benchmark the coordinators' cohort dashboard on a large cohort.

Run from the repository root:

    .venv/bin/python benchmarks/dashboard.py --members 2000
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/dashboard.py --database configured

Seeds (bulk_create) one cohort of `--members` members: complete profiles for 97 % of them
(the rest lack a time zone), open invitations for 5 % more people, about 95 % of the members in
active pairs (and a few published pairs awaiting answers), contracts for the active pairs (90 %
signed, the rest drafts or none; weekly, every two weeks or monthly, started 8–16 weeks ago),
every meeting of the signed contracts up to now plus two ahead, a check-in from each partner
after three meetings in four (some pairs stopped meeting five weeks ago), and a reading of both
of the partner's indicators in every check-in.

Then it requests the pages through the test Client, logged in as the cohort's coordinator, and
prints for each the median time of `--repeat` requests (after one warm-up) and the number of
queries of one request: the cohort dashboard (target: under 300 ms and under 30 queries), the
dashboard sorted by score and filtered, two funnel step lists and the program dashboard.

By default the database is a fresh temporary SQLite file, migrated first and thrown away after.
With `--database configured` it uses the configured database (DATABASE_URL, migrated) and
deletes what it made afterwards (`--keep` leaves it there to explore). On PostgreSQL it runs
ANALYZE after seeding, as autovacuum would soon after a bulk load. `--slowest N` also prints
each page's N slowest queries.
"""

import argparse
import datetime
import random
import secrets
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.database import open_database  # noqa: E402 - needs ROOT on the path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7, help="requests per page (median)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep", action="store_true", help="with --database configured: keep what it made"
    )
    parser.add_argument(
        "--slowest", type=int, default=0, help="also print each page's N slowest queries"
    )
    parser.add_argument("--database", choices=["temporary", "configured"], default="temporary")
    args = parser.parse_args()

    tmp = open_database(args.database, memory_email=True)
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import (
        Cohort,
        Enrolment,
        Invitation,
        Membership,
        Organization,
        Program,
        User,
    )
    from checkins.models import CheckIn, IndicatorValue, Meeting
    from checkins.oversight import dashboard
    from contracts.models import Contract, ContractSection, Goal, Indicator
    from matching.models import Pair, PairMember
    from profiles.models import Need, Offer, Profile, Tag

    setup_test_environment()  # "testserver" is an allowed host, emails stay in memory

    rng = random.Random(args.seed)
    run_id = secrets.token_hex(3)
    slug, domain = f"bench-{run_id}", f"bench-{run_id}.example.org"
    now = timezone.now()
    day = datetime.timedelta(days=1)
    cadence_days = {"weekly": 7, "biweekly": 14, "monthly": 30}
    batch = 2000

    def build():
        organization = Organization.objects.create(name=slug, slug=slug)
        program = Program.objects.create(organization=organization, name="Bench")
        cohort = Cohort.objects.create(
            organization=organization,
            program=program,
            name="Bench cohort",
            slug="bench",
            starts_on=(now - 120 * day).date(),
            ends_on=(now + 245 * day).date(),
            status=Cohort.Status.ACTIVE,
        )
        coordinator = User.objects.create(
            email=f"coordinator@{domain}",
            first_name="Cora",
            password="!",  # noqa: S106 - unusable; the Client logs in with force_login
        )
        Membership.objects.create(
            organization=organization, user=coordinator, role=Membership.Role.COORDINATOR
        )
        users = User.objects.bulk_create(
            (
                User(
                    email=f"m{n:05d}@{domain}",
                    first_name=f"M{n}",
                    last_name="Bench",
                    password="!",  # noqa: S106
                )
                for n in range(args.members)
            ),
            batch_size=batch,
        )
        Membership.objects.bulk_create(
            (Membership(organization=organization, user=user) for user in users), batch_size=batch
        )
        Enrolment.objects.bulk_create(
            (Enrolment(cohort=cohort, user=user, joined_at=now - 130 * day) for user in users),
            batch_size=batch,
        )
        Invitation.objects.bulk_create(
            (
                Invitation(
                    organization=organization,
                    cohort=cohort,
                    email=f"invitee{n:05d}@{domain}",
                    sent_at=now - rng.randint(1, 30) * day,
                )
                for n in range(args.members // 20)
            ),
            batch_size=batch,
        )

        # Profiles: 97 % complete, the rest without a time zone.
        tags = Tag.objects.bulk_create(
            Tag(organization=organization, name=f"Skill {n}") for n in range(60)
        )
        incomplete = set(rng.sample(range(args.members), args.members * 3 // 100))
        profiles = Profile.objects.bulk_create(
            (
                Profile(
                    organization=organization,
                    user=user,
                    languages=["English"],
                    goal="Lead my team's planning on my own within a year",
                    timezone="" if index in incomplete else "Europe/Copenhagen",
                )
                for index, user in enumerate(users)
            ),
            batch_size=batch,
        )
        offers, needs = [], []
        for profile in profiles:
            chosen = rng.sample(tags, 4)
            offers += [
                Offer(profile=profile, tag=tag, level=rng.randint(2, 5)) for tag in chosen[:2]
            ]
            needs += [
                Need(profile=profile, tag=tag, priority=rng.randint(2, 5)) for tag in chosen[2:]
            ]
        Offer.objects.bulk_create(offers, batch_size=batch)
        Need.objects.bulk_create(needs, batch_size=batch)

        # Pairs: 95 % of the members in active pairs, a few published pairs awaiting answers.
        complete = [user for index, user in enumerate(users) if index not in incomplete]
        rng.shuffle(complete)
        active_count = args.members * 95 // 200
        # The complete profiles left over: most in published pairs, the last few unpaired.
        published_count = max(0, (len(complete) - 2 * active_count) // 2 - 5)
        pairs = Pair.objects.bulk_create(
            (
                Pair(
                    organization=organization,
                    cohort=cohort,
                    status=Pair.Status.ACTIVE if n < active_count else Pair.Status.PUBLISHED,
                    score=round(rng.triangular(20, 98, 70), 1),
                    published_at=now - 110 * day,
                    activated_at=now - 105 * day if n < active_count else None,
                )
                for n in range(active_count + published_count)
            ),
            batch_size=batch,
        )
        partners = {pair.pk: (complete[2 * n], complete[2 * n + 1]) for n, pair in enumerate(pairs)}
        PairMember.objects.bulk_create(
            (
                PairMember(
                    pair=pair,
                    user=user,
                    response="accepted" if pair.status == Pair.Status.ACTIVE else "pending",
                )
                for pair in pairs
                for user in partners[pair.pk]
            ),
            batch_size=batch,
        )

        # Contracts: 90 % of the active pairs signed, 5 % drafts, 5 % none.
        active = [pair for pair in pairs if pair.status == Pair.Status.ACTIVE]
        contracts = []
        for pair in active:
            roll = rng.random()
            if roll > 0.95:
                continue
            signed = roll <= 0.90
            started = (now - rng.randint(56, 112) * day).date()
            contracts.append(
                Contract(
                    organization=organization,
                    cohort=cohort,
                    pair=pair,
                    status=Contract.Status.SIGNED if signed else Contract.Status.DRAFT,
                    starts_on=started,
                    ends_on=started + 240 * day,
                    cadence=rng.choices(list(cadence_days), weights=[6, 3, 1])[0],
                    meeting_weekday=started.weekday(),
                    meeting_time=datetime.time(9, 0),
                    timezone="Europe/Copenhagen",
                    signed_at=now - 100 * day if signed else None,
                )
            )
        contracts = Contract.objects.bulk_create(contracts, batch_size=batch)
        sections = ContractSection.objects.bulk_create(
            (
                ContractSection(contract=contract, user=user)
                for contract in contracts
                for user in partners[contract.pair_id]
            ),
            batch_size=batch,
        )
        goals = Goal.objects.bulk_create(
            (Goal(section=section, statement="Publish the first chapter") for section in sections),
            batch_size=batch,
        )
        section_of = {section.pk: section for section in sections}
        contract_of = {contract.pk: contract for contract in contracts}
        indicators = []
        for goal in goals:
            contract = contract_of[section_of[goal.section_id].contract_id]
            overdue = rng.random() < 0.05
            due = (now - 3 * day).date() if overdue else contract.ends_on
            indicators += [
                Indicator(
                    goal=goal,
                    description="Pages written",
                    kind=Indicator.Kind.NUMBER,
                    target_value=Decimal(40),
                    unit="pages",
                    due_on=due,
                    position=0,
                ),
                Indicator(
                    goal=goal,
                    description="Editor agrees",
                    kind=Indicator.Kind.YES_NO,
                    due_on=contract.ends_on,
                    position=1,
                ),
            ]
        indicators = Indicator.objects.bulk_create(indicators, batch_size=batch)
        indicators_of = {}  # (contract id, user id) -> [number, yes/no]
        goal_of = {goal.pk: goal for goal in goals}
        for indicator in indicators:
            section = section_of[goal_of[indicator.goal_id].section_id]
            indicators_of.setdefault((section.contract_id, section.user_id), []).append(indicator)

        # Meetings of the signed contracts, check-ins and readings.
        meetings, stopped = [], set()
        for contract in contracts:
            if contract.status != Contract.Status.SIGNED:
                continue
            if rng.random() < 0.15:
                stopped.add(contract.pk)
            step = cadence_days[contract.cadence] * day
            start = datetime.datetime.combine(contract.starts_on, datetime.time(8), datetime.UTC)
            sequence, moment = 0, start
            while moment < now + 2 * step:
                meetings.append(
                    Meeting(
                        organization=organization,
                        cohort=cohort,
                        pair_id=contract.pair_id,
                        contract=contract,
                        starts_at=moment,
                        ends_at=moment + datetime.timedelta(hours=1),
                        sequence=sequence,
                    )
                )
                sequence, moment = sequence + 1, moment + step
        meetings = Meeting.objects.bulk_create(meetings, batch_size=batch)
        checkins = []
        for meeting in meetings:
            if meeting.ends_at > now:
                continue
            if meeting.contract_id in stopped and meeting.starts_at > now - 35 * day:
                continue
            for user in partners[meeting.pair_id]:
                if rng.random() < 0.75:
                    checkins.append(
                        CheckIn(
                            meeting=meeting,
                            user=user,
                            time_effectiveness=rng.randint(2, 5),
                            confidence=rng.randint(2, 5),
                            created_at=meeting.ends_at + datetime.timedelta(hours=3),
                        )
                    )
        created_at = CheckIn._meta.get_field("created_at")
        created_at.auto_now_add = False  # keep the times set above
        try:
            checkins = CheckIn.objects.bulk_create(checkins, batch_size=batch)
        finally:
            created_at.auto_now_add = True
        meeting_of = {meeting.pk: meeting for meeting in meetings}
        values = []
        for row in checkins:
            meeting = meeting_of[row.meeting_id]
            number, yes_no = indicators_of[(meeting.contract_id, row.user_id)]
            weeks = (meeting.starts_at - now).days / 7 + 16
            values += [
                IndicatorValue(
                    checkin=row,
                    indicator=number,
                    value=Decimal(max(0, round(weeks * 3 + rng.randint(-6, 6)))),
                ),
                IndicatorValue(checkin=row, indicator=yes_no, met=rng.random() < weeks / 20),
            ]
        IndicatorValue.objects.bulk_create(values, batch_size=batch)
        counts = {
            "members": args.members,
            "open invitations": args.members // 20,
            "active pairs": active_count,
            "published pairs": published_count,
            "contracts": len(contracts),
            "meetings": len(meetings),
            "check-ins": len(checkins),
            "indicator readings": len(values),
        }
        return organization, program, cohort, coordinator, counts

    organization = None
    try:
        started = time.perf_counter()
        with transaction.atomic():
            organization, program, cohort, coordinator, counts = build()
        if connection.vendor == "postgresql":
            # What autovacuum does shortly after a bulk load: without statistics the planner
            # takes every table for a few rows.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"Seeded in {time.perf_counter() - started:.1f}s on {connection.vendor}: "
            + ", ".join(f"{value:,} {name}" for name, value in counts.items())
        )

        client = Client()
        client.force_login(coordinator)
        org = {"org_slug": organization.slug}
        cohort_url = reverse("cohort_dashboard", kwargs={**org, "cohort_id": cohort.pk})
        pages = [
            ("cohort dashboard", cohort_url),
            ("  sorted by score, at risk only", cohort_url + "?sort=-score&health=at_risk"),
            *(
                (
                    f"  step list: {step}",
                    reverse(
                        "cohort_funnel_step",
                        kwargs={**org, "cohort_id": cohort.pk, "step": step},
                    ),
                )
                for step in (dashboard.JOINED, dashboard.CONTRACT_SIGNED)
            ),
            (
                "program dashboard",
                reverse("program_dashboard", kwargs={**org, "program_id": program.pk}),
            ),
        ]
        print(f"{'page':<36} {'median':>9} {'min':>9} {'queries':>8}")
        for label, url in pages:
            response = client.get(url)  # warm-up: templates, session
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
            timings = []
            for _attempt in range(args.repeat):
                began = time.perf_counter()
                client.get(url)
                timings.append(time.perf_counter() - began)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            print(
                f"{label:<36} {statistics.median(timings) * 1000:>6.0f} ms "
                f"{min(timings) * 1000:>6.0f} ms {len(queries):>8}"
            )
            slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
            for query in slowest[: args.slowest]:
                print(f"    {float(query['time']) * 1000:>7.1f} ms  {query['sql'][:150]}")

        funnel = dashboard.cohort_funnel(cohort=cohort)
        print(
            "Funnel: "
            + " → ".join(f"{step.label} {step.count} ({step.percent}%)" for step in funnel)
        )
        data = dashboard.cohort_dashboard(cohort=cohort)
        print(
            "Pairs: " + ", ".join(f"{name} {count}" for name, count in data.health_counts.items())
        )
    finally:
        if args.database == "configured" and organization is not None and not args.keep:
            started = time.perf_counter()
            Profile.objects.filter(organization=organization).delete()  # tags are protected
            Organization.objects.filter(pk=organization.pk).delete()
            User.objects.filter(email__endswith=f"@{domain}").delete()
            print(f"Cleaned up in {time.perf_counter() - started:.1f}s")
        connection.close()
        if tmp:
            tmp.cleanup()


if __name__ == "__main__":
    main()
