"""Writes for profiles and the organization's tag taxonomy.

Every function here is keyword-only, runs in a transaction, validates before it writes and
records who did it in the audit log. `normalize_language(s)` and `tag(s)_resolve_or_create` are
public helpers: the CSV import calls them too.
"""

import re
from collections.abc import Iterable, Mapping

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Organization, User
from accounts.services import audit

from .models import Need, Offer, Profile, Tag
from .selectors import cohort_mates, tags_by_name

TAG_NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length

# Languages ---------------------------------------------------------------------------------


def _language_names() -> dict[str, str]:
    """Lower-cased code, English name or local name → the English name of the language.

    Regional variants resolve to their base language ("en-gb" and "British English" both give
    "English"), because for pairing people only the spoken language matters.
    """

    def name_of(code: str) -> str:
        info = LANG_INFO[code]
        if "fallback" in info:
            info = LANG_INFO[info["fallback"][0]]
        base = code.split("-")[0]
        if base != code and "name" in LANG_INFO.get(base, {}):
            info = LANG_INFO[base]
        return info["name"]

    names: dict[str, str] = {}
    # Local names first, so that an English name wins where the two collide.
    for code, info in LANG_INFO.items():
        if "name_local" in info:
            names[info["name_local"].lower()] = name_of(code)
    for code, info in LANG_INFO.items():
        if "name" in info:
            names[info["name"].lower()] = name_of(code)
        names[code] = name_of(code)
    return names


_LANGUAGES = _language_names()


def normalize_language(value: str) -> str:
    """The English name of a language given by code or name: "da", "dansk", "Danish" → "Danish".

    Unknown values are kept, tidied and title-cased ("old norse" → "Old Norse"); "" stays "".
    """
    text = " ".join(str(value).split())
    if not text:
        return ""
    key = text.lower().replace("_", "-")
    if key in _LANGUAGES:
        return _LANGUAGES[key]
    base = key.split("-")[0]
    if base != key and re.fullmatch(r"[a-z]{2,3}-[a-z0-9]{2,8}", key) and base in _LANGUAGES:
        return _LANGUAGES[base]
    return text.title()


def normalize_languages(values: Iterable[str]) -> list[str]:
    """Normalise each language and drop blanks and repeats, keeping the given order."""
    result: list[str] = []
    for value in values:
        name = normalize_language(value)
        if name and name not in result:
            result.append(name)
    return result


# Tags --------------------------------------------------------------------------------------


def clean_tag_name(name: str) -> str:
    """A tag name with its whitespace tidied, or ValidationError when empty or too long."""
    text = " ".join(str(name).split())
    if not text:
        raise ValidationError({"name": _("Enter a name.")}, code="required")
    if len(text) > TAG_NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "name": _("“%(name)s” is too long: a tag name has at most %(max)s characters.")
                % {"name": text, "max": TAG_NAME_MAX_LENGTH}
            },
            code="max_length",
        )
    return text


def _validate_kind(kind: str) -> None:
    if kind not in Tag.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of tag.")}, code="invalid_kind")


def _resolve_tags(
    *,
    organization: Organization,
    names: Iterable[str],
    actor: User | None,
    kind: str,
    kinds: Mapping[str, str] | None,
    allowed_retired_ids: Iterable[int] = (),
) -> dict[str, Tag]:
    """The work behind `tags_resolve_or_create`, with retired tags that may be kept."""
    wanted: dict[str, str] = {}
    for name in names:
        text = clean_tag_name(name)
        wanted.setdefault(text.lower(), text)
    if not wanted:
        return {}
    kinds = {key.lower(): value for key, value in (kinds or {}).items()}
    for key in wanted:
        _validate_kind(kinds.get(key, kind))

    found = tags_by_name(organization=organization, names=wanted.values())
    allowed = set(allowed_retired_ids)
    retired = [
        ValidationError(
            _("“%(name)s” has been retired and can no longer be chosen."),
            code="retired_tag",
            params={"name": tag.name},
        )
        for tag in {tag.pk: tag for tag in found.values()}.values()
        if tag.retired_at is not None and tag.pk not in allowed
    ]
    if retired:
        raise ValidationError(retired)
    missing = [key for key in wanted if key not in found]
    if missing:
        new_tags = [
            Tag(
                organization=organization,
                name=wanted[key],
                kind=kinds.get(key, kind),
                created_by=actor,
            )
            for key in missing
        ]
        # Someone may add the same name meanwhile; skipping the conflict and reading the rows
        # back gives the tag whoever created it.
        Tag.objects.bulk_create(new_tags, ignore_conflicts=True)
        created = tags_by_name(organization=organization, names=[wanted[key] for key in missing])
        found.update(created)
        AuditEvent.objects.bulk_create(
            AuditEvent(
                organization=organization,
                actor=actor,
                action="tag.created",
                data={"tag": tag.pk, "name": tag.name, "kind": tag.kind},
            )
            for tag in {tag.pk: tag for tag in created.values()}.values()
        )
    return found


