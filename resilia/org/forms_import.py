"""The upload form of the units/people import page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from resilia.org.importing import KIND_LABELS


class ImportForm(forms.Form):
    """What to import and the file; the file itself is checked by resilia.org.importing."""

    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=list(KIND_LABELS.items()),
        widget=forms.RadioSelect,
        initial="units",
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx, first sheet) or a CSV file, at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".xlsx,.csv,text/csv"}
        ),
    )
