"""The privacy pages: download one's data, delete one's account.

Not under an organization: a person's data spans every organization they are in.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.view_helpers import apply_errors
from contracts.pdf import RenderTimeout

from . import coordinator_view as statement
from . import selectors
from . import services as privacy
from .forms import CONFIRMATION_WORD, AccountDeleteForm


@login_required
@require_GET
def privacy_overview(request):
    return render(request, "checkins/privacy/privacy.html")


@login_required
@require_GET
def coordinator_view(request):
    """What coordinators see of a member's partnership, and what they never see."""
    context = {"seen": statement.SEEN, "never": statement.NEVER}
    return render(request, "checkins/privacy/coordinator_view.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def privacy_export(request):
    # The export stores signed PDFs not stored yet and is audited: only a POST makes it.
    if request.method != "POST":
        return redirect("privacy")
    try:
        archive = privacy.member_data_export(user=request.user)
    except RenderTimeout:
        messages.error(
            request,
            _("A contract took too long to print, so no file was made. Please try again later."),
        )
        return redirect("privacy")
    response = HttpResponse(archive, content_type="application/zip")
    filename = selectors.export_filename()
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def privacy_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.member_account_delete(user=request.user, actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            logout(request)
            messages.success(request, _("Your account is deleted. Thank you for taking part."))
            return redirect("home")
    context = {
        "form": form,
        "summary": selectors.member_deletion_summary(user=request.user),
        "confirmation_word": CONFIRMATION_WORD,
    }
    return render(request, "checkins/privacy/delete.html", context)
