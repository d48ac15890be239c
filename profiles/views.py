from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_cohort_for_coordinator, get_coordinator_membership, get_membership
from accounts.view_helpers import apply_errors, paginate

from . import access, selectors, services
from .forms import (
    CohortProfileFilterForm,
    DepartmentForm,
    ProfileEditForms,
    TagFilterForm,
    TagForm,
    TagMergeForm,
)
from .models import Profile

# Profiles ----------------------------------------------------------------------------------


@login_required
def profile_edit(request, org_slug):
    membership = get_membership(request, org_slug)
    if request.method == "POST":
        profile = services.profile_get_or_create(
            organization=membership.organization, user=request.user
        )
    else:  # a GET never writes: a profile never started is shown empty and made on saving
        profile = selectors.profile_for_user(
            organization=membership.organization, user=request.user
        ) or Profile(organization=membership.organization, user=request.user)
    forms = ProfileEditForms(request.POST or None, profile=profile)
    if request.method == "POST" and forms.is_valid():
        try:
            services.profile_update(profile=profile, actor=request.user, **forms.service_kwargs())
        except ValidationError as error:
            forms.add_error(error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profile_detail", org_slug=org_slug, user_id=request.user.pk)
    context = {
        "organization": membership.organization,
        "forms": forms,
        "tag_names": selectors.active_tag_names(organization=membership.organization),
        "completeness": selectors.profile_completeness(profile),
        "cohort_mates": selectors.cohort_mates(
            organization=membership.organization, user=request.user
        )[: selectors.COHORT_MATES_LISTED],
    }
    return render(request, "profiles/profile_edit.html", context)


@login_required
def profile_detail(request, org_slug, user_id):
    person = access.get_person_for_viewer(request, org_slug, user_id)
    viewer = request.membership
    profile = selectors.profile_for_user(organization=person.organization, user=person.user)
    is_self = person.user_id == request.user.pk
    context = {
        "organization": person.organization,
        "person": person,
        "profile": profile,
        "is_self": is_self,
        "completeness": selectors.profile_completeness(profile),
        "show_completeness": is_self or viewer.is_coordinator,
    }
    if viewer.is_coordinator:
        context["department_form"] = DepartmentForm(
            initial={"department": profile.department if profile else ""}
        )
    return render(request, "profiles/profile_detail.html", context)


@login_required
@require_POST
def member_department(request, org_slug, user_id):
    person = access.get_person_for_coordinator(request, org_slug, user_id)
    form = DepartmentForm(request.POST)
    if form.is_valid():
        try:
            services.member_department_set(
                organization=person.organization,
                user=person.user,
                actor=request.user,
                department=form.cleaned_data["department"],
            )
            messages.success(request, _("Department saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(form.errors["department"]))
    return redirect("profile_detail", org_slug=org_slug, user_id=person.user_id)


@login_required
def cohort_profiles(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    filters = CohortProfileFilterForm(request.GET)
    rows = selectors.cohort_profile_statuses(cohort=cohort, status=filters.status_value())
    page = paginate(request, rows)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "filters": filters,
        "page": page,
        "rows": [(row, selectors.completeness_of_row(row)) for row in page],
        "counts": selectors.cohort_profile_counts(cohort=cohort),
    }
    return render(request, "profiles/cohort_profiles.html", context)


# Tags --------------------------------------------------------------------------------------


@login_required
def tag_list(request, org_slug):
    membership = get_coordinator_membership(request, org_slug)
    organization = membership.organization
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = services.tag_create(
                organization=organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” added.") % {"name": tag.name})
            return redirect("tag_list", org_slug=org_slug)
    filters = TagFilterForm(request.GET)
    page = paginate(request, selectors.tag_list(organization=organization, **filters.filters()))
    context = {"organization": organization, "form": form, "filters": filters, "page": page}
    return render(request, "profiles/tag_list.html", context)


@login_required
def tag_edit(request, org_slug, tag_id):
    tag = access.get_tag_for_coordinator(request, org_slug, tag_id)
    form = TagForm(request.POST or None, initial={"name": tag.name, "kind": tag.kind})
    if request.method == "POST" and form.is_valid():
        try:
            services.tag_update(tag=tag, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” saved.") % {"name": tag.name})
            return redirect("tag_list", org_slug=org_slug)
    return render(
        request,
        "profiles/tag_edit.html",
        {"organization": tag.organization, "tag": tag, "form": form},
    )


@login_required
def tag_merge(request, org_slug, tag_id):
    """GET with ?target= previews what will move; POST merges."""
    source = access.get_tag_for_coordinator(request, org_slug, tag_id)
    form = TagMergeForm(request.POST or request.GET or None, source=source)
    preview = None
    if form.is_bound and form.is_valid():
        target = form.cleaned_data["target"]
        if request.method == "POST":
            try:
                services.tag_merge(source=source, target=target, actor=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("“%(source)s” was merged into “%(target)s”.")
                    % {"source": source.name, "target": target.name},
                )
                return redirect("tag_list", org_slug=org_slug)
        preview = selectors.tag_merge_preview(source=source, target=target)
    context = {"organization": source.organization, "tag": source, "form": form, "preview": preview}
    return render(request, "profiles/tag_merge.html", context)


@login_required
def tag_retire(request, org_slug, tag_id):
    """POST retires the tag; POST with restore=1 brings it back."""
    tag = access.get_tag_for_coordinator(request, org_slug, tag_id)
    if request.method == "POST":
        restore = request.POST.get("restore") == "1"
        try:
            if restore:
                services.tag_restore(tag=tag, actor=request.user)
                messages.success(request, _("“%(name)s” is back in use.") % {"name": tag.name})
            else:
                services.tag_retire(tag=tag, actor=request.user)
                messages.success(request, _("“%(name)s” was retired.") % {"name": tag.name})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("tag_list", org_slug=org_slug)
    context = {
        "organization": tag.organization,
        "tag": tag,
        "usage": selectors.tag_list(organization=tag.organization).get(pk=tag.pk),
    }
    return render(request, "profiles/tag_retire.html", context)
