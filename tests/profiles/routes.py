"""How the isolation test (`tests/test_isolation.py`) reaches the profiles routes.

Tag routes need a tag, which the World doesn't hold, so `tag_in` makes one on demand.
"""

from profiles.models import Tag
from tests.isolation import ENROLLED, MEMBERS, Route


def tag_in(world) -> Tag:
    tag, _created = Tag.objects.get_or_create(
        organization=world.organization, name="Isolation check", defaults={"kind": "skill"}
    )
    return tag


ROUTES = {
    "profile_edit": Route(access=MEMBERS),
    # A member sees their own profile and those of people in their cohorts.
    "profile_detail": Route(lambda w: {"user_id": w.enrolled_member.pk}, access=ENROLLED),
    "member_department": Route(lambda w: {"user_id": w.enrolled_member.pk}, methods=("post",)),
    "cohort_profiles": Route(lambda w: {"cohort_id": w.cohort.pk}),
    "tag_list": Route(),
    "tag_edit": Route(lambda w: {"tag_id": tag_in(w).pk}),
    "tag_merge": Route(lambda w: {"tag_id": tag_in(w).pk}),
    "tag_retire": Route(lambda w: {"tag_id": tag_in(w).pk}),
}
