import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe
from django.views.i18n import LANGUAGE_QUERY_PARAMETER, set_language

from . import access, audit, mfa, selectors, services
from .forms import (
    AcceptWithNewAccountForm,
    AuditFilterForm,
    CohortForm,
    InviteForm,
    OrganizationForm,
    OrganizationSecurityForm,
    ProgramForm,
    RoleForm,
)
from .language import user_language_set
from .models import Membership
from .signals import home_next_steps
from .view_helpers import apply_errors, paginate, refuse_unless_cohort_allows


def home(request):
    if not request.user.is_authenticated:
        return render(request, "home.html")
    memberships = selectors.user_memberships(user=request.user)
    enrolments = list(selectors.user_enrolments(user=request.user))
    steps = {}
    for _receiver, answer in home_next_steps.send(
        sender=None, user=request.user, enrolments=enrolments
    ):
        steps.update(answer or {})
    for enrolment in enrolments:
        enrolment.next_step = steps.get(enrolment.cohort_id)
    context = {
        "memberships": memberships,
        "enrolments": enrolments,
        "next_step": selectors.next_step_for(user=request.user, memberships=memberships),
    }
    return render(request, "home.html", context)


@require_safe
@never_cache
def healthz(request):
    status = {"database": "ok"}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure means unhealthy, whatever its type
        status["database"] = f"error: {error.__class__.__name__}"
        healthy = False
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            status["redis"] = "ok"
        except Exception as error:  # any failure means unhealthy, whatever its type
            status["redis"] = f"error: {error.__class__.__name__}"
            healthy = False
    else:
        status["redis"] = "not configured"
    status["status"] = "ok" if healthy else "error"
    return JsonResponse(status, status=200 if healthy else 503)


