"""The organization's security settings: requiring two-factor authentication of coordinators."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access, mfa


class OrganizationSecurityForm(forms.Form):
    require_coordinator_mfa = forms.BooleanField(
        label=gettext_lazy("Coordinators must use two-factor authentication"),
        help_text=gettext_lazy(
            "Coordinators without an authenticator app are asked to set one up before they "
            "can open this organization's pages. Members are not affected."
        ),
        required=False,
    )


@login_required
def organization_security(request, org_slug):
    membership = access.get_coordinator_membership(request, org_slug)
    organization = membership.organization
    initial = {"require_coordinator_mfa": organization.require_coordinator_mfa}
    # An unticked box sends nothing, so a POST may be empty and must still bind the form.
    data = request.POST if request.method == "POST" else None
    form = OrganizationSecurityForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.organization_set_coordinator_mfa(
                organization=organization,
                actor=request.user,
                required=form.cleaned_data["require_coordinator_mfa"],
            )
        except ValidationError as error:
            form.add_error("require_coordinator_mfa", error)
        else:
            messages.success(request, _("Security settings saved."))
            return redirect("organization_security", org_slug=org_slug)
    context = {
        "organization": organization,
        "form": form,
        "has_totp": mfa.user_has_totp(user=request.user),
    }
    return render(request, "accounts/organization_security.html", context)
