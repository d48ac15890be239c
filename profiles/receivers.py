"""What profiles does when accounts reports an event (connected in `ProfilesConfig.ready`)."""

from django.db import transaction

from accounts.models import Invitation, User
from accounts.services import audit

from .models import Need, Offer, Profile, Tag
from .selectors import tags_by_name
from .services import clean_tag_name, tags_resolve_or_create


def apply_import_on_acceptance(sender, *, invitation: Invitation, user: User, **kwargs) -> None:
    """Give the invitee the profile a members import named for them, now that they said yes.

    Only invitations a members import made carry data. Their name is filled in only where the
    account has none (people own their names); the department, languages, time zone, offers and
    needs become the file's. Tags retired since the import are left out rather than refused:
    the invitee can't fix a coordinator's file.
    """
    data = invitation.import_data
    if not data:
        return
    with transaction.atomic():
        _apply(invitation=invitation, user=user, data=data)


def _apply(*, invitation: Invitation, user: User, data: dict) -> None:
    organization = invitation.organization
    if not (user.first_name or user.last_name):
        user.first_name = data.get("first_name", "")
        user.last_name = data.get("last_name", "")
        user.save(update_fields=["first_name", "last_name"])
    profile, _created = Profile.objects.get_or_create(organization=organization, user=user)
    profile.department = data.get("department", "")
    profile.languages = list(data.get("languages", []))  # as the import writes them
    profile.timezone = data.get("timezone", "")
    for name in ("goal", "career_stage", "role"):  # optional columns, only when the file had them
        if name in data:
            setattr(profile, name, data[name])
    profile.save()

    offers, needs = data.get("offers", []), data.get("needs", [])
    names = {clean_tag_name(name) for name, _number in offers + needs}
    existing = tags_by_name(organization=organization, names=names)
    retired = {key for key, tag in existing.items() if tag.retired_at is not None}
    usable = [name for name in names if name.lower() not in retired]
    tags = tags_resolve_or_create(
        organization=organization, names=usable, actor=invitation.invited_by, kind=Tag.Kind.SKILL
    )
    for model, field, entries in ((Offer, "level", offers), (Need, "priority", needs)):
        wanted: dict[int, int] = {}
        for name, number in entries:
            tag = tags.get(clean_tag_name(name).lower())
            if tag is not None:
                wanted.setdefault(tag.pk, int(number))
        model.objects.filter(profile=profile).exclude(tag_id__in=wanted).delete()
        have = set(model.objects.filter(profile=profile).values_list("tag_id", flat=True))
        for tag_id, number in wanted.items():
            if tag_id in have:
                model.objects.filter(profile=profile, tag_id=tag_id).update(**{field: number})
            else:
                model.objects.create(profile=profile, tag_id=tag_id, **{field: number})
    audit(
        organization=organization,
        actor=user,
        action="profile.imported",
        user=user.pk,
        invitation=invitation.pk,
        offers=len(offers),
        needs=len(needs),
    )