@login_required
def organization_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(
                user=request.user, name=form.cleaned_data["name"], slug=form.cleaned_data["slug"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s is ready.") % {"name": organization.name})
            return redirect(organization)
    return render(request, "accounts/organization_form.html", {"form": form})


@login_required
def organization_detail(request, org_slug):
    membership = access.get_membership(request, org_slug)
    organization = membership.organization
    context = {"organization": organization, "membership": membership}
    if membership.is_coordinator:
        context["programs"] = selectors.organization_programs(organization=organization)
    context["enrolments"] = selectors.user_enrolments(user=request.user).filter(
        cohort__organization=organization
    )
    return render(request, "accounts/organization_detail.html", context)


@login_required
def organization_members(request, org_slug):
    membership = access.get_coordinator_membership(request, org_slug)
    members = selectors.organization_members(organization=membership.organization)
    context = {
        "organization": membership.organization,
        "page": paginate(request, members),
        "role_choices": Membership.Role.choices,
    }
    return render(request, "accounts/organization_members.html", context)


@login_required
@require_POST
def membership_role(request, org_slug, membership_id):
    coordinator = access.get_coordinator_membership(request, org_slug)
    target = access.get_membership_in(coordinator.organization, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_set_role(
                membership=target, role=form.cleaned_data["role"], actor=request.user
            )
            messages.success(request, _("Role updated for %(user)s.") % {"user": target.user})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("organization_members", org_slug=org_slug)


@login_required
def program_create(request, org_slug):
    membership = access.get_coordinator_membership(request, org_slug)
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(
                organization=membership.organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Program created. Now add its first cohort."))
            return redirect(program)
    context = {"form": form, "organization": membership.organization}
    return render(request, "accounts/program_form.html", context)


@login_required
def program_detail(request, org_slug, program_id):
    program = access.get_program_for_coordinator(request, org_slug, program_id)
    context = {
        "organization": program.organization,
        "program": program,
        "cohorts": selectors.program_cohorts(program=program),
    }
    return render(request, "accounts/program_detail.html", context)


@login_required
def program_edit(request, org_slug, program_id):
    program = access.get_program_for_coordinator(request, org_slug, program_id)
    form = ProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(program=program, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Program saved."))
            return redirect(program)
    context = {"form": form, "organization": program.organization, "program": program}
    return render(request, "accounts/program_form.html", context)


@login_required
def cohort_create(request, org_slug, program_id):
    program = access.get_program_for_coordinator(request, org_slug, program_id)
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(
                program=program, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Cohort created as a draft. When its name and dates are right, open it for "
                    "profiles on its Lifecycle page to invite members."
                ),
            )
            return redirect(cohort)
    context = {"form": form, "organization": program.organization, "program": program}
    return render(request, "accounts/cohort_form.html", context)


@login_required
def cohort_detail(request, org_slug, cohort_id):
    cohort = access.get_cohort_for_member(request, org_slug, cohort_id)
    context = {"organization": cohort.organization, "cohort": cohort}
    if request.membership.is_coordinator:
        context["members"] = paginate(request, selectors.cohort_enrolments(cohort=cohort))
        context["invitations"] = paginate(
            request, selectors.cohort_open_invitations(cohort=cohort), param="ipage"
        )
    return render(request, "accounts/cohort_detail.html", context)


@login_required
def cohort_edit(request, org_slug, cohort_id):
    cohort = access.get_cohort_for_coordinator(request, org_slug, cohort_id)
    if refused := refuse_unless_cohort_allows(request, cohort, "edit_cohort"):
        return refused
    # The form edits a copy: the service compares the new values with the stored ones.
    form = CohortForm(request.POST or None, instance=copy.copy(cohort))
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_update(cohort=cohort, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Cohort saved."))
            return redirect(cohort)
    context = {"form": form, "organization": cohort.organization, "cohort": cohort}
    return render(request, "accounts/cohort_form.html", context)


@login_required
def cohort_invite(request, org_slug, cohort_id):
    cohort = access.get_cohort_for_coordinator(request, org_slug, cohort_id)
    if refused := refuse_unless_cohort_allows(request, cohort, "invite_members"):
        return refused
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent, skipped = services.invitations_send(
                cohort=cohort, actor=request.user, emails=form.cleaned_data["emails"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(cohort)
        if sent:
            messages.success(
                request,
                ngettext("%(n)s invitation sent.", "%(n)s invitations sent.", len(sent))
                % {"n": len(sent)},
            )
        for email, reason in skipped:
            messages.warning(
                request, _("%(email)s: %(reason)s") % {"email": email, "reason": reason}
            )
        return redirect(cohort)
    context = {
        "form": form,
        "organization": cohort.organization,
        "cohort": cohort,
        "invitation_days": settings.INVITATION_MAX_AGE_DAYS,
    }
    return render(request, "accounts/cohort_invite.html", context)


@login_required
@require_POST
def invitation_resend(request, org_slug, invitation_id):
    invitation = access.get_invitation_for_coordinator(request, org_slug, invitation_id)
    try:
        services.invitation_resend(invitation=invitation, actor=request.user)
        messages.success(
            request, _("A new link was sent to %(email)s.") % {"email": invitation.email}
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(invitation.cohort)


@login_required
def invitation_revoke(request, org_slug, invitation_id):
    invitation = access.get_invitation_for_coordinator(request, org_slug, invitation_id)
    if request.method == "POST":
        try:
            services.invitation_revoke(invitation=invitation, actor=request.user)
            messages.success(
                request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(invitation.cohort)
    context = {"organization": invitation.organization, "invitation": invitation}
    return render(request, "accounts/invitation_revoke.html", context)


def _accepted_by_this_user(request, error: "services.InvitationAlreadyAccepted"):
    """A used invitation opened or submitted again by the person who accepted it: to the cohort."""
    invitation = error.invitation
    if not request.user.is_authenticated or invitation.accepted_by_id != request.user.pk:
        return None
    messages.info(request, _("You have already accepted this invitation."))
    return redirect(invitation.cohort)


@never_cache
def invitation_accept(request, token):
    """Open to anyone holding the link: the signed token is the credential."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationAlreadyAccepted as error:
        if (done := _accepted_by_this_user(request, error)) is not None:
            return done
        return render(request, "accounts/invitation_invalid.html", {"error": error}, status=410)
    except services.InvitationError as error:
        return render(request, "accounts/invitation_invalid.html", {"error": error}, status=410)
    user = request.user
    account_exists = services.User.objects.filter(email__iexact=invitation.email).exists()
    if request.method == "POST" and account_exists and not user.is_authenticated:
        # A second submit racing the first: the account may have been made by this very
        # invitation since it was read above. Read it again, so the answer is the same 410.
        try:
            services.invitation_from_token(token)
        except services.InvitationError as error:
            return render(request, "accounts/invitation_invalid.html", {"error": error}, status=410)
    form = None
    if not user.is_authenticated and not account_exists:
        form = AcceptWithNewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (user.is_authenticated or (form and form.is_valid())):
        try:
            if user.is_authenticated:
                services.invitation_accept(invitation=invitation, user=user)
            else:
                user = services.invitation_accept_with_new_account(
                    invitation=invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        except services.InvitationAlreadyAccepted as error:
            if (done := _accepted_by_this_user(request, error)) is not None:
                return done
            return render(request, "accounts/invitation_invalid.html", {"error": error}, status=410)
        except services.InvitationError as error:
            return render(request, "accounts/invitation_invalid.html", {"error": error}, status=409)
        messages.success(request, _("Welcome to %(cohort)s!") % {"cohort": invitation.cohort})
        return redirect(invitation.cohort)
    context = {
        "invitation": invitation,
        "form": form,
        "decline_url": reverse("invitation_decline", kwargs={"token": token}),
        "account_exists": account_exists,
        "wrong_user": user.is_authenticated and user.email.lower() != invitation.email.lower(),
        "login_url": f"{reverse('account_login')}?next={request.path}",
    }
    return render(request, "accounts/invitation_accept.html", context)


@never_cache
@require_POST
def invitation_decline(request, token):
    """Say no to an invitation. Like accepting, the signed link is the credential."""
    try:
        invitation = services.invitation_from_token(token)
        user = request.user if request.user.is_authenticated else None
        services.invitation_decline(invitation=invitation, user=user)
    except services.InvitationError as error:
        return render(request, "accounts/invitation_invalid.html", {"error": error}, status=410)
    return render(request, "accounts/invitation_declined.html", {"invitation": invitation})


# The organization's security settings ----------------------------------------------------------


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


# The audit log ---------------------------------------------------------------------------------


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


# The language switcher's target: Django's `set_language`, and the user's language -------------

# Django's language cookie lasts for the browser session by default; a choice made on the
# switcher is remembered for a year instead.
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


@require_POST
def language_set(request):
    """Sets the language cookie and goes back to `next` (Django's view does both); a signed-in
    user's `User.language` follows. An unknown language changes nothing."""
    response = set_language(request)
    try:
        language = translation.get_supported_language_variant(
            request.POST.get(LANGUAGE_QUERY_PARAMETER, "").lower(), strict=True
        )
    except LookupError:
        # Django's view accepts any language it has a translation for ("fr"); we don't.
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or LANGUAGE_COOKIE_MAX_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    return response
