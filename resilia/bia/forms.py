"""The BIA's forms: the campaign, the questionnaire built from a framework version, the
workflow steps and the framework editor."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from resilia.bia.models import Assessment, Campaign, local_name
from resilia.bia.validation import RESOURCE_KINDS
from resilia.core.durations import (
    DurationError,
    DurationMinutesField,
    human_minutes,
    parse_minutes,
)
from resilia.core.forms import KeepsUnseen, QuickSelect, StyledForm, autocomplete
from resilia.dependencies.models import Activity
from resilia.org.models import Site, Unit

RESOURCE_KIND_LABELS = {
    "staff": _("Staff"),
    "seats": _("Seats"),
    "equipment": _("Equipment"),
    "applications": _("Applications"),
    "vital_records": _("Vital records"),
    "other": _("Other"),
}
EXTRA_RESOURCE_ROWS = 3


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return "\u2003" * obj.depth + obj.display_name


class CampaignForm(KeepsUnseen, StyledForm):
    keeps_unseen = ("units",)

    units = UnitsField(
        label=_("units in scope"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Every activity of these units and the units below them is assessed."),
    )
    activity_codes = forms.CharField(
        label=_("further activities"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Codes of activities outside those units, separated by commas or lines."),
    )

    class Meta:
        model = Campaign
        fields = [
            "code",
            "name",
            "name_en",
            "period_start",
            "period_end",
            "deadline",
            "instructions",
        ]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.for_user(user).order_by("path")
        autocomplete(self.fields["units"], ("org:autocomplete", ["unit"]))
        self.show_readable()
        if self.instance.pk:
            self.initial.setdefault(
                "activity_codes",
                ", ".join(self.instance.activities.values_list("code", flat=True)),
            )
            if self.instance.status != "draft":
                for name in ("units", "activity_codes"):
                    self.fields[name].disabled = True

    def clean_activity_codes(self):
        codes = [c for c in re.split(r"[\s,，、;；]+", self.cleaned_data["activity_codes"]) if c]
        found = {a.code: a for a in Activity.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(
                _("No activity has the code: %(codes)s.") % {"codes": ", ".join(missing)}
            )
        return [found[c] for c in dict.fromkeys(codes)]

    def clean(self):
        cleaned = super().clean()
        start, end, deadline = (cleaned.get(k) for k in ("period_start", "period_end", "deadline"))
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        if start and deadline and deadline < start:
            self.add_error("deadline", _("The deadline cannot fall before the period starts."))
        return cleaned


def _rating_choices(category: dict):
    """1..levels as numbers: the level names show beside the row (phones are narrow)."""
    return [("", "—")] + [(str(n), str(n)) for n in range(1, len(category["levels"]) + 1)]


class QuestionnaireForm(forms.Form):
    """The questionnaire of one assessment, laid out by its framework version: a rating per
    category × time point (and per peak period shown), a loss per time point, resources needed
    per resource time point, the objectives and the important-business attributes."""

    rto = DurationMinutesField(label=_("RTO: time to restore key functions"), required=False)
    rto_all = DurationMinutesField(label=_("time to restore all functions"), required=False)
    rpo = DurationMinutesField(label=_("RPO"), required=False)
    mbco_level = forms.CharField(label=_("MBCO service level"), max_length=100, required=False)
    mbco = forms.CharField(label=_("MBCO description"), required=False, widget=forms.Textarea)
    workaround = forms.CharField(
        label=_("manual workaround"), required=False, widget=forms.Textarea
    )
    workaround_minutes = DurationMinutesField(label=_("workaround lasts"), required=False)
    alternate_site = forms.ModelChoiceField(
        label=_("alternate work site"), queryset=Site.objects.none(), required=False
    )
    dependencies_confirmed = forms.BooleanField(
        label=_("The dependencies listed are complete and correct"), required=False
    )
    customer_facing = forms.BooleanField(label=_("customer-facing"), required=False)
    accounting = forms.BooleanField(label=_("involves accounting"), required=False)
    time_critical = forms.BooleanField(label=_("time-critical"), required=False)
    severe_impact = forms.BooleanField(
        label=_("interruption causes severe loss or harm"), required=False
    )

    def __init__(
        self, *args, assessment: Assessment, user, peak_codes=(), disabled=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.assessment = a = assessment
        fw = a.framework
        self.framework = fw
        self.fields["alternate_site"].queryset = Site.objects.for_user(user).order_by("code")
        autocomplete(self.fields["alternate_site"], ("org:autocomplete", ["site"]))
        for name in (
            "rto",
            "rto_all",
            "rpo",
            "workaround_minutes",
            "mbco_level",
            "mbco",
            "workaround",
            "alternate_site",
            "dependencies_confirmed",
            "customer_facing",
            "accounting",
            "time_critical",
            "severe_impact",
        ):
            self.initial[name] = getattr(
                a, name if name != "alternate_site" else "alternate_site_id"
            )
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"
            if isinstance(widget, forms.Textarea):
                widget.attrs["rows"] = 2

        # The grid: r__<category>__<i>; peaks: p__<period>__<category>__<i>.
        known_peaks = {p["code"] for p in fw.peak_periods}
        self.peak_codes = [
            c for c in dict.fromkeys([*(a.peaks or {}), *peak_codes]) if c in known_peaks
        ]
        for cat in fw.categories:
            row = (a.ratings or {}).get(cat["code"]) or []
            for i, _minutes in enumerate(fw.time_points):
                self._rating_field(f"r__{cat['code']}__{i}", cat, row, i)
            for period in self.peak_codes:
                prow = ((a.peaks or {}).get(period) or {}).get(cat["code"]) or row
                for i, _minutes in enumerate(fw.time_points):
                    self._rating_field(f"p__{period}__{cat['code']}__{i}", cat, prow, i)
        for i, _minutes in enumerate(fw.time_points):
            value = a.losses[i] if a.losses and i < len(a.losses) else None
            self.fields[f"loss__{i}"] = forms.DecimalField(
                required=False,
                min_value=0,
                max_digits=18,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 0}),
                initial=value,
            )
        rows = list(a.resources or [])
        self.resource_rows = len(rows) + EXTRA_RESOURCE_ROWS
        kinds = [("", "—")] + [(k, RESOURCE_KIND_LABELS[k]) for k in RESOURCE_KINDS]
        for n in range(self.resource_rows):
            row = rows[n] if n < len(rows) else {}
            self.fields[f"res__{n}__kind"] = forms.ChoiceField(
                choices=kinds,
                required=False,
                initial=row.get("kind", ""),
                widget=QuickSelect(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"res__{n}__description"] = forms.CharField(
                required=False,
                max_length=200,
                initial=row.get("description", ""),
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            quantities = row.get("quantities") or []
            for i, _minutes in enumerate(fw.resource_points):
                self.fields[f"res__{n}__q{i}"] = forms.IntegerField(
                    required=False,
                    min_value=0,
                    max_value=1_000_000,
                    initial=quantities[i] if i < len(quantities) else None,
                    widget=forms.NumberInput(
                        attrs={"class": "form-control form-control-sm", "min": 0}
                    ),
                )

        if disabled:
            for field in self.fields.values():
                field.disabled = True

    def _rating_field(self, name, category, row, i):
        self.fields[name] = forms.TypedChoiceField(
            choices=_rating_choices(category),
            coerce=int,
            empty_value=None,
            required=False,
            initial=str(row[i]) if i < len(row) and row[i] is not None else "",
            # Named for screen readers by the select itself: a label element a cell made the
            # grid a tenth longer.
            widget=QuickSelect(
                attrs={
                    "class": "form-select form-select-sm bia-rating",
                    "data-category": category["code"],
                    "aria-label": _("%(category)s at %(time)s")
                    % {
                        "category": local_name(category),
                        "time": human_minutes(self.framework.time_points[i]),
                    },
                }
            ),
        )

    # The layout the template walks.
    def grid(self, prefix: str = "r", period: str | None = None):
        fw = self.framework
        rows = []
        for cat in fw.categories:
            key = f"{prefix}__{period}__{cat['code']}" if period else f"{prefix}__{cat['code']}"
            rows.append(
                {
                    "category": cat,
                    "name": local_name(cat),
                    "threshold": cat["threshold"],
                    "levels": [local_name(level) for level in cat["levels"]],
                    "cells": [self[f"{key}__{i}"] for i in range(len(fw.time_points))],
                }
            )
        return rows

    def peak_grids(self):
        names = {p["code"]: local_name(p) for p in self.framework.peak_periods}
        return [
            {"code": code, "name": names[code], "rows": self.grid("p", code)}
            for code in self.peak_codes
        ]

    def loss_cells(self):
        return [self[f"loss__{i}"] for i in range(len(self.framework.time_points))]

    def resource_table(self):
        return [
            {
                "kind": self[f"res__{n}__kind"],
                "description": self[f"res__{n}__description"],
                "quantities": [
                    self[f"res__{n}__q{i}"] for i in range(len(self.framework.resource_points))
                ],
            }
            for n in range(self.resource_rows)
        ]

    def answers(self) -> dict:
        """The cleaned form as the keyword arguments of services.assessment_save."""
        fw = self.framework
        data = self.cleaned_data

        def grid(key):
            return {
                cat["code"]: [
                    data.get(f"{key}{cat['code']}__{i}") for i in range(len(fw.time_points))
                ]
                for cat in fw.categories
            }

        ratings = grid("r__")
        if self.data.get("carry"):
            from resilia.engine.bia import carry_right

            ratings = {code: carry_right(row) for code, row in ratings.items()}
        peaks = {}
        for period in self.peak_codes:
            if self.data.get(f"drop_peak__{period}"):
                continue
            rows = grid(f"p__{period}__")
            if rows != ratings:
                peaks[period] = rows
        losses = [data.get(f"loss__{i}") for i in range(len(fw.time_points))]
        losses = [None if v is None else (int(v) if v == int(v) else float(v)) for v in losses]
        resources = []
        for n in range(self.resource_rows):
            kind = data.get(f"res__{n}__kind")
            quantities = [data.get(f"res__{n}__q{i}") for i in range(len(fw.resource_points))]
            description = (data.get(f"res__{n}__description") or "").strip()
            if not kind and not description and all(q is None for q in quantities):
                continue
            resources.append(
                {"kind": kind or "", "description": description, "quantities": quantities}
            )
        fields = {
            name: data.get(name)
            for name in (
                "rto",
                "rto_all",
                "rpo",
                "mbco_level",
                "mbco",
                "workaround",
                "workaround_minutes",
                "alternate_site",
                "dependencies_confirmed",
                "customer_facing",
                "accounting",
                "time_critical",
                "severe_impact",
            )
        }
        return {
            "ratings": ratings,
            "peaks": peaks,
            "losses": losses if any(v is not None for v in losses) else [],
            "resources": resources,
            **fields,
        }


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("comment"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text=_("What the coordinator should change."),
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("comment"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )


class ApproveForm(forms.Form):
    mtpd_override = DurationMinutesField(
        label=_("approved MTPD"),
        required=False,
        help_text=_("Leave empty to approve the derived MTPD."),
    )
    override_reason = forms.CharField(
        label=_("reason for a different MTPD"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    comment = forms.CharField(
        label=_("comment"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mtpd_override"].widget.attrs["class"] = "form-control"


class FrameworkForm(forms.Form):
    """The framework editor: thresholds and names per category, the time points and the tier
    bands as durations. Saving makes a new version."""

    time_points = forms.CharField(
        label=_("time points"),
        help_text=_("Durations in ascending order, separated by commas: 1h, 4h, 1d, 1w."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    note = forms.CharField(
        label=_("what changed"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.initial["time_points"] = ", ".join(human_minutes(m) for m in framework.time_points)
        for cat in framework.categories:
            code = cat["code"]
            self.fields[f"cat__{code}__name"] = forms.CharField(
                label=_("name"),
                initial=cat.get("name", ""),
                max_length=100,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[f"cat__{code}__name_en"] = forms.CharField(
                label=_("English name"),
                initial=cat.get("name_en", ""),
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[f"cat__{code}__threshold"] = forms.TypedChoiceField(
                label=_("unacceptable from level"),
                coerce=int,
                choices=[(str(i), str(i)) for i in range(1, len(cat["levels"]) + 1)],
                initial=str(cat["threshold"]),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        for n, tier in enumerate(framework.tiers):
            if tier.get("max_rto") is None:
                continue
            self.fields[f"tier__{n}"] = DurationMinutesField(
                label=local_name(tier), initial=tier["max_rto"]
            )
            self.fields[f"tier__{n}"].widget.attrs["class"] = "form-control form-control-sm"

    def clean_time_points(self):
        points = []
        for part in re.split(r"[,，、;；]+", self.cleaned_data["time_points"]):
            part = part.strip()
            if not part:
                continue
            try:
                points.append(parse_minutes(part))
            except DurationError:
                raise forms.ValidationError(
                    _("%(value)s is not a duration (e.g. 4h, 2d, 1w).") % {"value": part}
                ) from None
        return points

    def category_rows(self):
        return [
            {
                "category": cat,
                "name": self[f"cat__{cat['code']}__name"],
                "name_en": self[f"cat__{cat['code']}__name_en"],
                "threshold": self[f"cat__{cat['code']}__threshold"],
                "levels": [local_name(level) for level in cat["levels"]],
            }
            for cat in self.framework.categories
        ]

    def tier_fields(self):
        return [self[name] for name in self.fields if name.startswith("tier__")]

    def framework_fields(self) -> dict:
        fw = self.framework
        data = self.cleaned_data
        categories = []
        for cat in fw.categories:
            code = cat["code"]
            categories.append(
                {
                    **cat,
                    "name": data[f"cat__{code}__name"],
                    "name_en": data[f"cat__{code}__name_en"],
                    "threshold": data[f"cat__{code}__threshold"],
                }
            )
        tiers = []
        for n, tier in enumerate(fw.tiers):
            tiers.append(
                {
                    **tier,
                    "max_rto": data.get(f"tier__{n}") if tier.get("max_rto") is not None else None,
                }
            )
        return {"categories": categories, "time_points": data["time_points"], "tiers": tiers}
