"""Helpers shared by the dashboard's submodules.

`percent` rounds the shares the funnel and the indicators chart show, and `_not_enrolled` leaves
out the invitations to people already enrolled, for the funnel's "invited" step and the program
dashboard's count of open invitations.
"""

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower

from accounts.models import Enrolment, Invitation


def percent(part: int, whole: int) -> int | None:
    """`part` of `whole` in whole percent, rounded half up; None when `whole` is 0."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


def _not_enrolled(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """Leave out invitations to an address already enrolled in the invitation's cohort."""
    enrolled = Enrolment.objects.filter(cohort=OuterRef("cohort")).annotate(
        email=Lower("user__email")
    )
    return invitations.annotate(email_lower=Lower("email")).exclude(
        Exists(enrolled.filter(email=OuterRef("email_lower")))
    )
