"""Carrying out an import plan with bulk operations.

`_write` saves a `_Plan` (new tags, accounts, renames, memberships, enrolments and profiles,
and invitations for accounts that are not members of the organization yet),
and `_write_entries` makes each changed profile's offers or needs exactly the file's: a
constant number of queries per batch of rows, however many rows. The caller holds the
transaction.
"""

from django.utils import timezone

from accounts.models import Enrolment, Membership, User
from accounts.services import invitations_from_import

from ..models import Need, Offer, Profile
from ..services import tags_resolve_or_create
from .planning import _chunks, _existing_users, _Plan
from .results import BATCH_SIZE, OPTIONAL_COLUMNS


def _write(plan: _Plan, *, actor: User | None) -> None:
    organization, cohort = plan.cohort.organization, plan.cohort
    now = timezone.now()

    tag_ids: dict[int | str, int] = {}
    if plan.new_tags:
        created = tags_resolve_or_create(
            organization=organization, names=list(plan.new_tags.values()), actor=actor
        )
        tag_ids.update({key: created[key].pk for key in plan.new_tags})

    new_users = []
    for member in plan.members:
        if member.user is None:
            user = User(
                email=member.row.email,
                first_name=member.row.first_name,
                last_name=member.row.last_name,
            )
            # Imported people get no password: they set one through the password reset.
            user.set_unusable_password()
            new_users.append(user)
            member.user = user
    User.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
    if any(user.pk is None for user in new_users):  # backends that return no ids
        ids = {u.email: u.pk for u in _existing_users([u.email for u in new_users]).values()}
        for user in new_users:
            user.pk = ids[user.email]
    plan.created_user_ids = [user.pk for user in new_users]

    renamed = []
    for member in plan.members:
        if member.rename:
            member.user.first_name, member.user.last_name = (
                member.row.first_name,
                member.row.last_name,
            )
            renamed.append(member.user)
    User.objects.bulk_update(renamed, ["first_name", "last_name"], batch_size=BATCH_SIZE)

    # ignore_conflicts: someone may accept an invitation meanwhile; their row is as good.
    Membership.objects.bulk_create(
        [
            Membership(organization=organization, user=m.user, role=Membership.Role.MEMBER)
            for m in plan.members
            if m.join_organization
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    Enrolment.objects.bulk_create(
        [Enrolment(cohort=cohort, user=m.user, joined_at=now) for m in plan.members if m.enrol],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )

    new_profiles, changed_profiles = [], []
    for member in plan.members:
        if member.invite:
            continue
        row = member.row
        fields = {
            "department": row.department,
            "languages": list(row.languages),
            "timezone": row.timezone,
            **{name: getattr(row, name) for name in row.given},
        }
        if member.profile is None:
            member.profile = Profile(organization=organization, user=member.user, **fields)
            new_profiles.append(member.profile)
        elif member.profile_fields or member.offers_changed or member.needs_changed:
            for name, value in fields.items():
                setattr(member.profile, name, value)
            member.profile.updated_at = now
            changed_profiles.append(member.profile)
    Profile.objects.bulk_create(new_profiles, batch_size=BATCH_SIZE)
    if any(profile.pk is None for profile in new_profiles):
        by_user = {}
        for chunk in _chunks([profile.user_id for profile in new_profiles]):
            by_user.update(
                Profile.objects.filter(organization=organization, user_id__in=chunk).values_list(
                    "user_id", "pk"
                )
            )
        for profile in new_profiles:
            profile.pk = by_user[profile.user_id]
    Profile.objects.bulk_update(
        changed_profiles,
        ["department", "languages", "timezone", *OPTIONAL_COLUMNS, "updated_at"],
        batch_size=BATCH_SIZE,
    )

    _write_entries(plan, Offer, "level", plan.existing_offers, "offers", tag_ids)
    _write_entries(plan, Need, "priority", plan.existing_needs, "needs", tag_ids)

    # Accounts that are not members are only invited; their rows wait on the invitation.
    _sent, held = invitations_from_import(
        cohort=cohort,
        actor=actor,
        people={m.row.email: m.invite_data for m in plan.members if m.invite_changed},
    )
    plan.report.invitations_held = len(held)


def _write_entries(plan, model, number_field, existing, attribute, tag_ids):
    """Make each profile's offers (or needs) exactly the file's, keeping notes on kept rows."""
    stale, changed, new = [], [], []
    for member in plan.members:
        if member.invite or not getattr(member, f"{attribute}_changed"):
            continue
        entries = getattr(member, attribute).items()
        wanted = {tag_ids.get(key, key): number for key, number in entries}
        current = existing.get(member.profile.pk, {})
        stale.extend(row.pk for tag_id, row in current.items() if tag_id not in wanted)
        for tag_id, number in wanted.items():
            row = current.get(tag_id)
            if row is None:
                new.append(model(profile=member.profile, tag_id=tag_id, **{number_field: number}))
            elif getattr(row, number_field) != number:
                setattr(row, number_field, number)
                changed.append(row)
    for chunk in _chunks(stale):
        model.objects.filter(pk__in=chunk).delete()
    model.objects.bulk_update(changed, [number_field], batch_size=BATCH_SIZE)
    model.objects.bulk_create(new, batch_size=BATCH_SIZE)
