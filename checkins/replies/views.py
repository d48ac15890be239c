from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.idempotency import AlreadyDone, report_refusal
from accounts.view_helpers import apply_errors

from .. import access, selectors
from . import services
from .forms import ReplyForm
from .selectors import checkin_thread


@login_required
def checkin_replies(request, org_slug, checkin_id):
    """A check-in with its thread of replies (partners only), and the form to add one."""
    checkin = access.get_checkin_for_partner(request, org_slug, checkin_id)
    form = ReplyForm(request.POST or None)
    newest = f"{request.path}#replies-end"  # the thread's last page, at its end
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_reply_add(checkin=checkin, author=request.user, **form.cleaned_data)
        except AlreadyDone as error:
            report_refusal(request, error)
            return redirect(newest)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Reply sent. Your partner was told by email."))
            return redirect(newest)
    context = {
        "organization": checkin.meeting.organization,
        "checkin": checkin,
        "thread": checkin_thread(checkin=checkin, page=request.GET.get("page")),
        "timezone": selectors.pair_timezone(pair=checkin.meeting.pair),
        "form": form,
    }
    return render(request, "checkins/replies/thread.html", context)
