"""Every date field of the admin's change pages refuses year 1 and year 9999 with a form
error: the admin is reachable through the URL resolver too. Each registered model's change
page is opened for an object the isolation World holds, and sent back as the page filled it
with one date set to an extreme year; nothing is written."""

import pytest
from django import forms
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.models import Cohort
from tests.factories import UserFactory
from tests.test_date_inputs import filled, forms_of
from tests.test_isolation import CASES, build_world, project_state, route_url

DATE_FIELDS = forms.DateField | forms.DateTimeField | forms.SplitDateTimeField


@pytest.fixture
def superuser_client(organization, program, cohort, coordinator, member, client_for):
    """An administrator, after the World's pages made one of every kind of object."""
    cohort.status = Cohort.Status.ACTIVE
    cohort.save(update_fields=["status"])
    world = build_world(organization, program, cohort, coordinator, member)
    visitor = client_for(world.coordinator)
    for name in sorted({name for name, method in CASES if method == "get"}):
        visitor.get(route_url(name, world))
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_date_inputs(client):
    """(change URL, form, [input names of the date parts]) of every change page with dates."""
    found = []
    for model in admin.site._registry:
        row = model.objects.order_by("pk").first()
        if row is None:
            continue
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
        response = client.get(url)
        if response.status_code != 200 or "adminform" not in response.context:
            continue
        form = response.context["adminform"].form
        names = [
            f"{name}_0" if isinstance(field, forms.SplitDateTimeField) else name
            for name, field in form.fields.items()
            if isinstance(field, DATE_FIELDS) and not field.disabled
        ]
        if names:
            page_form = next(
                f
                for f in forms_of(response.content.decode())
                if f["method"] == "post" and any(i["name"] in names for i in f["inputs"])
            )
            found.append((url, page_form, names))
    return found


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_every_admin_date_refuses_an_extreme_year(superuser_client, day):
    found = admin_date_inputs(superuser_client)
    before = project_state()

    for url, form, names in found:
        for name in names:
            data = {**filled(form), name: day}
            if name.endswith("_0"):  # a split datetime: its time part may be empty
                data[f"{name[:-2]}_1"] = data.get(f"{name[:-2]}_1") or "12:00"
            response = superuser_client.post(url, data)
            assert response.status_code == 200, (url, name, response.status_code)
            assert "Enter a date between" in response.content.decode(), (url, name)

    assert {url.split("/")[3] for url, _form, _names in found} >= {"cohort", "meeting"}
    assert project_state() == before
