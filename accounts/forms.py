from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from . import limits
from .audit import AuditFilters
from .dates import DateWindowFormMixin
from .models import Cohort, Organization, Program
from .validators import TextRulesMixin, validate_one_line

MAX_INVITATIONS_AT_ONCE = 200
# Room for the most addresses at once, each as long as an address can be, with separators.
INVITE_INPUT_MAX = MAX_INVITATIONS_AT_ONCE * 256


class SignupDetailsForm(forms.Form):
    """Extra fields for allauth's sign-up form. allauth builds its form on this class, with
    fields of its own, so the character check is set on each field here, not by the mixin."""

    first_name = forms.CharField(
        label=_("First name"), max_length=limits.PERSON_NAME_MAX, validators=[validate_one_line]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=limits.PERSON_NAME_MAX, validators=[validate_one_line]
    )

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])


class OrganizationForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "slug"]
        help_texts = {
            "slug": _(
                "Used in web addresses and commands, e.g. 'acme'. Leave empty to derive it "
                "from the name."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False


class ProgramForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = Program
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class CohortForm(DateWindowFormMixin, TextRulesMixin, forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "slug", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "slug": _("Used in web addresses and commands. Leave empty to derive it from the name.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("The end date must be after the start date."))
        return cleaned

    def validate_unique(self):
        # The organization is set by the service, so the (organization, slug) constraint is
        # checked there; the form only checks its own fields.
        pass


class InviteForm(TextRulesMixin, forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        max_length=INVITE_INPUT_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "ana@example.org\nben@example.org"}),
        help_text=_("One per line, or separated by commas or spaces. Up to %(max)s at once.")
        % {"max": MAX_INVITATIONS_AT_ONCE},
    )

    def clean_emails(self):
        raw = self.cleaned_data["emails"].replace(",", " ").replace(";", " ").split()
        emails, invalid = [], []
        for item in raw:
            try:
                validate_email(item)
            except forms.ValidationError:
                invalid.append(item)
            else:
                emails.append(item.lower())
        if invalid:
            raise forms.ValidationError(
                _("These are not valid email addresses: %(list)s") % {"list": ", ".join(invalid)}
            )
        if not emails:
            raise forms.ValidationError(_("Enter at least one email address."))
        if len(set(emails)) > MAX_INVITATIONS_AT_ONCE:
            raise forms.ValidationError(
                _("Invite at most %(max)s people at once.") % {"max": MAX_INVITATIONS_AT_ONCE}
            )
        return list(dict.fromkeys(emails))


class AcceptWithNewAccountForm(TextRulesMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=limits.PERSON_NAME_MAX)
    last_name = forms.CharField(label=_("Last name"), max_length=limits.PERSON_NAME_MAX)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            from .models import User

            candidate = User(
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=[])

    def __init__(self, *args, **kwargs):
        from .models import Membership

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Membership.Role.choices


class OrganizationSecurityForm(forms.Form):
    require_coordinator_mfa = forms.BooleanField(
        label=_("Coordinators must use two-factor authentication"),
        help_text=_(
            "Coordinators without an authenticator app are asked to set one up before they "
            "can open this organization's pages. Members are not affected."
        ),
        required=False,
    )


INPUT = "form-control form-control-sm"


class AuditFilterForm(DateWindowFormMixin, TextRulesMixin, forms.Form):
    """The audit log's filters, read from the query string; every field is optional."""

    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=60,
        help_text=_("The start of an action, e.g. invitation. or pair.locked"),
        widget=forms.TextInput(
            attrs={
                "class": INPUT,
                "list": "audit-actions",
                "placeholder": "invitation.",
                "autocomplete": "off",
            }
        ),
    )
    actor = forms.CharField(
        label=_("Who (email contains)"),
        required=False,
        max_length=254,
        widget=forms.TextInput(
            attrs={"class": INPUT, "type": "search", "placeholder": "@example.org"}
        ),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"class": INPUT, "type": "date"}),
    )
    date_to = forms.DateField(
        label=_("To (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"class": INPUT, "type": "date"}),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise ValidationError(_("The end date is before the start date."))
        return cleaned

    def filters(self) -> AuditFilters:
        """What to filter by: nothing while the form is invalid (its errors are shown)."""
        if not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        return AuditFilters(
            action=data["action"].strip(),
            actor=data["actor"].strip(),
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
