"""Forms of the organisation registers.

Choices come through the access choke point: a user only ever picks units they may write
(as parent or home unit) and people and sites they may read. The forms validate; the views
hand `cleaned_data` to the services, which validate again and audit.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resilia.core.forms import StyledForm, TreeUnitChoiceField, with_current
from resilia.core.forms import autocomplete as kit_autocomplete
from resilia.org import rules
from resilia.org.models import Person, Site, Unit


def autocomplete(field: forms.Field, kind: str, *, write: bool = False) -> None:
    """Search-as-you-type over the organisation's units, people, sites or teams."""
    kit_autocomplete(field, reverse("org:autocomplete", args=[kind]), write=write)


class UnitForm(StyledForm):
    """A unit: parent among the units the user may write, head among readable people."""

    class Meta:
        model = Unit
        fields = ["code", "name", "name_en", "kind", "parent", "head", "description"]
        field_classes = {"parent": TreeUnitChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        parent = self.fields["parent"]
        parent.queryset = with_current(
            Unit.objects.for_user(user, write=True), self.instance.parent_id
        ).order_by("path")
        # Not required: an empty parent (the top of the tree) is refused, or allowed, by the
        # placement rule in clean_parent, with the message the API and the importer give.
        parent.required = False
        self.fields["head"].queryset = with_current(
            Person.objects.for_user(user), self.instance.head_id
        ).order_by("full_name", "pk")
        autocomplete(parent, "unit", write=True)
        autocomplete(self.fields["head"], "person")

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        message = rules.placement_error(self.user, Unit, parent, instance=self.instance)
        if message:
            raise forms.ValidationError(message)
        return parent


class PersonForm(StyledForm):
    """A person: unit among writable units, site and deputy among readable ones."""

    class Meta:
        model = Person
        fields = [
            "employee_no",
            "full_name",
            "title",
            "unit",
            "site",
            "deputy",
            "mobile",
            "office_phone",
            "email",
            "wecom_id",
            "dingtalk_id",
            "feishu_id",
            "is_key_person",
            "is_active",
            "notes",
        ]
        field_classes = {"unit": TreeUnitChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = with_current(
            Unit.objects.for_user(user, write=True), self.instance.unit_id
        ).order_by("path")
        self.fields["site"].queryset = with_current(
            Site.objects.for_user(user), self.instance.site_id
        ).order_by("code")
        self.fields["deputy"].queryset = with_current(
            Person.objects.for_user(user), self.instance.deputy_id
        ).order_by("full_name", "pk")
        autocomplete(self.fields["unit"], "unit", write=True)
        autocomplete(self.fields["deputy"], "person")

    def clean_unit(self):
        unit = self.cleaned_data.get("unit")
        message = rules.placement_error(self.user, Person, unit, instance=self.instance)
        if unit is not None and message:
            raise forms.ValidationError(message)
        return unit

    def clean_deputy(self):
        deputy = self.cleaned_data.get("deputy")
        if deputy is not None and self.instance.pk and deputy.pk == self.instance.pk:
            raise forms.ValidationError(_("A person cannot be their own deputy."))
        return deputy
