"""The reminder routes are personal, not under an organization, as the isolation table says."""

from django.urls import get_resolver

from tests.checkins import reminder_routes


def patterns_named(names, resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    found = {}
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if hasattr(entry, "url_patterns"):
            found |= patterns_named(names, entry, pattern)
        elif entry.name in names:
            found[entry.name] = pattern
    return found


def test_the_reminder_routes_exist_and_are_not_under_an_organization():
    found = patterns_named(reminder_routes.PERSONAL_ROUTES)

    assert found == {
        "notification_preferences": "notifications/",
        "reminder_unsubscribe": "notifications/unsubscribe/<str:token>/",
    }
    assert not any("org_slug" in pattern for pattern in found.values())
    assert reminder_routes.ROUTES == {}
