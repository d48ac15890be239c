"""Helpers every app's views share: paginating a list, showing a service's ValidationError on
its form, and refusing early what the cohort's state does not allow."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect

from . import lifecycle

PAGE_SIZE = 50


def paginate(request, queryset, *, param="page", per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get(param))


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form it came from."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def refuse_unless_cohort_allows(request, cohort, action: str, *, back=None):
    """None when the cohort's state allows `action`; otherwise a redirect (to `back`, or the
    cohort's page) with a message saying when it will be possible. The services check the same
    rule; this lets a page say so before anyone fills out a form."""
    if lifecycle.cohort_allows(cohort, action):
        return None
    messages.error(request, lifecycle.refusal_message(cohort, action))
    return redirect(back or cohort)
