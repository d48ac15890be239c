"""The base of every formset: its hidden row counts are checked, not trusted.

Django caps the number of rows at `absolute_max`, but takes a negative TOTAL_FORMS as "no rows",
which a page that replaces a list by what was posted would read as "delete them all". Here a
count below zero is refused like a missing management form, with a message people understand.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.utils.translation import gettext_lazy as _

TAMPERED = _(
    "The form arrived incomplete or altered, so nothing was saved. Reload the page and try again."
)


class BoundedFormSet(forms.BaseFormSet):
    default_error_messages = {"missing_management_form": TAMPERED}

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self.management_form.is_valid():
            return
        counts = self.management_form.cleaned_data
        if counts[TOTAL_FORM_COUNT] < 0 or counts[INITIAL_FORM_COUNT] < 0:
            self._non_form_errors.append(ValidationError(TAMPERED, code="missing_management_form"))


def bounded_formset_factory(form, *, formset=BoundedFormSet, max_num: int, **kwargs):
    """`formset_factory` with the rows limited to `max_num`: more are refused with a message,
    and a posted count beyond it is never used to build forms."""
    if not issubclass(formset, BoundedFormSet):
        raise TypeError("The formset must derive from BoundedFormSet.")
    return forms.formset_factory(
        form, formset=formset, max_num=max_num, absolute_max=max_num, validate_max=True, **kwargs
    )
