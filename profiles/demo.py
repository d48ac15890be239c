"""Demo profiles: a realistic taxonomy and complete profiles for the demo members.

Deterministic (a fixed seed) and idempotent: a profile that already has offers or needs is
left as it is, so a second run, or a demo user's own edits, are kept.
"""

import random

from django.db import transaction

from .models import CareerStage, Need, Offer, Profile, Role, Tag

TAXONOMY = {
    Tag.Kind.SKILL: [
        "Public speaking", "Negotiation", "Giving feedback", "Facilitation", "Data analysis",
        "Python", "SQL", "Budgeting", "Copywriting", "UX research", "Project planning",
        "Hiring interviews", "Coaching", "Conflict resolution", "Storytelling",
        "Presentation design", "Time management", "Stakeholder management",
    ],
    Tag.Kind.EXPERTISE: [
        "Fundraising", "Product strategy", "Employment law", "Cloud architecture",
        "Brand marketing", "Supply chain", "Financial modelling", "Accessibility",
        "Pricing", "Customer success",
    ],
    Tag.Kind.CONTACT: [
        "Investor network", "University partners", "Press contacts", "Public sector buyers",
        "Nordic retail chains",
    ],
    Tag.Kind.RESOURCE: [
        "Recording studio", "Event venue", "Design system", "Research panel",
        "Grant database",
    ],
}  # fmt: skip

DEPARTMENTS = ["Engineering", "Marketing", "Sales", "Finance", "People", "Operations", "Product"]
LANGUAGE_SETS = [
    ["English"], ["English", "Danish"], ["English", "German"], ["English", "Spanish"],
    ["Danish"], ["English", "French"],
]  # fmt: skip
TIMEZONES = [
    "Europe/Copenhagen", "Europe/London", "Europe/Berlin", "America/New_York",
    "Europe/Madrid", "Asia/Kolkata",
]  # fmt: skip
GOALS = [
    "Lead my first cross-team project from kick-off to launch.",
    "Give a talk at a national conference.",
    "Build a team of five and keep everyone on it for a year.",
    "Move from individual contributor to a confident manager.",
    "Publish a short book on what my team has learned.",
    "Raise the funding for our community programme.",
    "Get promoted to senior by next review cycle.",
    "Run our department's budget without surprises.",
]
ABOUT = [
    "New team lead, curious about how others run their one-to-ones.",
    "I like turning messy spreadsheets into decisions.",
    "Former teacher, now running onboarding for the whole company.",
    "Engineer who wants to get better at the people side.",
    "I build things with customers and love a good workshop.",
]
# Career stages and roles: members in the middle of the scale, as in a cohort of peers, so
# that the "one step apart" rule still finds everyone a complementary partner (it only keeps
# the established members away from the senior ones).
STAGES = [
    CareerStage.ESTABLISHED, CareerStage.EXPERIENCED, CareerStage.ESTABLISHED,
    CareerStage.EXPERIENCED, CareerStage.SENIOR, CareerStage.EXPERIENCED,
    CareerStage.ESTABLISHED, CareerStage.EXPERIENCED,
]  # fmt: skip
ROLES = [
    Role.TEAM_LEAD, Role.INDIVIDUAL, Role.SPECIALIST, Role.TEAM_LEAD, Role.INDIVIDUAL,
    Role.MANAGER, Role.TEAM_LEAD, Role.FOUNDER,
]  # fmt: skip
# Two demo members who name each other as wished partners (indexes into the members).
WISHED_PAIR = (2, 5)
CADENCES = [Profile.Cadence.WEEKLY, Profile.Cadence.BIWEEKLY, Profile.Cadence.MONTHLY]
MEDIA = [Profile.Medium.VIDEO, Profile.Medium.PHONE, Profile.Medium.IN_PERSON]


@transaction.atomic
def seed_profiles(*, organization, members, actor, seed: int = 2026) -> list[Profile]:
    tags = {}
    for kind, names in TAXONOMY.items():
        for name in names:
            tags[name], _ = Tag.objects.get_or_create(
                organization=organization,
                name=name,
                defaults={"kind": kind, "created_by": actor},
            )
    # Most picks come from a core of common tags, so that the demo cohort has plenty of
    # mutually complementary pairs; a rarer tag adds variety to each profile.
    names = sorted(tags)
    common = sorted(TAXONOMY[Tag.Kind.SKILL][:10] + TAXONOMY[Tag.Kind.EXPERTISE][:4])
    rare = [name for name in names if name not in common]
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    profiles = []
    for index, user in enumerate(members):
        profile, _ = Profile.objects.get_or_create(
            organization=organization,
            user=user,
            defaults={
                "about": ABOUT[index % len(ABOUT)],
                "goal": GOALS[index % len(GOALS)],
                "languages": LANGUAGE_SETS[index % len(LANGUAGE_SETS)],
                "timezone": TIMEZONES[index % len(TIMEZONES)],
                "cadence": CADENCES[index % len(CADENCES)],
                "medium": MEDIA[index % len(MEDIA)],
                "department": DEPARTMENTS[index % len(DEPARTMENTS)],
                "career_stage": STAGES[index % len(STAGES)],
                "role": ROLES[index % len(ROLES)],
            },
        )
        profiles.append(profile)
        if profile.offers.exists() or profile.needs.exists():
            continue
        picked = rng.sample(common, 7)
        offered, needed = [*picked[:3], rng.choice(rare)], picked[3:]
        Offer.objects.bulk_create(
            Offer(profile=profile, tag=tags[name], level=rng.randint(3, 5)) for name in offered
        )
        Need.objects.bulk_create(
            Need(profile=profile, tag=tags[name], priority=rng.randint(2, 5)) for name in needed
        )
    first, second = WISHED_PAIR
    if len(profiles) > second:
        for profile, other in (
            (profiles[first], members[second]),
            (profiles[second], members[first]),
        ):
            if profile.wished_partner_id is None:
                Profile.objects.filter(pk=profile.pk).update(wished_partner=other)
    return profiles
