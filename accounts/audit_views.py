"""The audit log of an organization, for its coordinators."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import access, audit
from .audit_forms import AuditFilterForm
from .views import paginate


@login_required
@require_GET
def audit_log(request, org_slug):
    membership = access.get_coordinator_membership(request, org_slug)
    form = AuditFilterForm(request.GET or None)
    events = audit.organization_audit_events(
        organization=membership.organization, filters=form.filters()
    )
    page = paginate(request, events, per_page=audit.PAGE_SIZE)
    audit.describe_events(page)
    context = {
        "organization": membership.organization,
        "form": form,
        "page": page,
        "action_prefixes": audit.ACTION_PREFIXES,
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
    }
    return render(request, "accounts/audit_log.html", context)
