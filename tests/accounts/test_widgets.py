"""accounts.widgets.Select and includes/field.html write what Django's Select and
crispy-forms' Bootstrap 5 field template write, more cheaply."""

import re

from django import forms
from django.template import Context, Template

from accounts.widgets import Select

CHOICES = [
    ("", "Choose"),
    ("a&b", "A & <b>"),
    ("Group", [("x", "X"), ("y", "Y")]),
    ("z", "Z"),
]


def squeeze(html: str) -> str:
    html = re.sub(r">\s+<", "><", str(html))
    return re.sub(r">\s+|\s+<", lambda m: m.group().strip(), re.sub(r"\s+", " ", html))


def test_the_select_writes_the_same_options_as_django_s():
    for value in ["", "a&b", "y", None]:
        ours = Select(choices=CHOICES, attrs={"class": "c", "required": True})
        django_s = forms.Select(choices=CHOICES, attrs={"class": "c", "required": True})

        assert squeeze(ours.render("f", value)) == squeeze(django_s.render("f", value))


def test_the_select_escapes_values_and_labels():
    html = Select(choices=CHOICES).render("f", "a&b")

    assert '<option value="a&amp;b" selected>A &amp; &lt;b&gt;</option>' in html
    assert '<optgroup label="Group">' in html


class SampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As on your badge.", max_length=20)
    size = forms.ChoiceField(label="Size", choices=[("s", "S"), ("m", "M")], widget=Select)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)


def rendered(form, template: str) -> str:
    fields = "".join(template.replace("FIELD", name) for name in form.fields)
    return squeeze(
        Template("{% load crispy_forms_tags %}" + fields).render(Context({"form": form}))
    )


def test_the_field_include_writes_what_crispy_forms_writes():
    for data in [None, {"name": "", "size": "x", "note": "n"}]:
        compact = rendered(
            SampleForm(data), '{% include "includes/field.html" with field=form.FIELD %}'
        )
        crispy = rendered(SampleForm(data), "{{ form.FIELD|as_crispy_field }}")

        assert compact == crispy


def test_a_field_with_errors_is_marked_and_described():
    html = rendered(
        SampleForm({"name": "", "size": "s"}),
        '{% include "includes/field.html" with field=form.FIELD %}',
    )

    assert 'class="textinput form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert '<div id="id_name_error" class="invalid-feedback">' in html
    assert '<label for="id_name" class="form-label requiredField">' in html


def test_the_select_reads_lazy_labels_in_the_current_language_each_time():
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    choices = [("weekly", gettext_lazy("Weekly")), ("monthly", gettext_lazy("Monthly"))]
    with translation.override("da"):
        danish = Select(choices=choices).render("f", "weekly")
    with translation.override("en"):
        english = Select(choices=choices).render("f", "monthly")

    assert '<option value="weekly" selected>Ugentligt</option>' in danish
    assert '<option value="monthly" selected>Monthly</option>' in english
    assert "selected" not in english.split("monthly")[0]


def test_the_select_marks_only_the_first_option_of_a_repeated_value():
    html = Select(choices=[("a", "First"), ("a", "Second")]).render("f", "a")

    assert html.count("selected") == 1 and '<option value="a" selected>First</option>' in html
