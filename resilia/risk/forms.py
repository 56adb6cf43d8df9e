"""Forms of the risk pages; every choice through the access choke point."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from resilia.bia.models import local_name
from resilia.core.durations import DurationMinutesField
from resilia.core.forms import (
    KeepsUnseen,
    StyledForm,
    TreeUnitChoiceField,
    keep_unseen,
    style_widgets,
    with_current,
)
from resilia.core.forms import autocomplete as kit_autocomplete
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


def _scope_field(label) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Site.objects.none(),
        required=False,
        help_text=_("Search by name or code."),
        error_messages={
            "invalid_choice": _("Unknown, or not visible to you: %(value)s."),
            "invalid_pk_value": _("Unknown, or not visible to you: %(pk)s."),
        },
    )


# The scope's pickers: a model and the kit endpoint searching it (through the access layer).
PICKED = {
    "sites": (Site, ("org:autocomplete", ["site"])),
    "resources": (Resource, ("dependencies:autocomplete", ["resource"])),
    "activities": (Activity, ("dependencies:autocomplete", ["activity"])),
}
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
    sites = _scope_field(_("sites in scope"))
    resources = _scope_field(_("resources in scope"))
    activities = _scope_field(_("activities in scope"))

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
        self.readable = {}
        for name, (model, url) in PICKED.items():
            self.readable[name] = model.objects.for_user(user)
            self.fields[name].queryset = self.readable[name].order_by("code")
            kit_autocomplete(self.fields[name], url)
        self.readable["units"] = self.fields["units"].queryset
        if self.instance.pk:
            for name in SCOPE:
                # Only what the user may read is shown (and so submitted) as chosen; the rest
                # is kept by clean(): an edit never drops what lies outside its editor's scope.
                saved = getattr(self.instance, name).filter(pk__in=self.readable[name].values("pk"))
                self.initial[name] = list(saved.order_by("code").values_list("pk", flat=True))
            if self.instance.matrix_id != matrix.pk:
                # Pending re-score: the old levels are not carried onto the new scales.
                for name in ("inherent_likelihood", "inherent_impact", "residual_likelihood",
                             "residual_impact"):  # fmt: skip
                    self.initial[name] = None
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            for name in SCOPE:
                if cleaned.get(name) is not None:
                    cleaned[name] = keep_unseen(
                        cleaned[name], getattr(self.instance, name), self.readable[name]
                    )
        return cleaned


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


class AssessmentForm(KeepsUnseen, StyledForm):
    keeps_unseen = ("units",)

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
        self.show_readable()
