"""Which language a person gets: the site follows the browser or the language switcher; emails
and PDFs follow the recipient's `User.language`.

English stays the default: a missing or unknown language code falls back to
`settings.LANGUAGE_CODE`.
"""

from email.utils import parseaddr

from django.conf import settings
from django.db.models.functions import Lower
from django.utils import translation

from .models import User


def supported_language(code: str | None) -> str:
    """`code` when it is one of `settings.LANGUAGES` (or a regional variant of one, "da-dk"),
    else the default language."""
    if code:
        try:
            return translation.get_supported_language_variant(code.lower())
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


def current_language() -> str:
    """The language active now: the request's, inside a view; the default, in a task."""
    return supported_language(translation.get_language())


def user_language(user: User | None) -> str:
    """The language of `user`'s emails and PDFs."""
    return supported_language(getattr(user, "language", None))


def languages_for_addresses(addresses: list[str]) -> dict[str, str]:
    """{address: language} for the addresses that belong to a user, in one query.

    Addresses are matched case-insensitively; the keys are the addresses as given.
    """
    by_lower: dict[str, list[str]] = {}
    for address in addresses:
        by_lower.setdefault(parseaddr(address)[1].lower(), []).append(address)
    by_lower.pop("", None)
    if not by_lower:
        return {}
    rows = (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(by_lower))
        .values_list("email_lower", "language")
    )
    return {
        address: supported_language(language)
        for email_lower, language in rows
        for address in by_lower[email_lower]
    }


def user_language_set(*, user: User, language: str) -> User:
    """Save the language of `user`'s emails and PDFs (the language switcher calls this)."""
    language = supported_language(language)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
