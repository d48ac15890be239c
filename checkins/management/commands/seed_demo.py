"""Create or refresh the demo: one organization that shows the whole product.

It lives in the top layer because it seeds every layer below, each through its own
`demo.py`, and moves the demo cohort through its lifecycle as a coordinator would: created in
matching, matched and answered, then active before the contracts are signed. Idempotent: a
second run changes nothing that the first run made.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import COORDINATOR_EMAIL, DEMO_PASSWORD, member_email, seed_accounts
from accounts.models import Cohort
from checkins.demo import seed_meetings_and_checkins
from checkins.oversight.lifecycle import cohort_advance
from checkins.reminders.demo import seed_reminders
from contracts.demo import seed_contracts
from matching.demo import seed_matching
from profiles.demo import seed_profiles


class Command(BaseCommand):
    help = "Create or refresh the demo organization, its coordinator and about 40 members."

    def add_arguments(self, parser):
        parser.add_argument(
            "--members", type=int, default=40, help="How many members (2 to 40; default 40)."
        )

    @transaction.atomic
    def handle(self, *args, members, **options):
        demo = seed_accounts(members=members)
        seed_profiles(organization=demo.organization, members=demo.members, actor=demo.coordinator)
        run = seed_matching(cohort=demo.cohort, actor=demo.coordinator)
        if demo.cohort.status == Cohort.Status.MATCHING:  # a new demo: start the mentoring
            cohort_advance(cohort=demo.cohort, actor=demo.coordinator)
        contracts = seed_contracts(cohort=demo.cohort)
        meetings = seed_meetings_and_checkins(cohort=demo.cohort)
        reminders = seed_reminders(cohort=demo.cohort)
        self.stdout.write(self.style.SUCCESS(f"Demo organization '{demo.organization}' is ready."))
        self.stdout.write(f"  Cohort: {demo.cohort.name} ({len(demo.members)} members)")
        if run is not None:
            self.stdout.write(
                f"  Matching: {run.stats.get('pairs', 0)} pairs proposed and published"
            )
        if contracts:
            self.stdout.write(f"  Contracts: {len(contracts)} written, most of them signed")
        if meetings:
            self.stdout.write(f"  Meetings: {meetings} past meetings with check-ins, more planned")
        if reminders:
            self.stdout.write(f"  Reminders: {reminders} due now (the first scan sends them)")
        self.stdout.write(f"  Every demo login uses the password: {DEMO_PASSWORD}")
        self.stdout.write(f"  Coordinator: {COORDINATOR_EMAIL}")
        self.stdout.write(f"  Members:     {member_email(1)} … {member_email(len(demo.members))}")
