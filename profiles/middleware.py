"""Pages show times in the viewer's own time zone: the one on their profile."""

import zoneinfo

from django.utils import timezone

from .models import Profile


class ViewerTimezoneMiddleware:
    """Activates the signed-in user's time zone for the request: the zone of their most
    recently edited profile that names one (a person in two organizations has two profiles).
    Visitors and people without one see UTC, the site's zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        if request.user.is_authenticated:
            name = (
                Profile.objects.filter(user=request.user)
                .exclude(timezone="")
                .order_by("-updated_at")
                .values_list("timezone", flat=True)
                .first()
            )
            try:
                zone = zoneinfo.ZoneInfo(name) if name else None
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
