"""Checks on the text people type, shared by every app's models and forms.

Two kinds of text:
- one-line text (names, tags, titles, short notes) refuses every control character and every
  invisible or direction-changing one: a name that looks like another, or that reverses the
  text after it, is a spoofing tool;
- multi-line text (contract sections, check-ins, messages) keeps tab and line breaks and the
  zero-width joiners some scripts and emoji need, but refuses the other control characters
  (NUL among them) and the bidirectional overrides.

`text_length_check` builds the database's bound for a TextField (a CharField has its own
`max_length` column); the form's `max_length` catches an over-long text first with the count.
"""

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import migrations, models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.deconstruct import deconstructible
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
BIDI_CONTROLS = {chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
# Marks that set direction without being visible; one-line text has no use for them.
DIRECTION_MARKS = {"\u200e", "\u200f", "\u061c"}
C0_CONTROLS = {chr(code) for code in [*range(0x00, 0x20), 0x7F]}
MULTI_LINE_ALLOWED = {"\t", "\n", "\r"}


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


@deconstructible
class ForbiddenCharactersValidator:
    """Refuses the characters in `forbidden`, naming the first one found by its code point."""

    def __init__(self, *, multi_line: bool = False):
        self.multi_line = multi_line

    @property
    def forbidden(self) -> frozenset[str]:
        if self.multi_line:
            return frozenset((C0_CONTROLS - MULTI_LINE_ALLOWED) | BIDI_CONTROLS)
        return frozenset(C0_CONTROLS | BIDI_CONTROLS | ZERO_WIDTH | DIRECTION_MARKS)

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        forbidden = self.forbidden
        found = next((char for char in value if char in forbidden), None)
        if found is None:
            return
        if found in C0_CONTROLS:
            message = _(
                "Remove the control character %(code)s: it cannot be shown, and this text "
                "can't contain it."
            )
        else:
            message = _(
                "Remove the invisible or direction-changing character %(code)s: it can make "
                "this text look like something else."
            )
        raise ValidationError(
            message, code="forbidden_character", params={"code": _describe(found)}
        )

    def __eq__(self, other):
        return isinstance(other, ForbiddenCharactersValidator) and (
            self.multi_line == other.multi_line
        )

    def __hash__(self):
        return hash((type(self), self.multi_line))


validate_one_line = ForbiddenCharactersValidator()
validate_multi_line = ForbiddenCharactersValidator(multi_line=True)


def text_length_check(*, model: str, field: str, limit: int, label) -> models.CheckConstraint:
    """The database's bound on a TextField: at most `limit` characters, on SQLite and
    PostgreSQL alike. `model` names the table in the constraint's (internal) name."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=f"{model}_{field}_max_length",
        violation_error_message=format_lazy(
            _("{label} can be at most {limit} characters long."), label=label, limit=limit
        ),
    )


class TextRulesMixin:
    """For forms: every text field gets the character check that fits its widget (a textarea
    keeps line breaks, any other input is one line), and must declare a `max_length`, so that
    a new field can't slip in unbounded. Passwords are left as typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if type(field) is not forms.CharField or isinstance(field.widget, forms.PasswordInput):
                continue
            if field.max_length is None:
                raise ImproperlyConfigured(f"{type(self).__name__}.{name} needs a max_length.")
            multi_line = isinstance(field.widget, forms.Textarea)
            validator = validate_multi_line if multi_line else validate_one_line
            if validator not in field.validators:
                field.validators.append(validator)


def prepare_length_checks(*specs: tuple[str, str, str, int, bool]) -> migrations.RunPython:
    """A migration step run before `text_length_check` constraints are added to existing
    tables. Each spec is (app_label, model, field, limit, clip): texts the application writes
    itself (errors, explanations) are cut to fit; a text people typed is never cut (it may be
    part of a signed contract), so the migration stops and names what to shorten first."""

    def forwards(apps, schema_editor):
        too_long = []
        for app_label, model_name, field, limit, clip in specs:
            model = apps.get_model(app_label, model_name)
            rows = model._default_manager.annotate(_length=Length(field)).filter(_length__gt=limit)
            if clip:
                for pk, text in rows.values_list("pk", field):
                    model._default_manager.filter(pk=pk).update(**{field: text[:limit]})
            elif count := rows.count():
                rows_word = "row" if count == 1 else "rows"
                too_long.append(
                    f"{model_name}.{field}: {count} {rows_word} over {limit} characters"
                )
        if too_long:
            raise RuntimeError(
                "Shorten these texts before migrating (nothing was changed): " + "; ".join(too_long)
            )

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
