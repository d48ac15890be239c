"""Form widgets that render the same HTML as Django's, with less template work."""

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


def _option_attrs(attrs: dict) -> str:
    """The attributes as django/forms/widgets/attrs.html writes them (True bare, False left out)."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """A <select> whose options are written in Python rather than one template each.

    Django renders every <option> through its own template include, which makes a long list
    (the time zones: about 600) cost milliseconds per page. The markup is the same, so form
    libraries see a Select (crispy-forms also names its CSS class after the class: `select`).
    """

    template_name = "accounts/widgets/select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        parts = []
        for group_name, options, _index in context["widget"]["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>',
                        str(option["value"]),
                        mark_safe(_option_attrs(option["attrs"])),  # noqa: S308 - escaped above
                        conditional_escape(option["label"]),
                    )
                )
            if group_name:
                parts.append(mark_safe("\n  </optgroup>"))
        context["widget"]["options_html"] = mark_safe("".join(parts))  # noqa: S308 - escaped parts
        return context