@transaction.atomic
def tags_resolve_or_create(
    *,
    organization: Organization,
    names: Iterable[str],
    actor: User | None,
    kind: str = Tag.Kind.SKILL,
    kinds: Mapping[str, str] | None = None,
) -> dict[str, Tag]:
    """Map each name (lower-cased) to the organization's tag of that name, creating missing ones.

    Lookups ignore case and follow `merged_into`, so a merged name gives its replacement. New
    tags get `kinds[name]` or else `kind`. A retired tag raises ValidationError (one message per
    retired name, code "retired_tag"). Runs a constant number of queries whatever the number of
    names, so imports can resolve a whole file at once.
    """
    return _resolve_tags(
        organization=organization, names=names, actor=actor, kind=kind, kinds=kinds
    )


@transaction.atomic
def tag_resolve_or_create(
    *, organization: Organization, name: str, actor: User | None, kind: str = Tag.Kind.SKILL
) -> Tag:
    """The organization's tag called `name` (see `tags_resolve_or_create`)."""
    tags = _resolve_tags(
        organization=organization, names=[name], actor=actor, kind=kind, kinds=None
    )
    return tags[clean_tag_name(name).lower()]


def _raise_if_name_taken(*, organization: Organization, name: str, exclude_pk=None) -> None:
    taken = (
        Tag.objects.for_organization(organization)
        .filter(name__iexact=name)
        .exclude(pk=exclude_pk)
        .first()
    )
    if taken is None:
        return
    if taken.merged_into_id:
        message = _("“%(name)s” already exists: it was merged into another tag.")
    elif taken.retired_at:
        message = _("“%(name)s” already exists as a retired tag. Restore it instead.")
    else:
        message = _("A tag called “%(name)s” already exists.")
    raise ValidationError({"name": message % {"name": taken.name}}, code="duplicate_tag")


@transaction.atomic
def tag_create(*, organization: Organization, actor: User, name: str, kind: str) -> Tag:
    name = clean_tag_name(name)
    _raise_if_name_taken(organization=organization, name=name)
    tag = Tag(organization=organization, name=name, kind=kind, created_by=actor)
    tag.full_clean()
    tag.save()
    audit(
        organization=organization,
        actor=actor,
        action="tag.created",
        tag=tag.pk,
        name=tag.name,
        kind=tag.kind,
    )
    return tag


@transaction.atomic
def tag_update(*, tag: Tag, actor: User, name: str, kind: str) -> Tag:
    """Rename a tag or change its kind. Offers and needs follow, since they point at the row."""
    name = clean_tag_name(name)
    _raise_if_name_taken(organization=tag.organization, name=name, exclude_pk=tag.pk)
    changed = {}
    if tag.name != name:
        changed["name"] = [tag.name, name]
    if tag.kind != kind:
        changed["kind"] = [tag.kind, kind]
    tag.name, tag.kind = name, kind
    tag.full_clean()
    if not changed:
        return tag
    tag.save(update_fields=["name", "kind"])
    audit(
        organization=tag.organization,
        actor=actor,
        action="tag.updated",
        tag=tag.pk,
        changed=changed,
    )
    return tag


