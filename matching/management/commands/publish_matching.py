"""Publish a cohort's proposals from the command line: the same service as the matching page."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.commands import add_cohort_arguments, cohort_from_arguments
from accounts.idempotency import AlreadyDone
from matching import services


class Command(BaseCommand):
    help = (
        "Publish the cohort's proposed pairs (as the matching page's Publish button does): "
        "their members are emailed to accept or decline."
    )

    def add_arguments(self, parser):
        add_cohort_arguments(parser)

    def handle(self, *args, org_slug, cohort_slug, **options):
        cohort = cohort_from_arguments(org_slug, cohort_slug)
        try:
            pairs = services.matching_publish(cohort=cohort, actor=None)
        except AlreadyDone as done:
            # Running the command again is not an error: what it was asked to do is done.
            self.stdout.write(" ".join(done.messages))
            return
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=1) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {len(pairs)} pair{'' if len(pairs) == 1 else 's'} of {cohort.name} "
                f"({cohort.organization.slug}/{cohort.slug}); their members were emailed."
            )
        )
