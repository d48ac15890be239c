"""The page a welcome link opens. The signed link is the credential; a GET only shows it."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import audit
from ..adapters import client_ip
from . import WelcomeLinkError, welcome_accept, welcome_from_token
from .forms import WelcomePasswordForm


def welcome(request, token):
    try:
        user, next_path = welcome_from_token(token)
    except WelcomeLinkError as error:
        return render(request, "accounts/welcome_invalid.html", {"error": error}, status=410)
    skip = request.method == "POST" and "skip" in request.POST
    form = WelcomePasswordForm(None if skip else (request.POST or None), user=user)
    if request.method == "POST" and (skip or form.is_valid()):
        try:
            password = "" if skip else form.cleaned_data["password1"]
            user = welcome_accept(user=user, password=password)
        except WelcomeLinkError as error:
            return render(request, "accounts/welcome_invalid.html", {"error": error}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        audit.login_succeeded_record(user=user, ip=client_ip(request))
        messages.success(request, _("Welcome to PeerMentor! You are signed in."))
        return redirect(next_path)
    return render(request, "accounts/welcome.html", {"form": form, "member": user})
