"""The verify page's forms: a contract's PDF file, or a hash."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.validators import TextRulesMixin
from contracts import documents

PDF_MAGIC = b"%PDF"


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(
        label=gettext_lazy("The contract's PDF file"),
        error_messages={"required": gettext_lazy("Choose the PDF file to check.")},
    )

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean(self):
        if self.too_large:
            raise ValidationError(
                _("The file is larger than %(size)s MB: it cannot be a contract PDF of ours.")
                % {"size": settings.CONTRACT_VERIFY_MAX_UPLOAD_MB}
            )
        return super().clean()

    def clean_pdf(self):
        data = self.cleaned_data["pdf"].read()
        if not data.startswith(PDF_MAGIC):
            raise ValidationError(_("This file is not a PDF. Upload the contract's PDF file."))
        return data


class VerifyHashForm(TextRulesMixin, forms.Form):
    hash = forms.CharField(
        label=gettext_lazy("SHA-256 of the PDF file, or the contract's content hash"),
        max_length=100,
    )

    def clean_hash(self):
        return documents.normalize_hash(self.cleaned_data["hash"])
