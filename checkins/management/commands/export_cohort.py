"""Write one of a cohort's CSV files (members, pairs, check-ins, survey): the same file as the
cohort's Export page, recorded in the audit log the same way (with no actor)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Cohort

from ...oversight import exports


class Command(BaseCommand):
    help = "Write one of the cohort's CSV files (as its Export page does) to --out."

    def add_arguments(self, parser):
        parser.add_argument("org_slug", help="The organization's short name, e.g. demo.")
        parser.add_argument("cohort_slug", help="The cohort's short name, e.g. autumn-2026.")
        parser.add_argument("kind", choices=list(exports.KINDS), help="Which file.")
        parser.add_argument(
            "--out", required=True, metavar="FILE.csv", help="Where to write the CSV file."
        )

    def handle(self, *args, org_slug, cohort_slug, kind, out, **options):
        cohort = (
            Cohort.objects.select_related("organization")
            .filter(organization__slug=org_slug, slug=cohort_slug)
            .first()
        )
        if cohort is None:
            raise CommandError(f"No cohort '{cohort_slug}' in organization '{org_slug}'.")
        target = Path(out).resolve()
        if not target.parent.is_dir():
            raise CommandError(f"Folder {target.parent} does not exist.")
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
