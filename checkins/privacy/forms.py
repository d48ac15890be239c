from allauth.account.adapter import get_adapter
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.validators import TextRulesMixin

# The word a member types to confirm that they want their account deleted.
CONFIRMATION_WORD = gettext_lazy("DELETE")


class AccountDeleteForm(TextRulesMixin, forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirmation = forms.CharField(
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["confirmation"].label = _("Type %(word)s to confirm") % {
            "word": CONFIRMATION_WORD
        }

    def clean_password(self):
        # As allauth's own re-authentication: rate limited like the login (5 wrong passwords
        # for one address pause it for 5 minutes), and a wrong one is audited as a failed login.
        password = self.cleaned_data["password"]
        if not get_adapter().reauthenticate(self.user, password):
            raise ValidationError(_("That password is not right."), code="incorrect_password")
        return password

    def clean_confirmation(self):
        word = self.cleaned_data["confirmation"].strip()
        if word.casefold() != str(CONFIRMATION_WORD).casefold():
            raise ValidationError(
                _("Type %(word)s, exactly, to confirm.") % {"word": CONFIRMATION_WORD},
                code="confirmation",
            )
        return word
