"""Run the matching for a cohort from the command line: the same service as the web page."""

from django.core.management.base import BaseCommand, CommandError

from accounts.commands import add_cohort_arguments, cohort_from_arguments
from accounts.spreadsheet import csv_writer
from matching import services
from matching.models import MatchRun, Pair, PairMember, UnmatchedMember

CSV_HEADER = ["member_a", "member_b", "member_c", "score", "explanation"]


class Command(BaseCommand):
    help = (
        "Match a cohort's members with complete profiles, store the proposals for review "
        "(replacing unpublished ones, keeping locked ones) and print a summary."
    )

    def add_arguments(self, parser):
        add_cohort_arguments(parser)
        parser.add_argument(
            "--output", metavar="PAIRS.CSV", help="Also write the run's pairs to this CSV file."
        )
        parser.add_argument(
            "--scope",
            choices=MatchRun.Scope.values,
            default=MatchRun.Scope.COHORT,
            help="cohort (default): everybody not in a published or active pair; "
            "unpaired: only members without a current pair.",
        )

    def handle(self, *args, org_slug, cohort_slug, output, scope, **options):
        cohort = cohort_from_arguments(org_slug, cohort_slug)
        try:
            run = services.matching_run_create(cohort=cohort, actor=None, scope=scope)
        except services.ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        run = services.matching_run_execute(run=run)
        if run.status != MatchRun.Status.DONE:
            raise CommandError(f"The matching failed: {run.error}")
        self._summary(cohort, run)
        if output:
            count = self._write_csv(run, output)
            self.stdout.write(f"Wrote {count} rows to {output}")

    def _summary(self, cohort, run):
        stats = run.stats
        placed = 2 * stats["pairs"] + 3 * stats["trios"]
        self.stdout.write(
            self.style.SUCCESS(f"Matched {cohort.name} ({cohort.organization.slug}/{cohort.slug})")
        )
        self.stdout.write(f"  Members:   {stats['members']} with a complete profile")
        self.stdout.write(
            f"  Pairs:     {stats['pairs']}, trios: {stats['trios']} ({placed} members placed"
            f"; {stats['locked_pairs']} locked kept, {stats['replaced']} proposals replaced)"
        )
        lowest = "-" if stats["lowest_score"] is None else f"{stats['lowest_score']:.1f}"
        mean = "-" if stats["mean_score"] is None else f"{stats['mean_score']:.1f}"
        self.stdout.write(
            f"  Score:     total {stats['total_score']:.1f}, lowest {lowest}, mean {mean}"
        )
        unmatched = UnmatchedMember.objects.filter(run=run).select_related("user")
        unmatched = unmatched.order_by("user__email")
        self.stdout.write(f"  Unmatched: {stats['unmatched']} (+ {stats['incomplete']} incomplete)")
        for item in unmatched:
            self.stdout.write(f"    - {item.user.email}: {item.reason}")
        self.stdout.write(
            f"  Time:      {stats['seconds']:.2f} s (engine {stats['engine_seconds']:.2f} s)"
        )

    def _write_csv(self, run, path) -> int:
        pairs = Pair.objects.filter(run=run, status=Pair.Status.PROPOSED).order_by("-score", "pk")
        emails: dict[int, list[str]] = {}
        members = PairMember.objects.filter(pair__in=pairs).select_related("user")
        for member in members.order_by("user__email"):
            emails.setdefault(member.pair_id, []).append(member.user.email)
        with open(path, "w", newline="", encoding="utf-8") as file:
            writer = csv_writer(file)
            writer.writerow(CSV_HEADER)
            for pair in pairs:
                a, b, *rest = emails[pair.pk]
                writer.writerow(
                    [a, b, rest[0] if rest else "", f"{pair.score:.1f}", pair.explanation]
                )
        return len(pairs)
