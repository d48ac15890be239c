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
            "allow_requests",
        ]
        help_texts = {
            "different_department": _("Members with no department can be paired with anyone."),
            "exclude_previous_partners": _(
                "Partners of an earlier cohort who got as far as working together."
            ),
            "allow_requests": _(
                "They see their five best suggestions and can ask one of them to pair up."
            ),
        }


class RunStartForm(forms.Form):
    scope = forms.ChoiceField(choices=MatchRun.Scope.choices, initial=MatchRun.Scope.COHORT)


class PairLockForm(forms.Form):
    locked = forms.TypedChoiceField(choices=[("0", "0"), ("1", "1")], coerce=lambda v: v == "1")


class PairForbidForm(TextRulesMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, for the other coordinators)"),
        max_length=limits.FORBID_REASON_MAX,
        required=False,
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.email})" if obj.get_full_name() else obj.email


class ManualPairForm(forms.Form):
    """Two of the cohort's members without a partner; the service checks the rest."""

    first = MemberChoiceField(label=_("First member"), queryset=User.objects.none())
    second = MemberChoiceField(label=_("Second member"), queryset=User.objects.none())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first"].queryset = members
        self.fields["second"].queryset = members

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
