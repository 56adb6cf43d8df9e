"""The structured editor of the risk matrix rule pack (issue 10 item 2).

One page edits a new version: the likelihood levels with their frequency anchors, the impact
levels tied to the BIA rating scale, the scoring (product or a full cell table), the bands
with their colours, score ranges and review intervals, and the appetite. Rows are plain
formsets, so the page works without JavaScript: blank extra rows are ignored, a ticked
"Remove" drops a row. resilia/risk/static/risk/matrix.js only reveals rows and previews the
colours. The matrix rules themselves are checked once, by validation.check_matrix, when the
service saves the version.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.bia.models import FrameworkVersion, local_name
from resilia.core.forms import style_widgets
from resilia.core.models import code_validator
from resilia.engine import risk as engine

MAX_LEVELS = engine.MAX_LEVELS
MAX_BANDS = 8

COLOURS = [
    ("blue", gettext_lazy("Blue")),
    ("green", gettext_lazy("Green")),
    ("yellow", gettext_lazy("Yellow")),
    ("orange", gettext_lazy("Orange")),
    ("red", gettext_lazy("Red")),
    ("grey", gettext_lazy("Grey")),
]
METHODS = [
    ("product", gettext_lazy("Likelihood × impact")),
    ("table", gettext_lazy("A full cell table")),
]


class Row(forms.Form):
    """A row of one of the editor's tables, styled; its inputs sized for a table cell."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] += " form-control-sm"


class LikelihoodLevelForm(Row):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=100, required=False)
    anchor = forms.CharField(label=gettext_lazy("frequency anchor"), max_length=200, required=False)
    anchor_en = forms.CharField(
        label=gettext_lazy("English frequency anchor"), max_length=200, required=False
    )


