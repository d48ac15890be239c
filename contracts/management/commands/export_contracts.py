"""Write a cohort's signed contracts to a ZIP file: the same archive as the web export."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from accounts.commands import add_cohort_arguments, cohort_from_arguments, output_path
from accounts.services import audit
from contracts.export import write_contracts_zip


class Command(BaseCommand):
    help = (
        "Render and sign any signed contract of the cohort not rendered yet, then write all "
        "current signed versions as one ZIP (a PDF per contract, named after the partners, "
        "and index.csv)."
    )

    def add_arguments(self, parser):
        add_cohort_arguments(parser)
        parser.add_argument(
            "--out", required=True, metavar="FILE.zip", help="Where to write the ZIP file."
        )

    def handle(self, *args, org_slug, cohort_slug, out, **options):
        cohort = cohort_from_arguments(org_slug, cohort_slug)
        target = output_path(out)
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
