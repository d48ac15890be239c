"""`{% include "includes/field.html" with field=form.name %}`: one form field as crispy-forms'
Bootstrap 5 field template writes it, for pages that render many fields (formset rows, the
check-in form), where crispy's nested field templates cost most of the page's time.
"""

from django import forms, template

register = template.Library()


@register.filter
def bootstrap_widget(field: forms.BoundField) -> str:
    """The field's widget with the classes crispy-forms gives it: the widget class's name in
    lower case, then `form-select` (a select) or `form-control`, and `is-invalid` on errors."""
    widget = field.field.widget
    classes = widget.attrs.get("class", "").split()
    for name in (
        widget.__class__.__name__.lower(),
        "form-select" if isinstance(widget, forms.Select) else "form-control",
        *(["is-invalid"] if field.errors else []),
    ):
        if name not in classes:
            classes.append(name)
    return field.as_widget(attrs={"class": " ".join(classes)})
