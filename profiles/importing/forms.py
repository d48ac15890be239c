"""The browser import's upload form."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from profiles import importing


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8 text with a header line; at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(importing.MAX_UPLOAD_BYTES),
                }
            )
        # Browsers label .csv files inconsistently (text/csv, application/vnd.ms-excel, none):
        # the name or a text type will do; the import itself refuses what isn't UTF-8 text.
        content_type = (upload.content_type or "").lower()
        if not upload.name.lower().endswith((".csv", ".txt")) and not content_type.startswith(
            "text/"
        ):
            raise forms.ValidationError(_("Choose a .csv file (comma-separated text)."))
        return upload
