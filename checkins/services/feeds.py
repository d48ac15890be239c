"""Calendar feeds: each user's feed of their meetings is reached through a secret token,
created the first time the user asks for their feed (`calendar_feed_ensure`) and replaced on
request (`calendar_feed_reset`), after which the old URL stops working at once.
"""

from django.db import transaction

from accounts.models import User
from accounts.services import audit

from ..models import CalendarFeed

# Calendar feeds ----------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_ensure(*, user: User) -> CalendarFeed:
    """The user's feed, created with a fresh secret token the first time."""
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if created:
        audit(organization=None, actor=user, action="calendar_feed.created")
    return feed


@transaction.atomic
def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """Give the feed a new token: the old URL stops working at once."""
    feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    feed.token = CalendarFeed._meta.get_field("token").get_default()
    feed.full_clean()
    feed.save(update_fields=["token"])
    audit(organization=None, actor=user, action="calendar_feed.reset")
    return feed
