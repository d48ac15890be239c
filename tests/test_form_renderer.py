"""Form widgets render through Jinja2 (peermentor/renderers.py) with the same markup as
Django's own form templates, and the admin's widgets, which exist only as Django templates,
still render."""

import difflib
import re

import pytest
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test import override_settings
from django.urls import reverse

from accounts.models import Cohort
from peermentor.renderers import WidgetRenderer
from tests.checkins.factories import past_meeting, signed_pair

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def page_with(client, url, renderer, data=None):
    with override_settings(FORM_RENDERER=renderer):
        assert get_default_renderer().__class__.__name__ == renderer.rsplit(".", 1)[1]
        response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200
    # Compared line by line without indentation or blank lines: Django's <select> template puts
    # a blank line between options, Jinja2's doesn't.
    lines = (line.strip() for line in CSRF.sub("", response.content.decode()).splitlines())
    return "\n".join(line for line in lines if line)


def pages(cohort, member, partner):
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.ACTIVE)
    pair = signed_pair(cohort, member, partner, goals=False)
    meeting = past_meeting(pair.pair, contract=pair.contract)
    org = cohort.organization.slug
    return [
        (reverse("profile_edit", kwargs={"org_slug": org}), None),
        # With errors: the error lists and invalid fields go through the renderer too.
        (reverse("profile_edit", kwargs={"org_slug": org}), {"goal": "x" * 5000}),
        (reverse("checkin_create", kwargs={"org_slug": org, "meeting_id": meeting.pk}), None),
        (reverse("checkin_create", kwargs={"org_slug": org, "meeting_id": meeting.pk}), {}),
        (reverse("meeting_add", kwargs={"org_slug": org, "pair_id": pair.pair.pk}), None),
        (reverse("meeting_add", kwargs={"org_slug": org, "pair_id": pair.pair.pk}), {}),
    ]


def test_pages_of_forms_read_the_same_with_either_renderer(client_for, cohort, member, partner):
    client = client_for(member)
    for url, data in pages(cohort, member, partner):
        jinja = page_with(client, url, "peermentor.renderers.WidgetRenderer", data)
        django = page_with(client, url, "django.forms.renderers.DjangoTemplates", data)
        assert "<input" in jinja or "<select" in jinja, url
        difference = difflib.unified_diff(django.splitlines(), jinja.splitlines(), lineterm="")
        assert jinja == django, f"{url}\n" + "\n".join(difference)


def test_widgets_come_from_jinja2_and_the_admins_from_django():
    renderer = WidgetRenderer()
    assert "jinja2" in type(renderer.get_template("django/forms/widgets/input.html")).__module__
    assert "jinja2" in type(renderer.get_template("accounts/widgets/select.html")).__module__
    admin = renderer.get_template("admin/widgets/foreign_key_raw_id.html")
    assert type(admin) is type(DjangoTemplates().get_template("django/forms/widgets/input.html"))
