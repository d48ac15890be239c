"""Every date input the URL resolver can reach refuses year 1 and year 9999 cleanly.

The pages are those of the isolation walker (`tests/test_isolation.py`, whose completeness
test makes sure every route under an organization is in its table). Each page is opened by
the organization's coordinator, who is also a partner of the World's pairs, so every form is
on offer (the cohort is active, so that contracts and meetings may change). Each form holding
a date input is sent back as the page filled it, with one date input at a time set to
0001-01-01, then to 9999-12-31: the answer is never a server error, the page names the
window, and nothing is written.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Cohort
from checkins.models import Meeting, NextStep
from contracts.models import Contract, Indicator
from tests.checkins.factories import checkin
from tests.checkins.routes import past_meeting_in
from tests.test_isolation import CASES, build_world, project_state, route_url

DATE_TYPES = {"date", "datetime-local", "month", "week"}
EXTREMES = {
    "date": ("0001-01-01", "9999-12-31"),
    "datetime-local": ("0001-01-01T00:00", "9999-12-31T23:59"),
    "month": ("0001-01", "9999-12"),
    "week": ("0001-W01", "9999-W52"),
}
# A value for the other inputs the page leaves empty, so the date is what fails.
FILLERS = {"time": "09:00", "number": "60", "email": "x@example.org"}


class _Forms(HTMLParser):
    """The page's forms: method, action and their inputs in order."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "inputs": [],
            }
            self.forms.append(self._form)
        elif self._form is None or "name" not in attrs and tag != "option":
            return
        elif tag == "input":
            self._form["inputs"].append(
                {
                    "name": attrs["name"],
                    "type": (attrs.get("type") or "text").lower(),
                    "value": attrs.get("value") or "",
                    "checked": "checked" in attrs,
                }
            )
        elif tag == "select":
            self._select = {"name": attrs["name"], "type": "select", "options": [], "value": None}
            self._form["inputs"].append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select["options"].append(value)
            if "selected" in attrs:
                self._select["value"] = value
        elif tag == "textarea":
            self._textarea = {"name": attrs["name"], "type": "textarea", "value": ""}
            self._form["inputs"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def filled(form: dict) -> dict:
    """The form's data as a browser would send it, empty dates and times filled in."""
    data, radios = {}, set()
    for field in form["inputs"]:
        name, kind = field["name"], field["type"]
        if kind in ("submit", "button", "reset", "file") or "__prefix__" in name:
            continue
        if kind == "checkbox":
            if field["checked"]:
                data.setdefault(name, []).append(field["value"] or "on")
        elif kind == "radio":
            # The checked one, else the first of the group.
            if field["checked"]:
                radios.add(name)
                data[name] = field["value"]
            elif name not in radios and name not in data:
                data[name] = field["value"]
        elif kind == "select":
            choices = [option for option in field["options"] if option]
            data[name] = field["value"] or (choices[0] if choices else "")
        else:
            data[name] = field["value"] or FILLERS.get(kind, "")
            if kind in DATE_TYPES and not field["value"]:
                data[name] = EXTREMES[kind][0].replace("0001", "2027")
    return data


def date_inputs(form: dict) -> list[tuple[str, str]]:
    return [
        (f["name"], f["type"])
        for f in form["inputs"]
        if f["type"] in DATE_TYPES and "__prefix__" not in f["name"]  # a formset's template row
    ]


def pages_with_dates(client, world) -> list[tuple[str, str, dict]]:
    """(route name, page URL, form) for every form with a date input on a reachable page."""
    found = []
    for name in sorted({name for name, method in CASES if method == "get"}):
        url = route_url(name, world)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(response.content.decode()):
            if date_inputs(form):
                found.append((name, url, form))
    return found


@pytest.fixture
def world(organization, program, cohort, coordinator, member):
    """The isolation walker's World, in an active cohort: every form is open there."""
    cohort.status = Cohort.Status.ACTIVE
    cohort.save(update_fields=["status"])
    return build_world(organization, program, cohort, coordinator, member)


@pytest.fixture
def date_forms(client_for, world):
    client = client_for(world.coordinator)
    return client, pages_with_dates(client, world)


def test_the_walker_finds_the_date_inputs_of_every_kind_of_form(date_forms):
    _client, found = date_forms
    names = {(route, field) for route, _url, form in found for field, _kind in date_inputs(form)}

    assert {
        ("audit_log", "date_from"),
        ("audit_log", "date_to"),
        ("cohort_create", "starts_on"),
        ("cohort_edit", "ends_on"),
        ("contract_terms_edit", "starts_on"),
        ("contract_terms_edit", "ends_on"),
        ("contract_goal_edit", "indicators-0-due_on"),
        ("meeting_add", "date"),
        ("meeting_reschedule", "date"),
        ("checkin_create", "steps-0-due_on"),
    } <= names


@pytest.mark.parametrize("extreme", [0, 1], ids=["year-1", "year-9999"])
def test_every_date_input_refuses_an_extreme_year_without_a_server_error(date_forms, extreme):
    client, found = date_forms
    before = project_state()
    answers = []

    for route, url, form in found:
        target = form["action"] or url
        for field, kind in date_inputs(form):
            data = {**filled(form), field: EXTREMES[kind][extreme]}
            response = getattr(client, form["method"])(target, data)
            answers.append((route, field, response.status_code))
            assert response.status_code < 500, (route, field, response.status_code)
            if response.status_code == 200:
                assert "Enter a date between" in response.content.decode(), (route, field)

    assert len(answers) >= 10
    assert project_state() == before


def test_the_fillers_alone_are_accepted_so_the_extreme_date_is_what_fails(client_for, world):
    """Control: the meeting form, filled the same way with a date inside the contract, saves."""
    client = client_for(world.coordinator)
    url = route_url("meeting_add", world)
    form = next(f for f in forms_of(client.get(url).content.decode()) if date_inputs(f))
    day = timezone.localdate() + datetime.timedelta(days=10)

    response = client.post(form["action"] or url, {**filled(form), "date": day.isoformat()})

    assert response.status_code == 302
    assert Meeting.objects.filter(starts_at__date=day, origin=Meeting.Origin.MANUAL).exists()


def test_every_page_renders_when_existing_rows_hold_the_extreme_dates(world):
    """Rows written before the window existed (a cohort, a contract, indicators and next steps
    from year 1 to year 9999) still open every page that opened before."""
    client = Client(raise_request_exception=False)  # a server error is a status here
    client.force_login(world.coordinator)
    names = sorted({name for name, method in CASES if method == "get"})
    for name in names:  # the route tables make their pairs, contracts and meetings
        client.get(route_url(name, world))
    checkin(past_meeting_in(world), world.coordinator)  # for the dashboards' charts
    before = {name: client.get(route_url(name, world)).status_code for name in names}
    first, last = datetime.date(1, 1, 1), datetime.date(9999, 12, 31)
    Cohort.objects.filter(pk=world.cohort.pk).update(starts_on=first, ends_on=last)
    Contract.objects.update(starts_on=first, ends_on=last)
    Indicator.objects.update(due_on=last)
    NextStep.objects.update(due_on=last)

    answers = {name: client.get(route_url(name, world)).status_code for name in names}

    broken = {name: code for name, code in answers.items() if code >= 500 > before[name]}
    assert broken == {}
    assert sum(code == 200 for code in answers.values()) >= 20
    assert answers["pair_detail"] == 200
