"""Reads for the partners' thread: the page of messages, the intro call, and what each member
brings and needs (for the "What to discuss first" box)."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch

from accounts.models import Cohort, User
from profiles.models import Need, Offer, Profile

from .. import limits
from ..models import IntroCall, Pair, PairMember, PairMessage
from .services import WRITABLE


@dataclass(frozen=True)
class ThreadPage:
    pair: Pair
    me: PairMember
    partners: list[PairMember]
    partner_names: list[str]
    # (member, profile or None) for every member, the viewer first.
    profiles: list[tuple[PairMember, Profile | None]]
    messages: Page
    intro_call: IntroCall | None
    writable: bool
    contacts_visible: bool


def can_write(*, pair: Pair) -> bool:
    return pair.status in WRITABLE and pair.cohort.status != Cohort.Status.CLOSED


def member_profiles(*, pair: Pair, members: list[PairMember]) -> dict[int, Profile]:
    """{user id: profile in the pair's organization} with offers and needs loaded."""
    profiles = (
        Profile.objects.for_organization(pair.organization_id)
        .filter(user_id__in=[member.user_id for member in members])
        .prefetch_related(
            Prefetch("offers", queryset=Offer.objects.select_related("tag")),
            Prefetch("needs", queryset=Need.objects.select_related("tag")),
        )
    )
    return {profile.user_id: profile for profile in profiles}


def thread_page(*, pair: Pair, user: User, page_number=None) -> ThreadPage:
    """Everything the thread page shows; a fixed number of queries however long the thread."""
    members = list(pair.members.select_related("user"))
    me = next(member for member in members if member.user_id == user.pk)
    partners = [member for member in members if member.user_id != user.pk]
    by_user = member_profiles(pair=pair, members=members)
    messages = PairMessage.objects.filter(pair=pair).select_related("author")
    return ThreadPage(
        pair=pair,
        me=me,
        partners=partners,
        partner_names=[member.user.display_name for member in partners],
        profiles=[(member, by_user.get(member.user_id)) for member in [me, *partners]],
        messages=Paginator(messages, limits.MESSAGES_PAGE_SIZE).get_page(page_number),
        intro_call=IntroCall.objects.filter(pair=pair).first(),
        writable=can_write(pair=pair),
        contacts_visible=pair.status == Pair.Status.ACTIVE,
    )
