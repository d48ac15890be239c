"""One helper sends every email: a subject, a text part and an HTML part per message.

Each message is written in its recipient's language: `User.language` when the address belongs
to a user, else the language active when it is sent (the request's, or English in a task).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .language import current_language, languages_for_addresses, supported_language


def send_templated_email(
    *, template: str, to: list[str], context: dict, language: str | None = None
) -> None:
    """Render `emails/<template>/{subject.txt,body.txt,body.html}` and send it to `to`.

    With `language`, one message in that language. Without, the recipients are grouped by
    their language (one query) and each group gets one message in its own language, so
    several recipients who share a language still share one message.
    """
    if language is not None:
        groups = {supported_language(language): list(to)}
    else:
        known, fallback = languages_for_addresses(list(to)), current_language()
        groups: dict[str, list[str]] = {}
        for address in to:
            groups.setdefault(known.get(address, fallback), []).append(address)
    for group_language, addresses in groups.items():
        _send(template=template, to=addresses, context=context, language=group_language)


def _send(*, template: str, to: list[str], context: dict, language: str) -> None:
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{template}/subject.txt", context)
        subject = " ".join(subject.split())
        text = render_to_string(f"emails/{template}/body.txt", context)
        html = render_to_string(f"emails/{template}/body.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=to, headers={"Content-Language": language}
    )
    message.attach_alternative(html, "text/html")
    message.send()
