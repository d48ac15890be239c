"""Write a cohort's signed contracts to a ZIP file: the same archive as the web export."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Cohort
from accounts.services import audit
from contracts.export import write_contracts_zip


class Command(BaseCommand):
    help = (
        "Render and sign any signed contract of the cohort not rendered yet, then write all "
        "current signed versions as one ZIP (a PDF per contract, named after the partners, "
        "and index.csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("org_slug", help="The organization's short name, e.g. demo.")
        parser.add_argument("cohort_slug", help="The cohort's short name, e.g. autumn-2026.")
        parser.add_argument(
            "--out", required=True, metavar="FILE.zip", help="Where to write the ZIP file."
        )

    def handle(self, *args, org_slug, cohort_slug, out, **options):
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
        # Written beside the target and renamed at the end: a failed run leaves no half ZIP.
        descriptor, partial = tempfile.mkstemp(dir=target.parent, suffix=".zip.partial")
        try:
            with os.fdopen(descriptor, "wb") as file:
                result = write_contracts_zip(cohort=cohort, target=file)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        audit(
            organization=cohort.organization,
            actor=None,
            action="contracts.exported",
            cohort=cohort.pk,
            contracts=result.contracts,
            via="command",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {result.contracts} signed contract{'' if result.contracts == 1 else 's'} "
                f"of {cohort.name} to {target}"
            )
        )
        self.stdout.write(f"  Rendered and signed now: {result.rendered}")
        self.stdout.write(f"  Already stored:          {result.contracts - result.rendered}")
        self.stdout.write(f"  Time:                    {result.seconds:.1f} s")
