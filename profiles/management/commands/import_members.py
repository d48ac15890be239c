"""`python manage.py import_members ORG COHORT FILE.csv [--create] [--dry-run]
[--welcome now|with-matching]`.

The same parser, validator and writer as the coordinator's browser import (profiles.importing).
Every problem is printed with its line number and the command exits with status 1, having
written nothing.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.commands import add_cohort_arguments
from profiles import importing

# Beyond this many, each status lists a count and the first few addresses (unless -v 2).
LISTED = 20


class Command(BaseCommand):
    help = (
        "Import a cohort's members from a CSV file with the columns "
        f"{','.join(importing.COLUMNS)}. Validates every row first; writes all or nothing."
    )

    def add_arguments(self, parser):
        add_cohort_arguments(parser)
        parser.add_argument("file", help="The CSV file (UTF-8).")
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the organization, a program and the cohort if they don't exist.",
        )
        parser.add_argument(
            "--program",
            default="Peer mentoring",
            help="With --create: the program a new cohort belongs to (default: %(default)s).",
        )
        parser.add_argument(
            "--welcome",
            choices=["now", "with-matching"],
            default="with-matching",
            help=(
                "When the people the import adds get their welcome email (a one-time sign-in "
                "link): now, or in the email that publishes the matching (default)."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would happen, without writing anything.",
        )

    def handle(
        self, *args, org_slug, cohort_slug, file, create, program, dry_run, welcome, **options
    ):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.", returncode=1) from error
        try:
            with transaction.atomic():
                cohort, notes = importing.import_cohort_get_or_create(
                    org_slug=org_slug,
                    cohort_slug=cohort_slug,
                    create=create,
                    dry_run=dry_run,
                    program_name=program,
                )
                report = importing.members_import(
                    cohort=cohort,
                    actor=None,
                    data=data,
                    dry_run=dry_run,
                    welcome_now=welcome == "now",
                )
        except importing.ImportInvalid as error:
            for problem in error.report.problems:
                self.stderr.write(str(problem))
            count = len(error.report.problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} in {file}; nothing was imported.",
                returncode=1,
            ) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=1) from error
        for note in notes:
            self.stdout.write(note)
        self.write_report(report, cohort=cohort, dry_run=dry_run, verbosity=options["verbosity"])

    def write_report(self, report, *, cohort, dry_run, verbosity):
        where = f"{cohort.name} ({cohort.organization.slug}/{cohort.slug})"
        if dry_run:
            heading = f"Dry run: nothing was written. Importing {report.rows} rows into {where}:"
        elif report.written:
            heading = f"Imported {report.rows} rows into {where}:"
        else:
            heading = f"Nothing to change: all {report.rows} rows match {where}."
        self.stdout.write(self.style.SUCCESS(heading) if not dry_run else heading)
        would = "would be " if dry_run else ""
        for label, outcomes, listed in (
            (f"{would}created", report.created, True),
            (f"{would}updated", report.updated, True),
            ("unchanged", report.unchanged, verbosity >= 2),
        ):
            self.stdout.write(f"  {label}: {len(outcomes)}")
            if not listed:
                continue
            shown = outcomes if verbosity >= 2 else outcomes[:LISTED]
            for outcome in shown:
                details = f" ({'; '.join(outcome.changes)})" if outcome.changes else ""
                self.stdout.write(f"    line {outcome.line}: {outcome.email}{details}")
            self.write_more(len(outcomes) - len(shown))
        tags = report.new_tags if verbosity >= 2 else report.new_tags[:LISTED]
        added = " (would be added)" if dry_run else ""
        self.stdout.write(f"  new tags{added}: {len(report.new_tags)}")
        if tags:
            self.stdout.write(f"    {', '.join(tags)}")
        self.write_more(len(report.new_tags) - len(tags))
        if report.welcomes_sent:
            self.stdout.write(f"  welcome emails sent: {report.welcomes_sent}")
        if report.welcomes_held:
            self.stdout.write(
                f"  welcome emails not sent (daily email limit reached): {report.welcomes_held}; "
                "the email that publishes the matching will welcome them."
            )
        if report.invitations_held:
            self.stdout.write(
                f"  invitations not emailed (daily email limit reached): "
                f"{report.invitations_held}; resend them from the cohort's page."
            )

    def write_more(self, hidden):
        if hidden > 0:
            self.stdout.write(f"    … and {hidden} more (use -v 2 to list them all)")
