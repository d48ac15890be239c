"""Names, descriptions and every other typed text: bounded, and free of hidden characters where
they are one line. The last tests walk every form of the project so the rule stays true."""

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver, reverse

from accounts import limits
from accounts.forms import AcceptWithNewAccountForm, SignupDetailsForm
from accounts.models import Cohort, Organization, Program
from accounts.validators import TextRulesMixin, validate_multi_line, validate_one_line
from tests.factories import UserFactory

PROJECT_APPS = ("accounts", "profiles", "matching", "contracts", "checkins")
HIDDEN = {
    "zero-width space": ("Acme\u200bMentors", "U+200B"),
    "zero-width joiner": ("Acme\u200dMentors", "U+200D"),
    "word joiner": ("Acme\u2060Mentors", "U+2060"),
    "byte order mark": ("\ufeffAcme Mentors", "U+FEFF"),
    "right-to-left override": ("Acme \u202esrotneM", "U+202E"),
    "left-to-right embedding": ("Acme \u202aMentors", "U+202A"),
    "first strong isolate": ("Acme \u2068Mentors\u2069", "U+2068"),
    "NUL": ("Acme\x00Mentors", "U+0000"),
    "escape": ("Acme\x1b[2JMentors", "U+001B"),
    "tab": ("Acme\tMentors", "U+0009"),
    "line break": ("Acme\nMentors", "U+000A"),
}


@pytest.mark.parametrize(("text", "code"), HIDDEN.values(), ids=HIDDEN.keys())
def test_one_line_text_refuses_hidden_and_control_characters_naming_them(text, code):
    with pytest.raises(forms.ValidationError) as caught:
        validate_one_line(text)

    assert code in caught.value.messages[0]
    assert caught.value.messages[0].startswith("Remove the")


@pytest.mark.parametrize(
    "text", ["Zoë Ødegård", "José María", "山田 太郎", "محمد علي", "Anne-Marie O'Neil"]
)
def test_one_line_text_accepts_ordinary_names_in_any_script(text):
    validate_one_line(text)


def test_multi_line_text_keeps_line_breaks_tabs_and_joiners_but_refuses_overrides():
    validate_multi_line("First\r\n\tSecond 👩\u200d💻 and می\u200cخواهم")

    for text in ["Bad\x00", "Bad\x07", "Bad \u202e", "Bad \u2066x\u2069"]:
        with pytest.raises(forms.ValidationError, match="Remove the"):
            validate_multi_line(text)


def test_a_form_text_field_without_a_bound_is_refused_at_once():
    class Unbounded(TextRulesMixin, forms.Form):
        note = forms.CharField()

    with pytest.raises(ImproperlyConfigured, match="Unbounded.note needs a max_length"):
        Unbounded()


def test_sign_up_names_are_bounded_and_one_line():
    form = SignupDetailsForm({"first_name": "Ana\u202e", "last_name": "x" * 151})

    assert not form.is_valid()
    assert "U+202E" in form.errors["first_name"][0]
    assert form.errors["last_name"] == [
        f"Ensure this value has at most {limits.PERSON_NAME_MAX} characters (it has 151)."
    ]


def test_an_invited_person_s_new_name_is_one_line():
    form = AcceptWithNewAccountForm(
        {"first_name": "A\u200bna", "last_name": "Silva", "password1": "", "password2": ""},
        email="ana@example.org",
    )

    assert not form.is_valid()
    assert "U+200B" in form.errors["first_name"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "code"), HIDDEN.values(), ids=HIDDEN.keys())
def test_an_organization_name_with_hidden_characters_is_refused(client_for, text, code):
    response = client_for(UserFactory()).post(
        reverse("organization_create"), {"name": text, "slug": "acme"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_a_program_description_over_its_bound_is_refused_with_the_count(
    client_for, organization, coordinator
):
    response = client_for(coordinator).post(
        reverse("program_create", kwargs={"org_slug": organization.slug}),
        {"name": "Founders", "description": "x" * 100_000},
    )

    assert response.context["form"].errors["description"] == [
        f"Ensure this value has at most {limits.PROGRAM_DESCRIPTION_MAX} characters "
        "(it has 100000)."
    ]
    assert not Program.objects.filter(name="Founders").exists()


@pytest.mark.django_db
def test_a_program_name_with_a_direction_override_is_refused(client_for, organization, coordinator):
    response = client_for(coordinator).post(
        reverse("program_create", kwargs={"org_slug": organization.slug}),
        {"name": "Founders \u202ecircle", "description": ""},
    )

    assert "U+202E" in response.context["form"].errors["name"][0]
    assert not Program.objects.filter(name__startswith="Founders").exists()


@pytest.mark.django_db
def test_a_cohort_name_with_a_zero_width_space_is_refused(
    client_for, organization, coordinator, program
):
    count = Cohort.objects.count()
    response = client_for(coordinator).post(
        reverse("cohort_create", kwargs={"org_slug": organization.slug, "program_id": program.pk}),
        {
            "name": "Spring\u200b 2027",
            "slug": "",
            "starts_on": "2027-03-01",
            "ends_on": "2027-12-15",
        },
    )

    assert "U+200B" in response.context["form"].errors["name"][0]
    assert Cohort.objects.count() == count


def project_forms():
    get_resolver().url_patterns  # noqa: B018 -- imports every view, and so every form
    found, pending = set(), [forms.BaseForm]
    while pending:
        for cls in pending.pop().__subclasses__():
            pending.append(cls)
            if cls.__module__.split(".")[0] in PROJECT_APPS:
                found.add(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def typed_text_fields(form_class):
    return [
        name
        for name, field in form_class.base_fields.items()
        if type(field) is forms.CharField and not isinstance(field.widget, forms.PasswordInput)
    ]


def test_the_walk_finds_the_project_s_forms():
    names = {cls.__name__ for cls in project_forms()}

    assert {"TermsForm", "CheckInForm", "ProfileForm", "PairResponseForm", "TagForm"} <= names


@pytest.mark.parametrize("form_class", project_forms(), ids=lambda cls: cls.__name__)
def test_every_form_with_typed_text_bounds_and_checks_it(form_class):
    fields = typed_text_fields(form_class)
    if not fields:
        return
    unbounded = [name for name in fields if form_class.base_fields[name].max_length is None]
    assert unbounded == []
    if not issubclass(form_class, TextRulesMixin):
        checks = [validate_one_line, validate_multi_line]
        unchecked = [
            name
            for name in fields
            if not any(check in form_class.base_fields[name].validators for check in checks)
        ]
        assert unchecked == [], f"{form_class.__name__} needs TextRulesMixin or the validators"
