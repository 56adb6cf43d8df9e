"""The plans' forms: a new plan from a template, the plan's own fields, and the version
editor — scope and the text sections in one form, the steps, roles and communication
templates as formsets — which together rebuild the structured content (content.py)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from resilia.core.forms import (
    KeepsUnseen,
    StyledForm,
    TreeUnitChoiceField,
    autocomplete,
    style_widgets,
)
from resilia.dependencies.models import Activity, Resource
from resilia.org.models import Person, Site, Team, Unit
from resilia.plans import blueprints
from resilia.plans import content as c
from resilia.plans.models import Plan

SPLIT = re.compile(r"[\s,，、;；]+")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# The kit's picker endpoints (URL name, args): people, sites, units and nodes are searched as
# you type, so a bank's 100,000 people or resources never render as options.
ORG_UNIT = ("org:autocomplete", ["unit"])
ORG_PERSON = ("org:autocomplete", ["person"])
ORG_SITE = ("org:autocomplete", ["site"])
NODES = {kind: ("dependencies:autocomplete", [kind]) for kind in ("activity", "resource")}


class Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class PlanCreateForm(StyledForm):
    blueprint = forms.ChoiceField(label=_("template"), required=False)
    unit = TreeUnitChoiceField(label=_("unit"), queryset=Unit.objects.none())

    class Meta:
        model = Plan
        fields = ["code", "name", "name_en", "kind", "unit", "activity", "resource", "owner"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["blueprint"].choices = [("", _("Blank plan"))] + [
            (b.code, blueprints.name(b.code)) for b in blueprints.BLUEPRINTS
        ]
        self.fields["unit"].queryset = Unit.objects.for_user(user, write=True).order_by("path")
        self.fields["activity"].queryset = Activity.objects.for_user(user).order_by("code")
        self.fields["resource"].queryset = Resource.objects.for_user(user).order_by("code")
        self.fields["owner"].queryset = Person.objects.for_user(user).order_by("full_name")
        autocomplete(self.fields["unit"], ORG_UNIT, write=True)
        autocomplete(self.fields["activity"], NODES["activity"])
        autocomplete(self.fields["resource"], NODES["resource"])
        autocomplete(self.fields["owner"], ORG_PERSON)
        self.order_fields(["blueprint"])


class PlanForm(KeepsUnseen, StyledForm):
    keeps_unseen = ("distribution",)

    distribution = forms.ModelMultipleChoiceField(
        label=_("distribution list"), queryset=Person.objects.none(), required=False
    )

    class Meta:
        model = Plan
        fields = ["name", "name_en", "owner", "review_months", "next_review", "distribution"]
        widgets = {"next_review": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.for_user(user).order_by("full_name")
        self.fields["owner"].queryset = people
        self.fields["distribution"].queryset = people
        autocomplete(self.fields["owner"], ORG_PERSON)
        autocomplete(self.fields["distribution"], ORG_PERSON)
        self.show_readable()


class VersionForm(KeepsUnseen, Styled):
    keeps_unseen = ("activities", "resources", "sites")
    change_note = forms.CharField(label=_("change note"), widget=forms.Textarea)
    activities = forms.ModelMultipleChoiceField(
        label=_("activities in scope"), queryset=Activity.objects.none(), required=False
    )
    resources = forms.ModelMultipleChoiceField(
        label=_("resources in scope"), queryset=Resource.objects.none(), required=False
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("sites in scope"), queryset=Site.objects.none(), required=False
    )
    alternate_site = forms.ModelChoiceField(
        label=_("alternate site"), queryset=Site.objects.none(), required=False
    )
    purpose = forms.CharField(label=_("purpose and scope"), widget=forms.Textarea, required=False)
    criteria = forms.CharField(
        label=_("activation criteria (事件触发要素)"),
        widget=forms.Textarea,
        required=False,
        help_text=_("One per line."),
    )
    who = forms.CharField(label=_("who may activate"), required=False)
    escalation = forms.CharField(
        label=_("escalation"),
        widget=forms.Textarea,
        required=False,
        help_text=_("How emergency handling escalates to business continuity, in general terms."),
    )
    reporting = forms.CharField(
        label=_("reporting"),
        widget=forms.Textarea,
        required=False,
        help_text=_("One line per report: to whom | within (minutes) | path | content."),
    )
    resources_needed = forms.CharField(
        label=_("resources needed"), widget=forms.Textarea, required=False
    )
    vital_records = forms.CharField(label=_("vital records"), widget=forms.Textarea, required=False)
    backlog = forms.CharField(
        label=_("transactions that pile up"), widget=forms.Textarea, required=False
    )

    def __init__(self, *args, user, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["activities"].queryset = Activity.objects.for_user(user).order_by("code")
        self.fields["resources"].queryset = Resource.objects.for_user(user).order_by("code")
        sites = Site.objects.for_user(user).order_by("code")
        self.fields["sites"].queryset = sites
        self.fields["alternate_site"].queryset = sites
        autocomplete(self.fields["activities"], NODES["activity"])
        autocomplete(self.fields["resources"], NODES["resource"])
        autocomplete(self.fields["sites"], ORG_SITE)
        autocomplete(self.fields["alternate_site"], ORG_SITE)
        self.show_readable()

    def saved_rows(self, name):
        """The draft's own scope (the version edited)."""
        return None if self.version is None else getattr(self.version, name).all()

    @staticmethod
    def initial_for(version) -> dict:
        body = c.normalised(version.content)
        return {
            "change_note": version.change_note,
            "activities": list(version.activities.all()),
            "resources": list(version.resources.all()),
            "sites": list(version.sites.all()),
            "alternate_site": version.alternate_site,
            "purpose": body["purpose"],
            "criteria": "\n".join(body["activation"].get("criteria", [])),
            "who": body["activation"].get("who", ""),
            "escalation": body["escalation"],
            "reporting": "\n".join(
                " | ".join(
                    [
                        r.get("to", ""),
                        str(r.get("within") or ""),
                        r.get("path", ""),
                        r.get("content", ""),
                    ]
                )
                for r in body["reporting"]
            ),
            "resources_needed": "\n".join(body["resources"]),
            "vital_records": "\n".join(body["vital_records"]),
            "backlog": "\n".join(body["backlog"]),
        }

    def clean_reporting(self):
        out = []
        for line in _lines(self.cleaned_data["reporting"]):
            parts = [p.strip() for p in line.split("|")] + ["", "", ""]
            within = parts[1]
            if within and not within.isdigit():
                raise forms.ValidationError(
                    _("“%(value)s” is not a number of minutes.") % {"value": within}
                )
            out.append(
                {
                    "to": parts[0],
                    "within": int(within) if within else None,
                    "path": parts[2],
                    "content": parts[3],
                }
            )
        return out


