from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from resilia.evidence.validation import ALLOWED_TYPES


class UploadForm(forms.Form):
    """One evidence file and what it shows; content checks happen in the upload service."""

    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(
            {"class": "form-control", "accept": ",".join(f".{e}" for e in sorted(ALLOWED_TYPES))}
        )
        self.fields["file"].help_text = _("Up to %(limit)s.") % {
            "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)
        }
        self.fields["description"].widget.attrs["class"] = "form-control"
