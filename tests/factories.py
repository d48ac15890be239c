"""factory_boy factories that keep related objects in one organization.

Pass the parent and the children follow it: `CohortFactory(program=program)` puts the cohort in
the program's organization, `EnrolmentFactory(cohort=cohort)` also makes the user a member of
the cohort's organization, `InvitationFactory(cohort=cohort)` takes the cohort's organization.
"""

import datetime

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from accounts.models import (
    Cohort,
    Enrolment,
    Invitation,
    Membership,
    Organization,
    Program,
    User,
)

PASSWORD = "pass-word-123"


class UserFactory(DjangoModelFactory):
    """A user who can log in: password PASSWORD, email address verified (mandatory in allauth)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Tester"

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **kwargs):
        return model_class.objects.create_user(*args, password=password, **kwargs)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        """`UserFactory(verified_email=False)` makes a user whose address is not verified."""
        if not create:
            return
        EmailAddress.objects.create(
            user=user, email=user.email, primary=True, verified=extracted is not False
        )


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER

    class Params:
        coordinator = factory.Trait(role=Membership.Role.COORDINATOR)


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    description = "Peers who help each other reach a one-year goal."


class CohortFactory(DjangoModelFactory):
    """The organization is always the program's: `CohortFactory(program__organization=org)`."""

    class Meta:
        model = Cohort

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    name = factory.Sequence(lambda n: f"Cohort {n}")
    slug = factory.Sequence(lambda n: f"cohort-{n}")
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2027, 6, 30)
    status = Cohort.Status.OPEN


class EnrolmentFactory(DjangoModelFactory):
    """Enrols a user and makes them a member of the cohort's organization if they aren't."""

    class Meta:
        model = Enrolment
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def membership(enrolment, create, extracted, **kwargs):
        if create:
            Membership.objects.get_or_create(
                organization=enrolment.cohort.organization,
                user=enrolment.user,
                defaults={"role": Membership.Role.MEMBER},
            )


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    cohort = factory.SubFactory(CohortFactory)
    organization = factory.SelfAttribute("cohort.organization")
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    invited_by = None
