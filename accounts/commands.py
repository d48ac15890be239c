"""What the cohort management commands share: the ORG COHORT arguments, the cohort they name,
and the file a command writes."""

from pathlib import Path

from django.core.management.base import CommandError

from .models import Cohort


def add_cohort_arguments(parser) -> None:
    parser.add_argument("org_slug", help="The organization's short name, e.g. demo.")
    parser.add_argument("cohort_slug", help="The cohort's short name, e.g. autumn-2026.")


def cohort_from_arguments(org_slug: str, cohort_slug: str) -> Cohort:
    """The cohort of that organization, or a CommandError that names both."""
    cohort = (
        Cohort.objects.select_related("organization")
        .filter(organization__slug=org_slug, slug=cohort_slug)
        .first()
    )
    if cohort is None:
        raise CommandError(f"No cohort '{cohort_slug}' in organization '{org_slug}'.")
    return cohort


def output_path(out: str) -> Path:
    """Where to write `out`, whose folder must exist."""
    target = Path(out).resolve()
    if not target.parent.is_dir():
        raise CommandError(f"Folder {target.parent} does not exist.")
    return target
