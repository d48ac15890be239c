"""One helper sends every email: a subject, a text part and an HTML part per message."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(*, template: str, to: list[str], context: dict) -> None:
    """Render `emails/<template>/{subject.txt,body.txt,body.html}` and send one message."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}/subject.txt", context)
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{template}/body.txt", context)
    html = render_to_string(f"emails/{template}/body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    message.send()
