"""Form widgets that render the same HTML as Django's, with less template work.

Each widget template is written for both engines (`templates/` and `jinja2/`), as Django's own
are: the site renders widgets with Jinja2 (peermentor/renderers.py).
"""

import functools

from django import forms
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class Select(forms.Select):
    """A <select> whose options are written in Python rather than one template each.

    Django renders every <option> through its own template include, which makes a long list
    (the time zones: about 600) cost milliseconds per page. The markup is the same, so form
    libraries see a Select (crispy-forms also names its CSS class after the class: `select`).
    """

    template_name = "accounts/widgets/select.html"

    def get_context(self, name, value, attrs):
        # Widget's context, without ChoiceWidget's option dictionaries: the options come from
        # `_options`, built once per list of choices and language.
        context = forms.Widget.get_context(self, name, value, attrs)
        if self.allow_multiple_selected:
            context["widget"]["attrs"]["multiple"] = True
        selected = set(context["widget"]["value"])
        parts = []
        for option_value, html in _options(_choices_key(self.choices)):
            if option_value is not None and option_value in selected:
                # As Django's Select: only the first option of a value is selected.
                if not self.allow_multiple_selected:
                    selected.discard(option_value)
                html = html.replace(">", " selected>", 1)
            parts.append(html)
        context["widget"]["options_html"] = mark_safe("".join(parts))  # noqa: S308 - format_html parts  # nosec B308 B703
        return context


def _choices_key(choices) -> tuple:
    """The choices as plain strings, with the language their lazy labels are read in."""
    items = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            items.append((str(value), tuple((str(v), str(text)) for v, text in label)))
        else:
            items.append((str(value) if value is not None else "", str(label)))
    return (translation.get_language(), tuple(items))


@functools.lru_cache(maxsize=512)
def _options(key: tuple) -> tuple[tuple[str | None, str], ...]:
    """Each option's markup without `selected`, with its value (None for group tags)."""
    parts: list[tuple[str | None, str]] = []
    for value, label in key[1]:
        if isinstance(label, tuple):
            parts.append((None, format_html('\n  <optgroup label="{}">', value)))
            parts += [(v, _option(v, text)) for v, text in label]
            parts.append((None, "\n  </optgroup>"))
        else:
            parts.append((value, _option(value, label)))
    return tuple(parts)


def _option(value: str, label: str) -> str:
    return str(format_html('\n  <option value="{}">{}</option>', value, label))
