from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.validators import TextRulesMixin

from .. import limits


class ReplyForm(TextRulesMixin, forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=limits.REPLY_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a reply first.")},
    )