def _move_rows(model, *, source: Tag, target: Tag, field: str) -> dict[str, int]:
    """Point `source`'s offers (or needs) at `target`; a profile that has both keeps the higher."""
    rows = list(model.objects.filter(tag=source))
    existing = {
        row.profile_id: row
        for row in model.objects.filter(tag=target, profile_id__in=[r.profile_id for r in rows])
    }
    upgraded, dropped = [], []
    for row in rows:
        kept = existing.get(row.profile_id)
        if kept is None:
            continue
        dropped.append(row.pk)
        if getattr(row, field) > getattr(kept, field):
            setattr(kept, field, getattr(row, field))
            kept.note = row.note or kept.note
            upgraded.append(kept)
    if upgraded:
        model.objects.bulk_update(upgraded, [field, "note"])
    if dropped:
        model.objects.filter(pk__in=dropped).delete()
    moved = model.objects.filter(tag=source).update(tag=target)
    return {"moved": moved, "duplicates": len(dropped)}


@transaction.atomic
def tag_merge(*, source: Tag, target: Tag, actor: User) -> Tag:
    """Fold `source` into `target`: its offers and needs move, and its name resolves to target.

    A profile holding both tags keeps one offer (the higher level) and one need (the higher
    priority). Returns the target.
    """
    locked = {
        tag.pk: tag
        for tag in Tag.objects.select_for_update().filter(
            pk__in=[source.pk, target.pk], organization=source.organization
        )
    }
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose a different tag to merge into.")})
    if len(locked) != 2:
        raise ValidationError({"target": _("Both tags must belong to the same organization.")})
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id:
        raise ValidationError(_("“%(name)s” has already been merged.") % {"name": source.name})
    if not target.is_active:
        raise ValidationError({"target": _("Choose a tag that is in use (not retired or merged).")})
    offers = _move_rows(Offer, source=source, target=target, field="level")
    needs = _move_rows(Need, source=source, target=target, field="priority")
    # Tags merged into the source earlier now point straight at the target: one hop resolves.
    Tag.objects.filter(merged_into=source).update(merged_into=target)
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    audit(
        organization=source.organization,
        actor=actor,
        action="tag.merged",
        tag=source.pk,
        name=source.name,
        into=target.pk,
        into_name=target.name,
        offers=offers,
        needs=needs,
    )
    return target


@transaction.atomic
def tag_retire(*, tag: Tag, actor: User) -> Tag:
    """Retire a tag: existing offers and needs keep it, but nobody can choose it anew."""
    if tag.merged_into_id:
        raise ValidationError(_("A merged tag is already out of use."))
    if tag.retired_at:
        return tag
    tag.retired_at = timezone.now()
    tag.save(update_fields=["retired_at"])
    audit(
        organization=tag.organization, actor=actor, action="tag.retired", tag=tag.pk, name=tag.name
    )
    return tag


@transaction.atomic
def tag_restore(*, tag: Tag, actor: User) -> Tag:
    if tag.merged_into_id:
        raise ValidationError(_("A merged tag cannot be restored."))
    if not tag.retired_at:
        return tag
    tag.retired_at = None
    tag.save(update_fields=["retired_at"])
    audit(
        organization=tag.organization, actor=actor, action="tag.restored", tag=tag.pk, name=tag.name
    )
    return tag


# Profiles ----------------------------------------------------------------------------------


@transaction.atomic
def profile_get_or_create(*, organization: Organization, user: User) -> Profile:
    """The user's profile in the organization, created empty the first time."""
    profile, created = Profile.objects.get_or_create(organization=organization, user=user)
    if created:
        audit(organization=organization, actor=user, action="profile.created", user=user.pk)
    return profile


def _entries_by_tag(
    entries: list[dict], *, tags: dict[str, Tag], field: str, label: str
) -> dict[int, dict]:
    """Resolved entries keyed by tag id; two names for one tag is an error."""
    result: dict[int, dict] = {}
    for entry in entries:
        tag = tags[clean_tag_name(entry["tag"]).lower()]
        if tag.pk in result:
            raise ValidationError(
                {
                    label: _("“%(name)s” is listed twice (names of merged tags count as one).")
                    % {"name": tag.name}
                },
                code="duplicate_tag",
            )
        result[tag.pk] = {"tag": tag, field: int(entry[field]), "note": entry.get("note", "")}
    return result


