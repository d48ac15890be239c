"""One helper sends every email: a subject, a text part and an HTML part per message.

Each message lives in the templates of the app that sends it, in a folder named for the
message: `<app>/templates/<app>/emails/<message>/{subject.txt,body.txt,body.html}`, and is
sent as `send_templated_email(template="<app>/emails/<message>", ...)`. Partials the messages
share start with an underscore (`checkins/emails/_reminder_footer.txt`).

The subject and the text part are plain text, rendered with HTML autoescaping off (a name like
`Writers' Circle & Friends` reads as written, not `Writers&#x27; Circle &amp; Friends`); only
the HTML part is escaped. `render_plain_text` renders any such text template.

Each message is written in its recipient's language: `User.language` when the address belongs
to a user, else the language active when it is sent (the request's, or English in a task).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation

from .language import current_language, languages_for_addresses, supported_language


def send_templated_email(
    *, template: str, to: list[str], context: dict, language: str | None = None
) -> None:
    """Render `<template>/{subject.txt,body.txt,body.html}` and send it to `to`; `template` is
    the message's folder, e.g. `"contracts/emails/contract_signed"`.

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


def render_plain_text(template_name: str, context: dict) -> str:
    """Render a text template (an email's subject or text part) without HTML autoescaping.

    Autoescaping belongs to HTML; in plain text it would show `&amp;` for `&`. Plain text
    needs no escaping: mail clients show it as it is, and the subject's line breaks are
    collapsed by the sender.
    """
    template = get_template(template_name).template
    return template.render(Context(context, autoescape=False))


def _send(*, template: str, to: list[str], context: dict, language: str) -> None:
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_plain_text(f"{template}/subject.txt", context)
        subject = " ".join(subject.split())
        text = render_plain_text(f"{template}/body.txt", context)
        html = render_to_string(f"{template}/body.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=to, headers={"Content-Language": language}
    )
    message.attach_alternative(html, "text/html")
    message.send()