class ImpactLevelForm(Row):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=100, required=False)
    description = forms.CharField(label=gettext_lazy("description"), max_length=500, required=False)
    description_en = forms.CharField(
        label=gettext_lazy("English description"), max_length=500, required=False
    )
    bia_level = forms.TypedChoiceField(
        label=gettext_lazy("BIA rating"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, bia_levels: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bia_level"].choices = [("", "—"), *bia_levels]


class BandForm(Row):
    code = forms.CharField(label=gettext_lazy("code"), max_length=50, validators=[code_validator])
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=100, required=False)
    colour = forms.ChoiceField(label=gettext_lazy("colour"), choices=[("", "—"), *COLOURS])
    min = forms.IntegerField(label=gettext_lazy("lowest score"), min_value=1)
    max = forms.IntegerField(label=gettext_lazy("highest score"), min_value=1)
    review_days = forms.IntegerField(
        label=gettext_lazy("review every (days)"), min_value=1, max_value=3650
    )


class Rows(forms.BaseFormSet):
    """A row table: its "Remove" box styled and marked for matrix.js."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = gettext_lazy("Remove")
            form.fields["DELETE"].widget.attrs.update({"class": "form-check-input",
                                                       "data-remove-row": ""})  # fmt: skip


def _rows(form, most):
    return forms.formset_factory(form, formset=Rows, extra=most, max_num=most, can_delete=True)


LikelihoodFormSet = _rows(LikelihoodLevelForm, MAX_LEVELS)
ImpactFormSet = _rows(ImpactLevelForm, MAX_LEVELS)
BandFormSet = _rows(BandForm, MAX_BANDS)


class MatrixForm(forms.Form):
    """What is not a row: the scoring, the appetite (a band row, by its position) and a note."""

    method = forms.ChoiceField(label=gettext_lazy("scoring"), choices=METHODS)
    appetite = forms.TypedChoiceField(
        label=gettext_lazy("risk appetite"),
        coerce=int,
        choices=[(i, str(i)) for i in range(MAX_BANDS)],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the appetite: the lowest band that "
                                                 "needs treatment.")},
    )  # fmt: skip
    note = forms.CharField(label=gettext_lazy("note"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = {"class": "form-select", "data-matrix-method": ""}
        self.fields["method"].widget.attrs.update(attrs)
        self.fields["note"].widget.attrs["class"] = "form-control"


def bia_levels(framework: FrameworkVersion | None = None) -> list[tuple[int, str]]:
    """The levels of the BIA rating scale an impact level may be tied to: (n, "n · name")."""
    if framework is None:
        framework = FrameworkVersion.objects.order_by("-number").first()
    if framework is not None:
        categories = framework.categories
    else:  # nothing saved yet: the default framework, read without writing it
        from resilia.bia import defaults

        categories = defaults.CATEGORIES
    ratings = [c for c in categories if c.get("kind") == "rating"] or list(categories)
    levels = max((c.get("levels") or [] for c in ratings), key=len, default=[])
    return [(n, f"{n} · {local_name(level)}") for n, level in enumerate(levels, start=1)]


def _kept(formset) -> list[dict]:
    """The cleaned rows a formset keeps: not removed, not blank extras."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if data and not data.get("DELETE"):
            rows.append({k: v for k, v in data.items() if k != "DELETE"})
    return rows


def _kept_forms(formset) -> list:
    return [
        f
        for f in formset.forms
        if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")
    ]


class MatrixEditor:
    """The matrix form, the three row tables and the cell grid, bound together.

    `pack()` (after `is_valid()`) is the rule-pack data services.matrix_save takes; the
    matrix rules (sizes, overlapping or missing bands ...) are the service's to check.
    """

    def __init__(self, data=None, *, matrix):
        self.bound = data is not None
        levels = bia_levels(matrix.bia_framework if matrix.pk else None)
        self.bia_choices = levels
        kwargs = {} if self.bound else self._initial(matrix)
        self.form = MatrixForm(data, initial=kwargs.get("form"))
        self.likelihood = LikelihoodFormSet(
            data, initial=kwargs.get("likelihood"), prefix="likelihood"
        )
        self.impact = ImpactFormSet(
            data,
            initial=kwargs.get("impact"),
            prefix="impact",
            form_kwargs={"bia_levels": levels},
        )
        self.bands = BandFormSet(data, initial=kwargs.get("bands"), prefix="bands")
        self.data = data
        self.matrix = matrix
        self.errors: list[str] = []
        self._table = None

    @staticmethod
    def _initial(matrix) -> dict:
        keys = {
            "likelihood": ("name", "name_en", "anchor", "anchor_en"),
            "impact": ("name", "name_en", "description", "description_en", "bia_level"),
            "bands": ("code", "name", "name_en", "colour", "min", "max", "review_days"),
        }
        initial = {
            axis: [{k: row.get(k) for k in names} for row in getattr(matrix, axis)]
            for axis, names in keys.items()
        }
        codes = [b["code"] for b in matrix.bands]
        initial["form"] = {
            "method": matrix.method,
            "appetite": codes.index(matrix.appetite) if matrix.appetite in codes else None,
        }
        return initial

    # --- reading ---------------------------------------------------------------------------

    def is_valid(self) -> bool:
        parts = (self.form, self.likelihood, self.impact, self.bands)
        valid = all([p.is_valid() for p in parts])  # every part, so that all errors show
        if not valid:
            return False
        appetite = self.form.cleaned_data["appetite"]
        band_forms = self.bands.forms
        if not (
            appetite < len(band_forms)
            and getattr(band_forms[appetite], "cleaned_data", None)
            and not band_forms[appetite].cleaned_data.get("DELETE")
        ):
            self.errors.append(_("The appetite must be one of the bands kept."))
            return False
        if self.form.cleaned_data["method"] == "table":
            return self._read_table()
        return True

    def _read_table(self) -> bool:
        n_l, n_i = len(_kept(self.likelihood)), len(_kept(self.impact))
        if not (engine.MIN_LEVELS <= n_l <= MAX_LEVELS and engine.MIN_LEVELS <= n_i <= MAX_LEVELS):
            self._table = []  # the service names the wrong size
            return True
        table = []
        for lk in range(1, n_l + 1):
            row = []
            for im in range(1, n_i + 1):
                raw = (self.data.get(f"cell-{lk}-{im}") or "").strip()
                try:
                    value = int(raw)
                except ValueError:
                    value = 0
                if value < 1:
                    self.errors.append(
                        _(
                            "Every cell of the score table needs a whole number of at least 1 "
                            "(likelihood %(likelihood)d, impact %(impact)d)."
                        )
                        % {"likelihood": lk, "impact": im}
                    )
                    return False
                row.append(value)
            table.append(row)
        self._table = table
        return True

    def pack(self) -> dict:
        band_forms = self.bands.forms
        method = self.form.cleaned_data["method"]
        return {
            "likelihood": [_compact(r) for r in _kept(self.likelihood)],
            "impact": [_compact(r) for r in _kept(self.impact)],
            "method": method,
            "table": self._table if method == "table" else None,
            "bands": [_compact(r) for r in _kept(self.bands)],
            "appetite": band_forms[self.form.cleaned_data["appetite"]].cleaned_data["code"],
            "note": self.form.cleaned_data["note"],
        }

    # --- showing ---------------------------------------------------------------------------

    def _counts(self) -> tuple[int, int]:
        if not self.bound:
            return len(self.matrix.likelihood), len(self.matrix.impact)

        def count(formset):
            return sum(
                1
                for i, f in enumerate(formset.forms)
                if not (f.is_bound and f.data.get(f.add_prefix("DELETE")))
                and (i < formset.initial_form_count() or f.has_changed())
            )

        return count(self.likelihood), count(self.impact)

    def grid(self) -> dict:
        """The editable cell grid, highest likelihood first (as the heat maps read): every
        cell of a 6×6 grid, those outside the current size hidden (matrix.js shows them)."""
        n_l, n_i = self._counts()
        m = self.matrix
        saved = m.table if m.method == "table" and m.table else None
        colours = {}
        if not self.bound:
            try:
                shape = m.engine
            except (KeyError, TypeError, ValueError):
                shape = None
            if shape is not None:
                for lk in range(1, n_l + 1):
                    for im in range(1, n_i + 1):
                        try:
                            colours[lk, im] = engine.band_of(
                                shape, engine.cell_score(shape, lk, im)
                            ).colour
                        except LookupError:
                            colours[lk, im] = "grey"
        rows = []
        for lk in range(MAX_LEVELS, 0, -1):
            cells = []
            for im in range(1, MAX_LEVELS + 1):
                if self.bound:
                    value = self.data.get(f"cell-{lk}-{im}", "")
                elif saved and lk <= len(saved) and im <= len(saved[lk - 1]):
                    value = saved[lk - 1][im - 1]
                else:
                    value = lk * im
                cells.append(
                    {
                        "likelihood": lk,
                        "impact": im,
                        "value": value,
                        "shown": lk <= n_l and im <= n_i,
                        "colour": colours.get((lk, im), ""),
                    }
                )
            rows.append({"level": lk, "shown": lk <= n_l, "cells": cells})
        return {"rows": rows, "columns": [{"level": i, "shown": i <= n_i}
                                          for i in range(1, MAX_LEVELS + 1)]}  # fmt: skip

    def appetite_value(self):
        value = self.form["appetite"].value()
        return "" if value is None else str(value)


def _compact(row: dict) -> dict:
    """A level or band as stored: blank optional texts and an unset BIA level left out."""
    return {k: v for k, v in row.items() if v not in ("", None)}
