"""iCalendar (RFC 5545) files: one meeting, or a user's whole calendar feed.

Times are written in UTC (`DTSTART:20270321T080000Z`), which every calendar app converts to
its own zone. Each meeting keeps one UID for life, and its SEQUENCE is the meeting's
`revision`, bumped on every move or cancellation, so an app that imported the meeting updates
it rather than adding a copy; a cancelled meeting is sent as STATUS:CANCELLED.

Nothing private goes into these files: the feed is reachable by anyone holding its URL, and a
meeting's file by the cohort's coordinators.
"""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Meeting

PRODID = "-//PeerMentor//Meetings//EN"


def uid(meeting: Meeting) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "peermentor"
    return f"meeting-{meeting.pk}@{host}"


def _pair_url(meeting: Meeting) -> str:
    return settings.SITE_URL + reverse(
        "pair_detail",
        kwargs={"org_slug": meeting.organization.slug, "pair_id": meeting.pair_id},
    )


def _names(meeting: Meeting, viewer=None) -> str:
    users = [member.user for member in meeting.pair.members.all()]
    others = [user for user in users if viewer is None or user.pk != viewer.pk] or users
    return " & ".join(user.display_name for user in others)


def event(meeting: Meeting, *, viewer=None, now: datetime.datetime | None = None):
    """The meeting as a VEVENT. `viewer` (the feed's owner) is left out of the title."""
    item = icalendar.Event()
    item.add("uid", uid(meeting))
    item.add("dtstamp", (now or timezone.now()).astimezone(datetime.UTC))
    item.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    item.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    item.add("sequence", meeting.revision)
    item.add("last-modified", meeting.updated_at.astimezone(datetime.UTC))
    if viewer is None:
        summary = _("Peer mentoring: %(names)s") % {"names": _names(meeting)}
    else:
        summary = _("Peer mentoring with %(names)s") % {"names": _names(meeting, viewer)}
    cancelled = meeting.status == Meeting.Status.CANCELLED
    item.add("summary", (_("Cancelled: ") if cancelled else "") + summary)
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    lines = [_("Your meeting in %(org)s.") % {"org": meeting.organization.name}]
    if meeting.contract is not None:
        item.add("location", meeting.contract.get_medium_display())
    if meeting.note:
        lines.append(meeting.note)
    url = _pair_url(meeting)
    lines.append(_("Agenda and check-ins: %(url)s") % {"url": url})
    item.add("description", "\n\n".join(lines))
    item.add("url", url)
    item.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return item


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def meeting_file(meeting: Meeting) -> bytes:
    calendar = _calendar(_("PeerMentor meeting"))
    calendar.add_component(event(meeting))
    return calendar.to_ical()


def feed_file(meetings, *, user) -> bytes:
    """A user's calendar feed. Calendar apps poll it; ask them to do so hourly."""
    calendar = _calendar(_("PeerMentor meetings"))
    calendar.add("x-published-ttl", "PT1H")
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    now = timezone.now()
    for meeting in meetings:
        calendar.add_component(event(meeting, viewer=user, now=now))
    return calendar.to_ical()
