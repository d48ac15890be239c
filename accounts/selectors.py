"""Reads for accounts, organizations, cohorts and invitations."""

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Cohort, Enrolment, Invitation, Membership, Organization, Program, User


def user_memberships(*, user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def user_enrolments(*, user: User) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(user=user)
        .select_related("cohort__program", "cohort__organization")
        .order_by("-cohort__starts_on")
    )


def organization_programs(*, organization: Organization) -> QuerySet[Program]:
    cohorts = (
        Cohort.objects.select_related("organization")
        .annotate(member_count=Count("enrolments", distinct=True))
        .order_by("-starts_on")
    )
    return (
        Program.objects.for_organization(organization)
        .select_related("organization")
        .prefetch_related(Prefetch("cohorts", queryset=cohorts))
    )


def program_cohorts(*, program: Program) -> QuerySet[Cohort]:
    return (
        program.cohorts.select_related("organization")
        .annotate(
            member_count=Count("enrolments", distinct=True),
            pending_count=Count(
                "invitations",
                filter=Q(
                    invitations__accepted_at__isnull=True,
                    invitations__revoked_at__isnull=True,
                    invitations__declined_at__isnull=True,
                ),
                distinct=True,
            ),
        )
        .order_by("-starts_on")
    )


def cohort_enrolments(*, cohort: Cohort) -> QuerySet[Enrolment]:
    return cohort.enrolments.select_related("user").order_by(
        "user__last_name", "user__first_name", "user__email"
    )


def cohort_open_invitations(*, cohort: Cohort) -> QuerySet[Invitation]:
    """Invitations not accepted: pending, expired, declined and revoked (newest first)."""
    return cohort.invitations.filter(accepted_at__isnull=True).select_related("invited_by")


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .annotate(
            cohort_count=Count(
                "user__enrolments",
                filter=Q(user__enrolments__cohort__organization=organization),
                distinct=True,
            )
        )
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def next_step_for(*, user: User, memberships: list[Membership]) -> dict | None:
    """The most useful next action for the home page, or None."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    if not memberships:
        return {
            "text": _(
                "Start by creating your organization. You can then set up a program and invite "
                "its members. If you expect an invitation, it will arrive by email."
            ),
            "url": reverse("organization_create"),
            "label": _("Create an organization"),
        }
    for membership in memberships:
        if not membership.is_coordinator:
            continue
        organization = membership.organization
        program = Program.objects.for_organization(organization).first()
        if program is None:
            return {
                "text": _("%(org)s has no program yet.") % {"org": organization.name},
                "url": reverse("program_create", kwargs={"org_slug": organization.slug}),
                "label": _("Create a program"),
            }
        cohort = Cohort.objects.for_organization(organization).order_by("-starts_on").first()
        if cohort is None:
            return {
                "text": _("%(program)s has no cohort yet.") % {"program": program.name},
                "url": reverse(
                    "cohort_create",
                    kwargs={"org_slug": organization.slug, "program_id": program.pk},
                ),
                "label": _("Create a cohort"),
            }
        if not cohort.enrolments.exists() and not cohort.invitations.exists():
            return {
                "text": _("Nobody has been invited to %(cohort)s yet.") % {"cohort": cohort.name},
                "url": reverse(
                    "cohort_invite",
                    kwargs={"org_slug": organization.slug, "cohort_id": cohort.pk},
                ),
                "label": _("Invite members"),
            }
    return None
