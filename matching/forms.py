from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.validators import TextRulesMixin

from . import limits
from .models import MatchRun, MatchSettings


class MatchSettingsForm(forms.ModelForm):
    class Meta:
        model = MatchSettings
        fields = [
            "share_language",
            "different_department",
            "exclude_previous_partners",
            "allow_pair_again",
            "keep_stages_close",
            "max_stage_distance",
            "honour_wishes",
            "allow_requests",
        ]
        help_texts = {
            "allow_pair_again": _(
                "Both said so, with their names, in the closing survey of their cohort."
            ),
            "keep_stages_close": _(
                "Partners are peers: members whose career stage is unknown can be paired with "
                "anyone."
            ),
            "max_stage_distance": _(
                "0 keeps partners at the same stage; 1, the default, also allows neighbours."
            ),
            "honour_wishes": _(
                "When two members name each other and every other rule allows the pair."
            ),
            "different_department": _("Members with no department can be paired with anyone."),
            "exclude_previous_partners": _(
                "Partners of an earlier cohort who got as far as working together."
            ),
            "allow_requests": _(
                "They see their five best suggestions and can ask one of them to pair up."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_stage_distance"].required = False
        self.fields["max_stage_distance"].widget.attrs["inputmode"] = "numeric"

    def clean_max_stage_distance(self):
        value = self.cleaned_data["max_stage_distance"]
        # Left empty (e.g. with the rule off), the distance keeps what was saved.
        return self.instance.max_stage_distance if value is None else value


class RunStartForm(forms.Form):
    scope = forms.ChoiceField(choices=MatchRun.Scope.choices, initial=MatchRun.Scope.COHORT)


class WishForm(forms.Form):
    first = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    second = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    honoured = forms.TypedChoiceField(
        choices=[("0", "0"), ("1", "1")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )


class PairLockForm(forms.Form):
    locked = forms.TypedChoiceField(choices=[("0", "0"), ("1", "1")], coerce=lambda v: v == "1")


class PairForbidForm(TextRulesMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, for the other coordinators)"),
        max_length=limits.FORBID_REASON_MAX,
        required=False,
    )


class MemberField(forms.CharField):
    """One member of `members`, typed as an email address or a member id.

    A text field rather than a list of every member, so that a cohort of thousands stays a
    light page; `static/js/member-search.js` suggests members as the coordinator types
    (`data-member-search` holds the search URL) and fills in their email address.
    """

    default_error_messages = {
        "unknown": _(
            "No member without a partner in this cohort has this email address. "
            "Type the full address, or choose from the suggestions."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "help_text", _("Type a name or an email address and choose from the suggestions.")
        )
        super().__init__(**kwargs)
        self.members = User.objects.none()

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "autocomplete": "off", "spellcheck": "false"}

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        is_id = text.isascii() and text.isdigit() and len(text) <= 18
        lookup = {"pk": int(text)} if is_id else {"email__iexact": text}
        member = self.members.filter(**lookup).first()
        if member is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return member


class ManualPairForm(forms.Form):
    """Two of the cohort's members without a partner; the service checks the rest."""

    first = MemberField(label=_("First member"))
    second = MemberField(label=_("Second member"))

    def __init__(self, *args, members, search_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first", "second"):
            self.fields[name].members = members
            if search_url:
                self.fields[name].widget.attrs["data-member-search"] = search_url

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            raise forms.ValidationError(_("Choose two different members."))
        return data


class PairResponseForm(TextRulesMixin, forms.Form):
    ACCEPT, DECLINE = "accept", "decline"

    response = forms.ChoiceField(choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))])
    reason = forms.CharField(
        label=_("Why are you declining?"),
        max_length=limits.DECLINE_REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only your coordinators see this."),
    )


class PartnerRequestForm(TextRulesMixin, forms.Form):
    to_user = forms.ModelChoiceField(queryset=User.objects.none(), widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("A short message (optional)"),
        max_length=limits.REQUEST_MESSAGE_MAX,
        required=False,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = members


class PartnerRequestAnswerForm(forms.Form):
    ACCEPT, DECLINE = "accept", "decline"

    answer = forms.ChoiceField(choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))])