def _replace_rows(model, *, profile: Profile, wanted: dict[int, dict], field: str) -> None:
    current = {row.tag_id: row for row in model.objects.filter(profile=profile)}
    stale = [row.pk for tag_id, row in current.items() if tag_id not in wanted]
    if stale:
        model.objects.filter(pk__in=stale).delete()
    changed, new = [], []
    for tag_id, entry in wanted.items():
        row = current.get(tag_id)
        if row is None:
            row = model(profile=profile, tag=entry["tag"], **{field: entry[field]})
            row.note = entry["note"]
            new.append(row)
        elif (getattr(row, field), row.note) != (entry[field], entry["note"]):
            setattr(row, field, entry[field])
            row.note = entry["note"]
            changed.append(row)
        else:
            continue
        row.full_clean(exclude=["profile", "tag"], validate_constraints=False)
    if changed:
        model.objects.bulk_update(changed, [field, "note"])
    if new:
        model.objects.bulk_create(new)


def _wished_partner(profile: Profile, email: str) -> User | None:
    email = email.strip()
    if not email:
        return None
    mates = cohort_mates(organization=profile.organization, user=profile.user)
    found = mates.filter(email__iexact=email).first()
    if found is None:
        raise ValidationError(
            {
                "wished_partner": _(
                    "Name a member of your own cohort: nobody there has the address %(email)s."
                )
                % {"email": email}
            },
            code="not_a_cohort_mate",
        )
    return found


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    actor: User,
    about: str,
    goal: str,
    languages: Iterable[str],
    timezone: str,
    cadence: str,
    medium: str,
    offers: list[dict] | None = None,
    needs: list[dict] | None = None,
    career_stage: int | None = None,
    role: str = "",
    wished_partner_email: str = "",
) -> Profile:
    """Save a member's own profile. The department is not among the fields: coordinators set it.

    `wished_partner_email` names a colleague of one of the member's cohorts (blank: nobody);
    anyone else is refused, and the message never tells whether the address exists elsewhere.

    `offers` items are `{"tag": name, "level": 1–5, "note": str, "kind": str}`, `needs` items
    `{"tag": name, "priority": 1–5, "note": str, "kind": str}`; each list replaces what the
    profile had (None leaves it alone). Unknown tag names become new tags of the given kind
    (skill by default); retired tags are refused unless the profile already had them.
    """
    profile.about = about.strip()
    profile.goal = " ".join(goal.split())
    profile.languages = normalize_languages(languages)
    profile.timezone = timezone.strip()
    profile.cadence = cadence
    profile.medium = medium
    profile.career_stage = career_stage
    profile.role = role
    profile.wished_partner = _wished_partner(profile, wished_partner_email)
    profile.full_clean()
    profile.save()

    offers_list, needs_list = list(offers or []), list(needs or [])
    if offers is not None or needs is not None:
        entries = offers_list + needs_list
        kinds = {
            clean_tag_name(entry["tag"]).lower(): entry.get("kind") or Tag.Kind.SKILL
            for entry in reversed(entries)
        }
        kept_ids = set(Offer.objects.filter(profile=profile).values_list("tag_id", flat=True))
        kept_ids |= set(Need.objects.filter(profile=profile).values_list("tag_id", flat=True))
        tags = _resolve_tags(
            organization=profile.organization,
            names=[entry["tag"] for entry in entries],
            actor=actor,
            kind=Tag.Kind.SKILL,
            kinds=kinds,
            allowed_retired_ids=kept_ids,
        )
        if offers is not None:
            wanted = _entries_by_tag(offers_list, tags=tags, field="level", label="offers")
            _replace_rows(Offer, profile=profile, wanted=wanted, field="level")
        if needs is not None:
            wanted = _entries_by_tag(needs_list, tags=tags, field="priority", label="needs")
            _replace_rows(Need, profile=profile, wanted=wanted, field="priority")
    audit(
        organization=profile.organization,
        actor=actor,
        action="profile.updated",
        user=profile.user_id,
        offers=len(offers_list),
        needs=len(needs_list),
        wished_partner=profile.wished_partner_id,
    )
    return profile


@transaction.atomic
def member_department_set(
    *, organization: Organization, user: User, actor: User, department: str
) -> Profile:
    """Set a member's department (coordinators and imports only: members cannot edit it)."""
    profile, _created = Profile.objects.get_or_create(organization=organization, user=user)
    department = " ".join(department.split())
    previous = profile.department
    profile.department = department
    profile.full_clean()
    if previous == department:
        return profile
    profile.save(update_fields=["department", "updated_at"])
    audit(
        organization=organization,
        actor=actor,
        action="profile.department_changed",
        user=user.pk,
        department=department,
        previous=previous,
    )
    return profile
