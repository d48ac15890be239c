from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.idempotency import AlreadyDone, report_refusal
from accounts.view_helpers import apply_errors

from .. import access
from . import selectors, services
from .forms import IntroCallAcceptForm, IntroCallForm, MessageForm


def _to_thread(pair):
    return redirect("pair_conversation", org_slug=pair.organization.slug, pair_id=pair.pk)


def _thread(request, pair, *, message_form=None, call_form=None):
    page = selectors.thread_page(pair=pair, user=request.user, page_number=request.GET.get("page"))
    context = {
        "organization": pair.organization,
        "cohort": pair.cohort,
        "page": page,
        "message_form": message_form or MessageForm(),
        "call_form": call_form or IntroCallForm(),
    }
    return render(request, "matching/conversation/thread.html", context)


def _warn_unless_emailed(request, call) -> None:
    if not call.emailed:
        messages.warning(
            request,
            _(
                "Your partner was not emailed: your organization has reached its daily email "
                "limit. They see the time here when they sign in."
            ),
        )


@login_required
@require_GET
def pair_conversation(request, org_slug, pair_id):
    pair = access.get_pair_for_conversation(request, org_slug, pair_id)
    return _thread(request, pair)


@login_required
@require_POST
def pair_message_send(request, org_slug, pair_id):
    pair = access.get_pair_for_conversation(request, org_slug, pair_id)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _thread(request, pair, message_form=form)
    try:
        message = services.pair_message_send(
            pair=pair, author=request.user, body=form.cleaned_data["body"]
        )
    except AlreadyDone as error:
        report_refusal(request, error)
    except ValidationError as error:
        apply_errors(form, error)
        return _thread(request, pair, message_form=form)
    else:
        if message.emailed:
            messages.success(request, _("Message sent. Your partner also gets it by email."))
        else:
            messages.warning(
                request,
                _(
                    "Message saved, but not emailed: your organization has reached its daily "
                    "email limit. Your partner sees it here when they sign in."
                ),
            )
    return _to_thread(pair)


@login_required
@require_POST
def intro_call_propose(request, org_slug, pair_id):
    pair = access.get_pair_for_conversation(request, org_slug, pair_id)
    form = IntroCallForm(request.POST)
    if not form.is_valid():
        return _thread(request, pair, call_form=form)
    try:
        call = services.intro_call_propose(pair=pair, user=request.user, starts_at=form.starts_at())
    except AlreadyDone as error:
        report_refusal(request, error)
    except ValidationError as error:
        apply_errors(form, error)
        return _thread(request, pair, call_form=form)
    else:
        messages.success(
            request, _("Time proposed. Your partner can accept it or propose another.")
        )
        _warn_unless_emailed(request, call)
    return _to_thread(pair)


@login_required
@require_POST
def intro_call_accept(request, org_slug, pair_id):
    pair = access.get_pair_for_conversation(request, org_slug, pair_id)
    form = IntroCallAcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Accept the time shown on the page."))
        return _to_thread(pair)
    try:
        call = services.intro_call_accept(
            pair=pair, user=request.user, starts_at=form.cleaned_data["starts_at"]
        )
    except ValidationError as error:
        report_refusal(request, error)
    else:
        messages.success(request, _("Intro call agreed."))
        _warn_unless_emailed(request, call)
    return _to_thread(pair)
