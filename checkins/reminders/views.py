"""Notification preferences (logged in) and one-click unsubscribe from a signed link (no login).

Neither page lives under an organization: preferences belong to the person, across every
organization they are in.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import reminders
from .forms import NotificationPreferenceForm


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    # Not `request.POST or None`: with every switch off, the POST is empty but still a save.
    data = request.POST if request.method == "POST" else None
    form = NotificationPreferenceForm(data, instance=reminders.preferences_for(request.user))
    if request.method == "POST" and form.is_valid():
        reminders.notification_preferences_update(
            user=request.user, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notification_preferences")
    return render(request, "checkins/preferences.html", {"form": form})


# The signed token is the credential, so no login is needed; the POST comes from the form on
# the GET page, which carries a CSRF token like every other form.
@require_http_methods(["GET", "POST"])
def reminder_unsubscribe(request, token):
    try:
        user, kind = reminders.unsubscribe_link_read(token)
    except reminders.InvalidUnsubscribeLink:
        return render(request, "checkins/reminders/unsubscribe_invalid.html", status=400)
    context = {"kind_label": reminders.Kind(kind).label, "email": reminders.masked_email(user)}
    if request.method == "POST":
        reminders.reminder_unsubscribe(user=user, kind=kind)
        return render(request, "checkins/reminders/unsubscribe_done.html", context)
    return render(request, "checkins/reminders/unsubscribe.html", context)
