"""Request-wide rules that single views cannot enforce themselves.

`ViewUploadHandlersMiddleware` lets a view choose how its uploads are received (see
`upload_handlers`); `CoordinatorMFAMiddleware` keeps coordinators without two-factor
authentication out of organizations that require it; `UserLanguageMiddleware` shows a signed-in
user the site in their saved language.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from . import mfa
from .access import membership_in
from .language import supported_language


def upload_handlers(factory: Callable) -> Callable:
    """Decorate a view so that its POST uploads are read by `factory(request)`'s handlers.

    The handlers must be in place before anything reads the request body, and the CSRF check
    reads it (for the form's token) before the view runs: so the view can't set them itself,
    and `ViewUploadHandlersMiddleware`, placed before `CsrfViewMiddleware`, does it instead.
    """

    def decorate(view):
        view.upload_handlers_factory = factory
        return view

    return decorate


class ViewUploadHandlersMiddleware:
    """Installs the upload handlers a view asked for with `@upload_handlers(...)`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        factory = getattr(view_func, "upload_handlers_factory", None)
        if factory is not None and request.method == "POST":
            request.upload_handlers = factory(request)
        return None


class CoordinatorMFAMiddleware:
    """An organization that requires two-factor authentication of its coordinators gets it.

    Every view under `/o/<org_slug>/` names the organization in its `org_slug` argument. When
    the user coordinates that organization, it requires MFA and the user has no TOTP
    authenticator, they are sent to set one up. Members are not affected, and nothing outside
    the organization's pages is: the two-factor pages and logging out stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        org_slug = view_kwargs.get("org_slug")
        if not org_slug or not request.user.is_authenticated:
            return None
        membership = membership_in(request, org_slug)
        if membership is None or not mfa.coordinator_lacks_required_mfa(membership):
            return None
        messages.warning(
            request,
            _(
                "This organization requires two-factor authentication for coordinators. "
                "Set up an authenticator app to continue."
            ),
        )
        return redirect("mfa_activate_totp")


class UserLanguageMiddleware:
    """A signed-in user's saved language (`User.language`, set with the language switcher)
    applies on every device: it comes after a choice made on this device (the language cookie)
    and before the browser's Accept-Language. English, the default, leaves the browser's
    choice in place, since most users never picked it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.is_authenticated
            and user.language != settings.LANGUAGE_CODE
        ):
            language = supported_language(user.language)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
