"""`python manage.py cohort_state ORG COHORT [STATE]`: a cohort's state from the command line.

Without STATE it prints the state, what it allows, and each move possible from it with what
stops that move now (the checks of the Lifecycle page). With STATE it makes that one move
through the page's services (`checkins.oversight.lifecycle`), which lock the cohort, check it
and write the audit log (with no actor: the command line). A cohort already in STATE is left as
it is (exit 0), so a script can run the command again; any other refusal prints the reasons,
exits 1 and changes nothing.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.commands import add_cohort_arguments, cohort_from_arguments
from accounts.lifecycle import (
    STATE_PURPOSE,
    allowed_actions,
    next_status,
    previous_status,
    status_label,
)
from accounts.models import Cohort
from profiles.selectors import cohort_profile_counts

from ...oversight import lifecycle

Status = Cohort.Status


class Command(BaseCommand):
    help = (
        "Print a cohort's state and what its next move needs; with STATE, move it one step "
        "(the same checks, services and audit log as the Lifecycle page)."
    )

    def add_arguments(self, parser):
        add_cohort_arguments(parser)
        parser.add_argument(
            "state",
            nargs="?",
            choices=Status.values,
            help="Move the cohort to this state: the next one, or open again from matching.",
        )

    def handle(self, *args, org_slug, cohort_slug, state, **options):
        cohort = cohort_from_arguments(org_slug, cohort_slug)
        if state is None:
            self._describe(cohort)
        else:
            self._move(cohort, state)

    def _name(self, cohort: Cohort) -> str:
        return f"{cohort.name} ({cohort.organization.slug}/{cohort.slug})"

    def _describe(self, cohort: Cohort) -> None:
        self.stdout.write(f"{self._name(cohort)}: {cohort.status} ({status_label(cohort.status)})")
        self.stdout.write(f"  {STATE_PURPOSE[cohort.status]}")
        counts = cohort_profile_counts(cohort=cohort)
        incomplete = counts["total"] - counts["complete"]
        self.stdout.write(
            f"  Members:  {counts['total']} enrolled, {counts['complete']} with a complete "
            f"profile, {incomplete} without"
        )
        allowed = ", ".join(str(action.label) for action in allowed_actions(cohort.status))
        self.stdout.write(f"  Allowed:  {allowed or 'nothing'}")
        moves = [("Next", next_status(cohort.status)), ("Back", previous_status(cohort.status))]
        if not any(to for _, to in moves):
            self.stdout.write("  No move: a closed cohort stays closed.")
        for title, to in moves:
            if to is None:
                continue
            problems = lifecycle.transition_problems(cohort=cohort, to=to)
            command = f"manage.py cohort_state {cohort.organization.slug} {cohort.slug} {to}"
            self.stdout.write(f"  {title + ':':<9} {to} ({status_label(to)})")
            if problems:
                for problem in problems:
                    self.stdout.write(f"    not yet: {problem}")
            else:
                self.stdout.write(f"    ready: python {command}")

    def _move(self, cohort: Cohort, to: str) -> None:
        frm = cohort.status
        if to == frm:
            self.stdout.write(
                f"{self._name(cohort)} is already {to} ({status_label(to)}); nothing changed."
            )
            return
        if to == next_status(frm):
            service = lifecycle.cohort_advance
        elif to == previous_status(frm):
            service = lifecycle.cohort_step_back
        else:
            service = None
        try:
            if service is None:
                # The page's words for a move that isn't a step ("can't go from … to …").
                raise ValidationError(lifecycle.transition_problems(cohort=cohort, to=to))
            if to == Status.CLOSED:
                closed = lifecycle.cohort_close(cohort=cohort, actor=None)
            else:
                service(cohort=cohort, actor=None, from_status=frm)
        except ValidationError as error:
            reasons = " ".join(error.messages)
            raise CommandError(
                f"{self._name(cohort)} stays {frm}: {reasons}", returncode=1
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{self._name(cohort)} moved from {frm} to {cohort.status} "
                f"({status_label(cohort.status)})."
            )
        )
        if to == Status.CLOSED:
            self.stdout.write(
                f"  {closed.meetings_cancelled} future meetings and {closed.reminders_cancelled} "
                f"reminders cancelled; {closed.surveys_requested} members asked for the "
                "closing survey."
            )
