"""Demo data for the accounts layer: an organization, its coordinator, members and a cohort.

Idempotent: running it again updates the same rows instead of adding new ones.
"""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Cohort, Enrolment, Membership, Organization, Program, User

DEMO_PASSWORD = "peermentor-demo"  # noqa: S105 - published demo logins, never production data
ORG_SLUG = "demo"
COHORT_SLUG = "autumn-2026"
COORDINATOR_EMAIL = "coordinator@demo.peermentor.test"

FIRST_NAMES = [
    "Ana", "Ben", "Chloé", "Dev", "Emma", "Farid", "Greta", "Hiro", "Ines", "Jonas",
    "Kemi", "Lars", "Maja", "Nikolai", "Olu", "Priya", "Quinn", "Rosa", "Søren", "Tara",
    "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zofia", "Aksel", "Bea", "Carlos", "Dina",
    "Emil", "Fatima", "Gustav", "Hana", "Ivan", "Julie", "Kofi", "Line", "Mads", "Nora",
]  # fmt: skip
LAST_NAMES = [
    "Silva", "Okafor", "Martin", "Patel", "Larsen", "Haddad", "Berg", "Tanaka", "Costa",
    "Nielsen", "Adeyemi", "Holm", "Jensen", "Petrov", "Bakare", "Shah", "Murphy", "Rossi",
    "Kjær", "Singh", "Khan", "Novak", "Chen", "Ramírez", "Demir", "Kowalska", "Lund",
    "Schmidt", "Mendes", "Ali", "Friis", "Zahra", "Dahl", "Sato", "Ivanova", "Moreau",
    "Mensah", "Thomsen", "Hansen", "Eriksen",
]  # fmt: skip


def member_email(index: int) -> str:
    return f"member{index:02d}@demo.peermentor.test"


def ensure_user(email: str, first_name: str, last_name: str) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@dataclass
class DemoAccounts:
    organization: Organization
    coordinator: User
    program: Program
    cohort: Cohort
    members: list[User]


def seed_accounts(*, members: int = 40) -> DemoAccounts:
    count = max(2, min(members, len(FIRST_NAMES)))
    organization, _ = Organization.objects.update_or_create(
        slug=ORG_SLUG, defaults={"name": "Northwind Collective"}
    )
    coordinator = ensure_user(COORDINATOR_EMAIL, "Cora", "Lindqvist")
    Membership.objects.update_or_create(
        organization=organization,
        user=coordinator,
        defaults={"role": Membership.Role.COORDINATOR},
    )
    program, _ = Program.objects.get_or_create(
        organization=organization,
        name="Peer mentoring for team leads",
        defaults={
            "description": "Pairs of new team leads from different departments who help "
            "each other reach a one-year goal."
        },
    )
    today = timezone.localdate()
    cohort, _ = Cohort.objects.get_or_create(
        organization=organization,
        slug=COHORT_SLUG,
        defaults={
            "program": program,
            "name": "Autumn 2026",
            "starts_on": today - datetime.timedelta(days=30),
            "ends_on": today + datetime.timedelta(days=335),
            # Ready to match; `seed_demo` moves it to active once pairs have accepted.
            "status": Cohort.Status.MATCHING,
        },
    )
    people = []
    for index in range(1, count + 1):
        user = ensure_user(member_email(index), FIRST_NAMES[index - 1], LAST_NAMES[index - 1])
        Membership.objects.get_or_create(
            organization=organization, user=user, defaults={"role": Membership.Role.MEMBER}
        )
        Enrolment.objects.get_or_create(cohort=cohort, user=user)
        people.append(user)
    return DemoAccounts(organization, coordinator, program, cohort, people)
