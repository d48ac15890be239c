from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.idempotency import AlreadyDone, report_refusal
from accounts.language import user_language
from accounts.lifecycle import cohort_allows, refusal_message
from accounts.view_helpers import apply_errors, refuse_unless_cohort_allows

from . import access, ics, selectors, services
from .forms import CheckInForms, MeetingCancelForm, MeetingForm
from .partnership.selectors import partnership_section


def _to_pair(meeting_or_pair):
    pair_id = getattr(meeting_or_pair, "pair_id", None) or meeting_or_pair.pk
    return redirect("pair_detail", org_slug=meeting_or_pair.organization.slug, pair_id=pair_id)


def _refused(request, meeting_or_pair, action: str):
    """Send a partner back to the pair page when the cohort's state doesn't allow `action`."""
    pair_id = getattr(meeting_or_pair, "pair_id", None) or meeting_or_pair.pk
    back = reverse(
        "pair_detail",
        kwargs={"org_slug": meeting_or_pair.organization.slug, "pair_id": pair_id},
    )
    return refuse_unless_cohort_allows(request, meeting_or_pair.cohort, action, back=back)


def _state_note(cohort) -> str:
    """Why the partners can't log check-ins in the cohort's current state, or ""."""
    if cohort_allows(cohort, "log_checkins"):
        return ""
    return refusal_message(cohort, "log_checkins")


def _ics_response(content: bytes, filename: str = "") -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The pair page -----------------------------------------------------------------------------

# Upcoming meetings listed on the pair page until the partner asks for all of them.
UPCOMING_SHOWN = 4


@login_required
@require_GET
def pair_detail(request, org_slug, pair_id):
    pair, is_partner = access.get_pair_for_viewer(request, org_slug, pair_id)
    page = selectors.pair_page(pair=pair, user=request.user, private=is_partner)
    all_meetings = request.GET.get("meetings") == "all"
    shown = page.upcoming if all_meetings else page.upcoming[:UPCOMING_SHOWN]
    context = {
        "organization": pair.organization,
        "cohort": pair.cohort,
        "page": page,
        "can_change_meetings": is_partner and cohort_allows(pair.cohort, "schedule_meetings"),
        # The next four upcoming meetings, or all of them on request (`?meetings=all`).
        "upcoming_shown": shown,
        "upcoming_hidden": len(page.upcoming) - len(shown),
    }
    if is_partner and pair.status == pair.Status.ACTIVE:
        context["state_note"] = _state_note(pair.cohort)
    # The page read the contract in force already (the pair's newest signed version).
    context["partnership"] = partnership_section(
        pair=pair, user=request.user, is_partner=is_partner, contract=page.contract
    )
    return render(request, "checkins/pair_detail.html", context)


# Meetings ----------------------------------------------------------------------------------


@login_required
def meeting_add(request, org_slug, pair_id):
    pair = access.get_pair_for_partner(request, org_slug, pair_id)
    if refused := _refused(request, pair, "schedule_meetings"):
        return refused
    form = MeetingForm(request.POST or None, timezone=selectors.pair_timezone(pair=pair))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_add(pair=pair, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Meeting added. Your partner was told by email."))
            return _to_pair(pair)
    context = {"organization": pair.organization, "pair": pair, "form": form}
    return render(request, "checkins/meeting_form.html", context)


@login_required
def meeting_record(request, org_slug, pair_id):
    """Record a meeting that already took place, then go straight to its check-in."""
    pair = access.get_pair_for_partner(request, org_slug, pair_id)
    if refused := _refused(request, pair, "schedule_meetings"):
        return refused
    form = MeetingForm(request.POST or None, timezone=selectors.pair_timezone(pair=pair))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_record_held(
                pair=pair, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Meeting recorded. Now log your check-in for it."))
            return redirect(
                "checkin_create", org_slug=pair.organization.slug, meeting_id=meeting.pk
            )
    context = {"organization": pair.organization, "pair": pair, "form": form, "held": True}
    return render(request, "checkins/meeting_form.html", context)


@login_required
def meeting_reschedule(request, org_slug, meeting_id):
    meeting = access.get_meeting_for_partner(request, org_slug, meeting_id)
    if refused := _refused(request, meeting, "schedule_meetings"):
        return refused
    form = MeetingForm(
        request.POST or None,
        timezone=selectors.pair_timezone(pair=meeting.pair),
        initial=selectors.meeting_form_initial(meeting=meeting),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_reschedule(
                meeting=meeting, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Meeting moved. Your partner was told by email."))
            return _to_pair(meeting)
    context = {
        "organization": meeting.organization,
        "pair": meeting.pair,
        "meeting": meeting,
        "form": form,
    }
    return render(request, "checkins/meeting_form.html", context)


@login_required
def meeting_cancel(request, org_slug, meeting_id):
    meeting = access.get_meeting_for_partner(request, org_slug, meeting_id)
    if refused := _refused(request, meeting, "schedule_meetings"):
        return refused
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Meeting cancelled. Your partner was told by email."))
        return _to_pair(meeting)
    context = {
        "organization": meeting.organization,
        "meeting": meeting,
        "form": form,
        "timezone": selectors.pair_timezone(pair=meeting.pair),
    }
    return render(request, "checkins/meeting_cancel.html", context)


@login_required
@require_GET
def meeting_ics(request, org_slug, meeting_id):
    meeting, _is_partner = access.get_meeting_for_viewer(request, org_slug, meeting_id)
    meeting = selectors.meeting_with_members(meeting_id=meeting.pk)
    return _ics_response(ics.meeting_file(meeting), f"meeting-{meeting.pk}.ics")


# Check-ins ---------------------------------------------------------------------------------


@login_required
def checkin_create(request, org_slug, meeting_id):
    """Log one's check-in for a meeting, or edit it when it exists."""
    meeting = access.get_meeting_for_partner(request, org_slug, meeting_id)
    if refused := _refused(request, meeting, "log_checkins"):
        return refused
    setup = selectors.checkin_setup(meeting=meeting, user=request.user)
    forms = CheckInForms(request.POST or None, **setup.form_kwargs())
    if request.method == "POST" and forms.is_valid():
        try:
            services.checkin_save(
                meeting=meeting,
                user=request.user,
                checkin=None if forms.main.cleaned_data["is_new"] else setup.checkin,
                **forms.service_kwargs(),
            )
        except AlreadyDone as error:
            report_refusal(request, error)
            return _to_pair(meeting)
        except ValidationError as error:
            apply_errors(forms.main, error)
        else:
            messages.success(request, _("Check-in saved. Thank you!"))
            return _to_pair(meeting)
    context = {"organization": meeting.organization, "setup": setup, "forms": forms}
    return render(request, "checkins/checkin_form.html", context)


# Calendar ----------------------------------------------------------------------------------


@login_required
@require_GET
def calendar_settings(request):
    feed = services.calendar_feed_ensure(user=request.user)
    url = request.build_absolute_uri(selectors.feed_path(feed=feed))
    context = {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}
    return render(request, "checkins/calendar_settings.html", context)


@login_required
@require_POST
def calendar_feed_reset(request):
    services.calendar_feed_reset(user=request.user)
    messages.success(
        request, _("Your calendar link was reset. Subscribe again with the new link below.")
    )
    return redirect("calendar_settings")


@require_GET
@never_cache
def calendar_feed(request, token):
    feed = access.get_feed_by_token(token)
    meetings = selectors.user_feed_meetings(user=feed.user)
    # Calendar apps fetch the feed without cookies: it speaks its owner's language.
    with translation.override(user_language(feed.user)):
        return _ics_response(ics.feed_file(meetings, user=feed.user))
