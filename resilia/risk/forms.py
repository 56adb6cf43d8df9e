"""Forms of the risk pages; every choice through the access choke point."""

from __future__ import annotations

import re

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from resilia.bia.models import local_name
from resilia.core.durations import DurationMinutesField
from resilia.core.forms import StyledForm, TreeUnitChoiceField, style_widgets, with_current
from resilia.dependencies.models import Activity, Resource
from resilia.org.forms import autocomplete
from resilia.org.models import Person, Site, Unit
from resilia.risk.models import Measure, Risk, RiskAssessment, Threat, Treatment
from resilia.risk.services import latest_matrix

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return "\u2003" * obj.depth + obj.display_name


def level_choices(levels: list[dict], *, blank: bool) -> list[tuple]:
    choices = [(i, f"{i} · {local_name(level)}") for i, level in enumerate(levels, start=1)]
    return [("", "—"), *choices] if blank else choices


class CodesField(forms.CharField):
    """Codes separated by commas, spaces or lines, resolved among the rows the user may read."""

    def __init__(self, *args, model=None, **kwargs):
        self.model = model
        self.user = None
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value) or ""
        codes = [c for c in re.split(r"[\s,，、;；]+", text) if c]
        found = {o.code: o for o in self.model.objects.for_user(self.user).filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(
                _("Unknown, or not yours to see: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        return [found[c] for c in dict.fromkeys(codes)]


SCOPE = ("units", "sites", "resources", "activities")


class RiskForm(StyledForm):
    inherent_likelihood = forms.TypedChoiceField(label=_("inherent likelihood"), coerce=int)
    inherent_impact = forms.TypedChoiceField(label=_("inherent impact"), coerce=int)
    residual_likelihood = forms.TypedChoiceField(
        label=_("residual likelihood"), coerce=int, required=False, empty_value=None
    )
    residual_impact = forms.TypedChoiceField(
        label=_("residual impact"), coerce=int, required=False, empty_value=None
    )
    typical_duration = DurationMinutesField(label=_("typical duration"), required=False)
    units = UnitsField(label=_("units in scope"), queryset=Unit.objects.none(), required=False)
    sites = CodesField(label=_("sites in scope"), model=Site, help_text=_("Site codes."))
    resources = CodesField(
        label=_("resources in scope"), model=Resource, help_text=_("Resource codes.")
    )
    activities = CodesField(
        label=_("activities in scope"), model=Activity, help_text=_("Activity codes.")
    )

    class Meta:
        model = Risk
        fields = [
            "code",
            "title",
            "title_en",
            "threat",
            "unit",
            "owner",
            "cause",
            "description",
            "existing_controls",
            "typical_duration",
            "inherent_likelihood",
            "inherent_impact",
            "residual_likelihood",
            "residual_impact",
            "treatment",
            "reviewed_on",
            *SCOPE,
        ]
        field_classes = {"unit": TreeUnitChoiceField}
        widgets = {"reviewed_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        matrix = latest_matrix()
        for axis in ("likelihood", "impact"):
            levels = getattr(matrix, axis)
            self.fields[f"inherent_{axis}"].choices = level_choices(levels, blank=True)
            self.fields[f"residual_{axis}"].choices = level_choices(levels, blank=True)
        self.fields["treatment"].choices = [
            ("", "—"), *[c for c in Treatment.choices if c[0] != Treatment.ACCEPT]
        ]  # fmt: skip
        if self.instance.treatment == Treatment.ACCEPT:
            self.fields["treatment"].choices += [(Treatment.ACCEPT, Treatment.ACCEPT.label)]
        self.fields["threat"].queryset = with_current(
            Threat.objects.for_user(user).filter(active=True), self.instance.threat_id
        ).order_by("code")
        self.fields["unit"].queryset = with_current(
            Unit.objects.for_user(user, write=True), self.instance.unit_id
        ).order_by("path")
        self.fields["owner"].queryset = with_current(
            Person.objects.for_user(user), self.instance.owner_id
        )
        autocomplete(self.fields["owner"], "person")
        autocomplete(self.fields["unit"], "unit", write=True)
        self.fields["units"].queryset = Unit.objects.for_user(user).order_by("path")
        autocomplete(self.fields["units"], "unit")
        for name in ("sites", "resources", "activities"):
            self.fields[name].user = user
        if self.instance.pk:
            self.initial.setdefault("units", list(self.instance.units.all()))
            for name in ("sites", "resources", "activities"):
                codes = getattr(self.instance, name).values_list("code", flat=True)
                self.initial.setdefault(name, ", ".join(codes))
            if self.instance.matrix_id != matrix.pk:
                # Pending re-score: the old levels are not carried onto the new scales.
                for name in ("inherent_likelihood", "inherent_impact", "residual_likelihood",
                             "residual_impact"):  # fmt: skip
                    self.initial[name] = None
        style_widgets(self)


class AcceptForm(forms.Form):
    reason = forms.CharField(label=_("reason for accepting"), widget=forms.Textarea)
    expires = forms.DateField(label=_("acceptance expires"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class MeasureForm(StyledForm):
    class Meta:
        model = Measure
        fields = ["title", "owner", "due_date", "status", "evidence"]
        widgets = {"due_date": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = with_current(
            Person.objects.for_user(user), self.instance.owner_id
        )
        autocomplete(self.fields["owner"], "person")


class ThreatForm(StyledForm):
    resource_kinds = forms.MultipleChoiceField(
        label=capfirst(_("resources it typically hits")),
        choices=Resource.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    typical_duration = DurationMinutesField(label=capfirst(_("typical duration")), required=False)

    class Meta:
        model = Threat
        fields = [
            "code",
            "name",
            "name_en",
            "threat_class",
            "group",
            "description",
            "resource_kinds",
            "typical_duration",
            "active",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource_kinds"].widget.attrs.pop("class", None)
        self.fields["threat_class"].help_text = _(
            "China's four classes of emergencies (Emergency Response Law, article 3)."
        )
        self.fields["group"].help_text = _(
            "The catalogue's own lists: natural, human, technical, supply chain, people, and the "
            "power industry's six crisis-event classes (crisis event)."
        )


class AssessmentForm(StyledForm):
    units = UnitsField(
        label=_("units in scope"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("None: the whole organisation."),
    )

    class Meta:
        model = RiskAssessment
        fields = ["code", "name", "name_en", "assessed_on", "summary", "units"]
        widgets = {"assessed_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.for_user(user).order_by("path")
        autocomplete(self.fields["units"], "unit")
        if self.instance.pk:
            self.initial.setdefault("units", list(self.instance.units.all()))
