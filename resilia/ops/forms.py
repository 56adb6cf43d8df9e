"""The Word template upload form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TemplateUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Word template (.docx)"),
        help_text=_(
            "Its styles, letterhead, header and footer are used for every DOCX report. To keep "
            "a cover or letterhead drawn in the body, put a paragraph reading {{report}} "
            "where the report should start."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".docx,application/vnd.openxmlformats-officedocument"
                ".wordprocessingml.document",
            }
        ),
    )
