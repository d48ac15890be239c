"""Write one of a cohort's CSV files (members, pairs, check-ins, survey): the same file as the
cohort's Export page, recorded in the audit log the same way (with no actor)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.commands import add_cohort_arguments, cohort_from_arguments, output_path

from ...oversight import exports


class Command(BaseCommand):
    help = "Write one of the cohort's CSV files (as its Export page does) to --out."

    def add_arguments(self, parser):
        add_cohort_arguments(parser)
        parser.add_argument("kind", choices=list(exports.KINDS), help="Which file.")
        parser.add_argument(
            "--out", required=True, metavar="FILE.csv", help="Where to write the CSV file."
        )

    def handle(self, *args, org_slug, cohort_slug, kind, out, **options):
        cohort = cohort_from_arguments(org_slug, cohort_slug)
        target = output_path(out)
        try:
            csv = exports.cohort_export(cohort=cohort, kind=kind, actor=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=1) from error
        target.write_text(csv.content, encoding="utf-8", newline="")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {csv.rows} row{'' if csv.rows == 1 else 's'} ({kind}) of {cohort.name} "
                f"to {target}"
            )
        )
