"""Forms of incidents; every choice comes through the access choke point, every rule is the
services' (the forms only shape the input).

Affected sites, resources and activities are the kit's pickers (core/pickers.py): searched
by name or code as you type among what the user may read, so a bank's 90,000 resources never
render as options; without JavaScript the box still takes the codes the duty officer reads
off the monitoring screen.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resilia.core.forms import autocomplete as kit_autocomplete
from resilia.core.forms import keep_unseen, style_widgets
from resilia.core.models import in_reader_language
from resilia.dependencies.models import Activity, Resource
from resilia.incidents import services
from resilia.incidents.models import NEXT, Category, EntryKind, RoleKind, Status
from resilia.org.forms import autocomplete
from resilia.org.models import Person, Site, Unit


def _when(**attrs) -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local", **attrs}, format="%Y-%m-%dT%H:%M")


class Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


# The kit's picker endpoints (URL name, args), each answering through the access layer.
PICKERS = {
    "sites": ("org:autocomplete", ["site"]),
    "resources": ("dependencies:autocomplete", ["resource"]),
    "activities": ("dependencies:autocomplete", ["activity"]),
}
SCOPE = {"sites": Site, "resources": Resource, "activities": Activity}


def _affected(label, help_text) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Site.objects.none(),
        required=False,
        help_text=help_text,
        error_messages={
            "invalid_choice": _("Unknown, or not visible to you: %(value)s."),
            "invalid_pk_value": _("Unknown, or not visible to you: %(pk)s."),
        },
    )


def _site(help_text) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        help_text=help_text,
        error_messages={"invalid_choice": _("Unknown site, or not visible to you.")},
    )


def _site_picker(form, user) -> None:
    form.fields["site"].queryset = Site.objects.for_user(user).order_by("code")
    autocomplete(form.fields["site"], "site")


def _fact_fields(form, packs, initial_facts=None):
    """One field per entered fact of the packs (a fact two packs share, once)."""
    seen = set()
    for pack in packs:
        for spec in pack.rules.get("facts") or ():
            code = spec["code"]
            if spec.get("derived") or code in seen:
                continue
            seen.add(code)
            label = in_reader_language(spec.get("name", code), spec.get("name_en", ""))
            if spec.get("kind") == "choice":
                choices = [("", "—")] + [
                    (c["code"], in_reader_language(c.get("name", c["code"]), c.get("name_en", "")))
                    for c in spec.get("choices") or ()
                ]
                field = forms.ChoiceField(label=label, choices=choices, required=False)
            else:
                suffix = " (%)" if spec.get("kind") == "percent" else ""
                field = forms.CharField(label=f"{label}{suffix}", required=False, max_length=20)
                field.widget.attrs["inputmode"] = "decimal"
            field.help_text = pack.display_name if len(packs) > 1 else ""
            if initial_facts and code in initial_facts:
                field.initial = initial_facts[code]
            form.fields[f"fact_{code}"] = field


def _facts_of(form) -> dict:
    return {
        name.removeprefix("fact_"): value
        for name, value in form.cleaned_data.items()
        if name.startswith("fact_") and value not in (None, "")
    }


class IncidentForm(Styled):
    """Declare an incident, or change what is known of one."""

    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    detected_at = forms.DateTimeField(
        label=_("Detected"),
        widget=_when(),
        help_text=_("When the disruption began or was noticed, in your time zone."),
        error_messages={"invalid": _("Write the time as 2026-05-01 09:00.")},
    )
    sites = _affected(_("Affected sites"), _("Search by name or code, e.g. DC1."))
    resources = _affected(_("Affected resources"), _("Search by name or code, e.g. CORE."))
    activities = _affected(_("Affected activities"), _("Search by name or code, e.g. PAY."))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea, required=False, max_length=10000
    )

    def __init__(self, *args, user, incident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.incident = incident
        self.readable = {}
        for name, model in SCOPE.items():
            self.readable[name] = model.objects.for_user(user)
            self.fields[name].queryset = self.readable[name].order_by("code")
            kit_autocomplete(self.fields[name], PICKERS[name])
            if incident is not None:
                # Only what the user may read is shown (and so submitted) as chosen; the rest
                # is kept by clean(): an edit never drops what lies outside its editor's scope.
                saved = getattr(incident, name).filter(pk__in=self.readable[name].values("pk"))
                self.initial[name] = list(saved.order_by("code").values_list("pk", flat=True))
        if incident is None:
            self.packs = list(services.current_packs())
            self.fields["pack"] = forms.ModelChoiceField(
                label=_("Grading pack"),
                queryset=services.current_packs(),
                empty_label=None,
                help_text=_("The rules that give the response level and the reports due."),
            )
            self.fields["pack"].label_from_instance = lambda p: p.display_name
            self.fields["unit"] = forms.ModelChoiceField(
                label=_("Unit"),
                queryset=Unit.objects.for_user(user).order_by("path"),
                required=False,
                help_text=_("The unit that owns the incident; leave empty for the whole "
                            "organisation."),
            )  # fmt: skip
            autocomplete(self.fields["unit"], "unit")
            self.fields["is_drill"] = forms.BooleanField(
                label=_("This is a drill (演练)"), required=False
            )
            self.fields["level_reason"] = forms.CharField(
                label=_("Reason for a level the rules do not give"),
                widget=forms.Textarea,
                required=False,
            )
            if not self.is_bound:
                self.fields["detected_at"].initial = timezone.localtime().replace(
                    second=0, microsecond=0
                )
            _fact_fields(self, self.packs)
        else:
            self.packs = [incident.pack]
            del self.fields["detected_at"]
            _fact_fields(self, self.packs, incident.facts)
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        if self.incident is not None:
            for name in SCOPE:
                if name in cleaned:
                    cleaned[name] = keep_unseen(
                        cleaned[name], getattr(self.incident, name), self.readable[name]
                    )
        cleaned["facts"] = _facts_of(self)
        return cleaned


class LevelForm(Styled):
    level = forms.ChoiceField(label=_("Response level"), required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, required=False)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        levels = sorted(incident.pack.rules.get("levels") or (), key=lambda lv: -lv["rank"])
        self.fields["level"].choices = [("", _("No level"))] + [
            (lv["code"], in_reader_language(lv.get("name", lv["code"]), lv.get("name_en", "")))
            for lv in levels
        ]
        self.fields["level"].initial = incident.level


class StatusForm(Styled):
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Status.choices)
        self.fields["status"].choices = [(s, labels[s]) for s in NEXT.get(incident.status, ())]


class JournalForm(Styled):
    kind = forms.ChoiceField(label=_("Kind"), choices=EntryKind.choices, initial="event")
    text = forms.CharField(label=_("Text"), widget=forms.Textarea, max_length=5000)
    at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=_when(),
        help_text=_("Leave empty for now."),
        error_messages={"invalid": _("Write the time as 2026-05-01 09:00.")},
    )


class RoleForm(Styled):
    role = forms.ChoiceField(label=_("Role"), choices=RoleKind.choices)
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the chosen person renders as an option; the rest come by search as you type.
        people = Person.objects.for_user(user).order_by("full_name", "pk")
        self.fields["person"].queryset = people
        autocomplete(self.fields["person"], "person")


class ReportForm(Styled):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 16}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["rows"] = 16


class ReviewForm(Styled):
    timeline = forms.CharField(label=_("Timeline"), widget=forms.Textarea)
    downtime_minutes = forms.IntegerField(label=_("Downtime (minutes)"), min_value=0)
    data_loss_minutes = forms.IntegerField(label=_("Data loss (minutes)"), min_value=0, initial=0)
    cost = forms.DecimalField(
        label=_("Cost (yuan)"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    causes = forms.CharField(label=_("Causes"), widget=forms.Textarea)
    lessons = forms.CharField(label=_("Lessons learned"), widget=forms.Textarea)


class ActionForm(Styled):
    title = forms.CharField(label=_("Corrective action"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.none())
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.for_user(user).order_by("full_name", "pk")
        autocomplete(self.fields["owner"], "person")


class ActivateForm(Styled):
    version = forms.ModelChoiceField(label=_("Plan"), queryset=None, empty_label=None)
    parent = forms.ModelChoiceField(
        label=_("Activated under"), queryset=None, required=False,
        help_text=_("For a plan nested in another already activated."),
    )  # fmt: skip
    notify = forms.BooleanField(
        label=_("Notify the plan's call tree"), required=False, initial=True
    )

    def __init__(self, *args, incident, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions
        self.fields["version"].label_from_instance = lambda v: (
            f"{v.plan.code} · {v.plan.display_name} v{v.number}"
        )
        self.fields["parent"].queryset = incident.activations.select_related("plan_version__plan")
        self.fields["parent"].label_from_instance = lambda a: a.plan_version.plan.display_name
        if not incident.activations.exists():
            del self.fields["parent"]


class TaskForm(Styled):
    state = forms.ChoiceField(label=_("State"), choices=())
    at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=_when(),
        help_text=_("Leave empty for now."),
        error_messages={"invalid": _("Write the time as 2026-05-01 09:00.")},
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from resilia.incidents.models import TaskState

        self.fields["state"].choices = TaskState.choices


class AnomalyForm(Styled):
    """What anyone reports by a reporting link (no account), or the duty officer logs."""

    what = forms.CharField(label=_("What happened"), widget=forms.Textarea, max_length=5000)
    location = forms.CharField(label=_("Where"), required=False, max_length=300)
    noticed_at = forms.DateTimeField(
        label=_("Noticed"),
        required=False,
        widget=_when(),
        help_text=_("Leave empty for now."),
        error_messages={"invalid": _("Write the time as 2026-05-01 09:00.")},
    )
    reporter_name = forms.CharField(label=_("Your name"), required=False, max_length=100)
    reporter_phone = forms.CharField(label=_("Your phone"), required=False, max_length=40)


class HotlineForm(AnomalyForm):
    site = _site(_("Search by name or code, e.g. DC-MAIN."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["reporter_name"].label = _("Caller")
        self.fields["reporter_phone"].label = _("Caller's phone")
        _site_picker(self, user)


class LinkForm(Styled):
    label = forms.CharField(label=_("Label"), max_length=200, help_text=_("e.g. 主数据中心 poster"))
    site = _site(_("Search by name or code; leave empty for any site."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _site_picker(self, user)


class DismissForm(Styled):
    reason = forms.CharField(label=_("Reason for dismissing"), widget=forms.Textarea)


class AchievedForm(forms.Form):
    """Per failed resource, the recovery time and point achieved (minutes), each optional."""

    def __init__(self, *args, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.resources = resources
        for r in resources:
            self.fields[f"rto_{r.pk}"] = forms.IntegerField(
                label=_("%(code)s: recovery time achieved (minutes)") % {"code": r.code},
                min_value=0, max_value=525600, required=False,
            )  # fmt: skip
            self.fields[f"rpo_{r.pk}"] = forms.IntegerField(
                label=_("%(code)s: data lost (minutes)") % {"code": r.code},
                min_value=0, max_value=525600, required=False,
            )  # fmt: skip
        style_widgets(self)

    def values(self) -> dict:
        return {
            r: (self.cleaned_data.get(f"rto_{r.pk}"), self.cleaned_data.get(f"rpo_{r.pk}"))
            for r in self.resources
        }