class StepForm(Styled):
    key = forms.CharField(label=_("no."), max_length=20)
    # A blank first choice, so that an untouched extra row stays empty (and is skipped).
    phase = forms.ChoiceField(label=_("phase"), choices=[("", "—"), *c.PHASES])
    who = forms.CharField(label=_("who"), required=False)
    what = forms.CharField(label=_("does what"))
    where = forms.CharField(label=_("where"), required=False)
    how = forms.CharField(label=_("how"), required=False)
    minutes = forms.IntegerField(label=_("minutes"), min_value=0, required=False)
    after = forms.CharField(label=_("after steps"), required=False)
    activities = forms.CharField(label=_("recovers (activity codes)"), required=False)

    def clean_after(self):
        return [k for k in SPLIT.split(self.cleaned_data["after"] or "") if k]

    def clean_activities(self):
        return [k for k in SPLIT.split(self.cleaned_data["activities"] or "") if k]


class RoleForm(Styled):
    role = forms.CharField(label=_("role"))
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none(), required=False)
    person = forms.ModelChoiceField(
        label=_("person"), queryset=Person.objects.none(), required=False
    )
    deputy = forms.ModelChoiceField(
        label=_("deputy"), queryset=Person.objects.none(), required=False
    )
    authority = forms.CharField(label=_("emergency authority"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_user(user).order_by("code")
        people = Person.objects.for_user(user).order_by("full_name")
        self.fields["person"].queryset = people
        self.fields["deputy"].queryset = people
        autocomplete(self.fields["person"], ORG_PERSON)
        autocomplete(self.fields["deputy"], ORG_PERSON)


def _area(rows: int = 2):
    return forms.Textarea(attrs={"rows": rows})


class LevelForm(Styled):
    """One response level (分级管理): when it applies, who decides, what is done, when it
    escalates to the next level and to whom it is reported within what time."""

    # Not required here: the formset says which level lacks its name (content.level_problems),
    # and an untouched extra row stays empty and is skipped.
    name = forms.CharField(label=_("level"), max_length=200, widget=_area(), required=False)
    criteria = forms.CharField(label=_("activation criteria"), widget=_area(), required=False)
    decides = forms.CharField(
        label=_("who activates and decides"), max_length=500, widget=_area(), required=False
    )
    response = forms.CharField(label=_("response measures"), widget=_area(), required=False)
    escalate = forms.CharField(
        label=_("escalates to the next level when"), widget=_area(), required=False
    )
    report_to = forms.CharField(
        label=_("report to"), max_length=500, widget=_area(), required=False
    )
    report_within = forms.IntegerField(
        label=_("report within (minutes)"), min_value=1, max_value=525600, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 2


class BaseLevelFormSet(forms.BaseFormSet):
    """The levels in the order given (the ORDER numbers, or the rows' order), checked by the
    plans' one rule for levels: every level named, no name twice."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The move buttons (plans/levels.js) renumber these; without JavaScript they are typed.
        form.fields["ORDER"].label = _("position")
        form.fields["ORDER"].widget.attrs.update(
            {"class": "form-control plans-level-order", "data-level-order": "", "min": "0"}
        )
        form.fields["DELETE"].widget.attrs.update({"class": "form-check-input"})

    def clean(self):
        super().clean()
        if not self.is_valid():  # a row's own errors first (say, minutes that are not a number)
            return
        problems = c.level_problems(self.levels())
        if problems:
            raise forms.ValidationError(problems)  # every problem, not only the first

    def levels(self) -> list[dict]:
        rows = []
        for form in self.ordered_forms:
            data = form.cleaned_data
            rows.append(
                {
                    **{k: (data.get(k) or "").strip() for k in c.LEVEL_TEXT_FIELDS},
                    "report_within": data.get("report_within"),
                }
            )
        return rows


class CommunicationForm(Styled):
    audience = forms.ChoiceField(label=_("audience"), choices=[("", "—"), *c.AUDIENCES])
    subject = forms.CharField(label=_("subject"))
    body = forms.CharField(label=_("message"), widget=forms.Textarea)


StepFormSet = forms.formset_factory(StepForm, extra=2, can_delete=True)
RoleFormSet = forms.formset_factory(RoleForm, extra=1, can_delete=True)
CommunicationFormSet = forms.formset_factory(CommunicationForm, extra=1, can_delete=True)
LevelFormSet = forms.formset_factory(
    LevelForm, formset=BaseLevelFormSet, extra=1, can_delete=True, can_order=True
)


def formset_initial(version) -> dict:
    body = c.normalised(version.content)
    codes = dict(version.activities.values_list("pk", "code"))
    return {
        "steps": [
            {
                **{k: s.get(k, "") for k in ("key", "phase", "who", "what", "where", "how")},
                "minutes": s.get("minutes"),
                "after": ", ".join(s.get("after") or ()),
                "activities": ", ".join(codes.get(a, str(a)) for a in s.get("activities") or ()),
            }
            for s in body["steps"]
        ],
        "roles": [
            {k: r.get(k) for k in ("role", "team", "person", "deputy", "authority")}
            for r in body["roles"]
        ],
        "communications": body["communications"],
        "levels": c.level_rows(body["levels"]),
    }


def kept(formset) -> list[dict]:
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def build_content(form, steps, roles, comms, levels) -> tuple[dict, list[str]]:
    """The content the forms describe, and the activity codes steps name outside the scope."""
    data = form.cleaned_data
    by_code = {a.code: a.pk for a in data["activities"]}
    unknown = []
    step_rows = []
    for s in kept(steps):
        ids = []
        for code in s["activities"]:
            if code in by_code:
                ids.append(by_code[code])
            else:
                unknown.append(code)
        step_rows.append(
            {
                **{k: s[k] for k in ("key", "phase", "who", "what", "where", "how")},
                "minutes": s["minutes"] or 0,
                "after": s["after"],
                "activities": ids,
            }
        )
    body = {
        "purpose": data["purpose"],
        "activation": {"criteria": _lines(data["criteria"]), "who": data["who"]},
        "levels": levels.levels(),
        "escalation": data["escalation"],
        "reporting": data["reporting"],
        "roles": [
            {
                "role": r["role"],
                "team": r["team"].pk if r["team"] else None,
                "person": r["person"].pk if r["person"] else None,
                "deputy": r["deputy"].pk if r["deputy"] else None,
                "authority": r["authority"],
            }
            for r in kept(roles)
        ],
        "steps": step_rows,
        "resources": _lines(data["resources_needed"]),
        "vital_records": _lines(data["vital_records"]),
        "backlog": _lines(data["backlog"]),
        "communications": [
            {"audience": m["audience"], "subject": m["subject"], "body": m["body"]}
            for m in kept(comms)
        ],
    }
    return body, unknown


class SignForm(Styled):
    password = forms.CharField(
        label=_("your password"),
        widget=forms.PasswordInput,
        help_text=_("Signing asks for your password again."),
    )
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea, required=False)


class ReturnForm(Styled):
    comment = forms.CharField(label=_("what should change"), widget=forms.Textarea)


class NewVersionForm(Styled):
    change_note = forms.CharField(label=_("change note"), widget=forms.Textarea)
