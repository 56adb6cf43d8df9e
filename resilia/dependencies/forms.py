"""Forms of the resources, activities and dependency links.

Choices come through the access choke point: units the user may write, people, sites and
nodes the user may read. Long lists (resources, activities) render only the selected options
and are searched as you type (the kit's picker → dependencies:autocomplete), so a page
stays light on a 100,000-node model.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.durations import DurationMinutesField
from resilia.core.forms import StyledForm, TreeUnitChoiceField, with_current
from resilia.core.forms import autocomplete as kit_autocomplete
from resilia.dependencies import rules
from resilia.dependencies.models import Activity, Resource
from resilia.org.forms import autocomplete
from resilia.org.models import Person, Site, Unit


def picker(field: forms.Field, kind: str, *, write: bool = False, labels=None) -> None:
    """Search-as-you-type over activities, resources or both ("node", keys "activity:<pk>")."""
    kit_autocomplete(
        field, reverse("dependencies:autocomplete", args=[kind]), write=write, labels=labels
    )


def _owner_fields(form, user):
    for name in ("owner", "person"):
        if name in form.fields:
            form.fields[name].queryset = with_current(
                Person.objects.for_user(user), getattr(form.instance, f"{name}_id")
            ).order_by("full_name", "pk")
            autocomplete(form.fields[name], "person")


def _unit_field(form, user, model):
    unit = form.fields["unit"]
    unit.queryset = with_current(
        Unit.objects.for_user(user, write=True), form.instance.unit_id
    ).order_by("path")
    autocomplete(unit, "unit", write=True)


def _check_unit(form, model, message):
    unit = form.cleaned_data.get("unit")
    unchanged = form.instance.pk and unit and unit.pk == form.instance.unit_id
    if unit is not None and not unchanged and not access.can_create(form.user, model, unit):
        raise forms.ValidationError(message)
    if model is Resource:
        was_shared = bool(form.instance.pk) and form.instance.unit_id is None
        message = rules.resource_sharing_error(form.user, unit=unit, was_shared=was_shared)
        if message:
            raise forms.ValidationError(message)
    return unit


class ResourceForm(StyledForm):
    """A resource with its achieved and evidenced recovery capability."""

    recovery_time = DurationMinutesField(label=_("achievable recovery time"), required=False)
    recovery_point = DurationMinutesField(label=_("achievable recovery point"), required=False)

    class Meta:
        model = Resource
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "unit",
            "owner",
            "criticality",
            "description",
            "site",
            "person",
            "recovery_time",
            "recovery_point",
            "capability_tested_on",
            "capability_evidence",
            "redundancy",
            "alternates",
        ]
        field_classes = {"unit": TreeUnitChoiceField}
        widgets = {
            "capability_tested_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _unit_field(self, user, Resource)
        # Not required: an empty unit is refused (or allowed) by the sharing rule in clean_unit.
        self.fields["unit"].required = False
        if rules.may_share_resource(user):
            self.fields["unit"].help_text = _("Empty: a resource shared by the whole organisation.")
        _owner_fields(self, user)
        self.fields["site"].queryset = with_current(
            Site.objects.for_user(user), self.instance.site_id
        ).order_by("code")
        autocomplete(self.fields["site"], "site")
        alternates = self.fields["alternates"]
        alternates.queryset = Resource.objects.for_user(user).exclude(pk=self.instance.pk)
        picker(alternates, "resource")

    def clean_unit(self):
        return _check_unit(self, Resource, _("You may not place a resource in this unit."))

    def clean_alternates(self):
        """Alternates the user cannot see are kept: nobody removes what they cannot see."""
        chosen = list(self.cleaned_data.get("alternates") or [])
        if self.instance.pk:
            hidden = self.instance.alternates.exclude(
                pk__in=Resource.objects.for_user(self.user).values("pk")
            )
            chosen += list(hidden)
        return chosen


class ActivityForm(StyledForm):
    """An activity (business process) and its approved objectives; RTO < MTPD."""

    mtpd = DurationMinutesField(label=_("MTPD"), required=False)
    rto = DurationMinutesField(label=_("RTO"), required=False)
    rpo = DurationMinutesField(label=_("RPO"), required=False)

    class Meta:
        model = Activity
        fields = [
            "code",
            "name",
            "name_en",
            "unit",
            "owner",
            "products",
            "description",
            "mtpd",
            "rto",
            "rpo",
            "mbco",
        ]
        field_classes = {"unit": TreeUnitChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _unit_field(self, user, Activity)
        _owner_fields(self, user)
        self.fields["mtpd"].help_text = _("Maximum tolerable period of disruption.")
        self.fields["rto"].help_text = _("Recovery time objective; shorter than the MTPD.")
        self.fields["rpo"].help_text = _("Recovery point objective: the data loss tolerated.")

    def clean_unit(self):
        return _check_unit(self, Activity, _("You may not place an activity in this unit."))

    def clean(self):
        cleaned = super().clean()
        message = rules.objectives_error(mtpd=cleaned.get("mtpd"), rto=cleaned.get("rto"))
        if message and "rto" not in self.errors:
            self.add_error("rto", message)
        return cleaned


class LinkForm(forms.Form):
    """A new link from a node's page: the other end, AND or an OR group, tolerance, note."""

    NEEDS = "needs"
    NEEDED_BY = "needed_by"

    target = forms.CharField(label=capfirst(_("node")))
    group = forms.CharField(
        label=capfirst(_("redundancy group")),
        required=False,
        max_length=100,
        help_text=_("Empty: needed (AND). A group name: any one member of the group will do (OR)."),
    )
    tolerance = DurationMinutesField(
        label=capfirst(_("tolerance")),
        required=False,
        help_text=_("How long the dependent keeps working without it (0 if not at all)."),
    )
    note = forms.CharField(
        label=capfirst(_("note")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("note"), "aria-label": _("note")}),
    )

    def __init__(self, *args, user, direction: str, groups=(), prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix or direction, **kwargs)
        self.direction = direction
        target = self.fields["target"]
        target.label = capfirst(_("needs") if direction == self.NEEDS else _("needed by"))
        # Only nodes whose needs the user may change can be linked from the needed-by end.
        picker(
            target,
            "node",
            write=direction == self.NEEDED_BY,
            labels=lambda values: [(v, node_label(v, user)) for v in values],
        )
        self.groups = sorted(set(groups))
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
        self.fields["group"].widget.attrs["list"] = f"{self.prefix}-groups"

    def clean_tolerance(self):
        value = self.cleaned_data.get("tolerance")
        return 0 if value is None else value


class LinkEditForm(forms.Form):
    """Change a link's group, tolerance or note (its ends stay)."""

    group = LinkForm.base_fields["group"]
    tolerance = LinkForm.base_fields["tolerance"]
    note = LinkForm.base_fields["note"]

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = sorted(set(groups))
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
        self.fields["group"].widget.attrs["list"] = f"{self.prefix or 'edit'}-groups"

    def clean_tolerance(self):
        value = self.cleaned_data.get("tolerance")
        return 0 if value is None else value


def parse_node_key(value: str) -> tuple[type, int] | None:
    """("activity:12") → (Activity, 12); None when the text is not a node key."""
    kind, _sep, pk = (value or "").partition(":")
    model = {"activity": Activity, "resource": Resource}.get(kind)
    if model is None or not pk.isdigit() or len(pk) > 18:
        return None
    return model, int(pk)


def node_label(value: str, user) -> str:
    """The option text of a node key as posted back; one the user cannot read shows as its key."""
    parsed = parse_node_key(value)
    if parsed is None:
        return value
    model, pk = parsed
    obj = model.objects.for_user(user).filter(pk=pk).first()
    return f"{obj.code} · {obj.display_name}" if obj else value
