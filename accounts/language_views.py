"""The language switcher's target: Django's `set_language`, plus saving a signed-in user's
choice as the language of their emails and PDFs."""

from django.conf import settings
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import LANGUAGE_QUERY_PARAMETER, set_language

from .language import user_language_set

# Django's language cookie lasts for the browser session by default; a choice made on the
# switcher is remembered for a year instead.
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


@require_POST
def language_set(request):
    """Sets the language cookie and goes back to `next` (Django's view does both); a signed-in
    user's `User.language` follows. An unknown language changes nothing."""
    response = set_language(request)
    try:
        language = translation.get_supported_language_variant(
            request.POST.get(LANGUAGE_QUERY_PARAMETER, "").lower(), strict=True
        )
    except LookupError:
        # Django's view accepts any language it has a translation for ("fr"); we don't.
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or LANGUAGE_COOKIE_MAX_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    return response
