"""Forms of strategy options: the option itself, a decision on it, and the result of its test.

The subject (an activity or a resource) is chosen among those the user may write, searched as
you type (the kit's picker), so the page stays light on a 100,000-node model.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.durations import DurationMinutesField
from resilia.core.forms import StyledForm, style_widgets
from resilia.dependencies.forms import picker
from resilia.dependencies.models import Activity, Resource
from resilia.strategies.models import Option

SUBJECT_NOT_WRITABLE = _("You may not propose options for this activity or resource.")


def _subject_field(form, name: str, model, user) -> None:
    field = form.fields[name]
    field.required = False
    field.queryset = model.objects.for_user(user, write=True)
    picker(field, name, write=True)


class OptionForm(StyledForm):
    """A candidate strategy: its subject, what it would achieve, cost and need."""

    recovery_time = DurationMinutesField(label=_("recovery time it would achieve"), required=False)
    recovery_point = DurationMinutesField(
        label=_("recovery point it would achieve"), required=False
    )

    class Meta:
        model = Option
        fields = [
            "activity",
            "resource",
            "name",
            "name_en",
            "kind",
            "description",
            "recovery_time",
            "recovery_point",
            "cost_once",
            "cost_yearly",
            "residual_risk",
            "people_needed",
            "seats_needed",
            "equipment_needed",
            "data_needed",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "equipment_needed": forms.Textarea(attrs={"rows": 2}),
            "data_needed": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _subject_field(self, "activity", Activity, user)
        _subject_field(self, "resource", Resource, user)
        self.fields["activity"].help_text = _("The activity, or else the resource, it protects.")

    def clean(self):
        data = super().clean()
        activity, resource = data.get("activity"), data.get("resource")
        if (activity is None) == (resource is None):
            raise forms.ValidationError(
                _("Choose the activity or the resource this option is for (one, not both).")
            )
        subject = activity or resource
        if not access.can_write(self.user, subject):
            raise forms.ValidationError(SUBJECT_NOT_WRITABLE)
        return data


class DecisionForm(forms.Form):
    """Choose or reject an option: the reason is recorded with the decision."""

    reason = forms.CharField(
        label=_("Reason for the decision"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class TestResultForm(forms.Form):
    """What a test of the chosen option achieved."""

    tested_on = forms.DateField(
        label=_("tested on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    tested_recovery_time = DurationMinutesField(label=_("recovery time achieved in the test"))
    tested_recovery_point = DurationMinutesField(
        label=_("recovery point achieved in the test"), required=False
    )
    test_evidence = forms.CharField(label=_("evidence of the test"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
