"""The site form: owning unit among the units the user may write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.forms import StyledForm, TreeUnitChoiceField, with_current
from resilia.org import rules
from resilia.org.forms import autocomplete
from resilia.org.models import Site, Unit


class SiteForm(StyledForm):
    """A site. Coordinators must give it a unit of their subtree: a site without a unit is
    shared, and only organisation-wide writers may change shared sites."""

    class Meta:
        model = Site
        fields = ["code", "name", "name_en", "kind", "address", "seat_capacity", "unit", "notes"]
        field_classes = {"unit": TreeUnitChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        unit = self.fields["unit"]
        unit.queryset = with_current(
            Unit.objects.for_user(user, write=True), self.instance.unit_id
        ).order_by("path")
        # Not required: an empty unit is refused, or allowed, by the placement rule in
        # clean_unit, with the message the API and the importer give.
        unit.required = False
        if access.may_place_unscoped(user):
            unit.help_text = _("Empty for a site shared by the whole organisation.")
        self.fields["seat_capacity"].widget.attrs["min"] = 0
        autocomplete(unit, "unit", write=True)

    def clean_unit(self):
        unit = self.cleaned_data.get("unit")
        message = rules.placement_error(self.user, Site, unit, instance=self.instance)
        if message:
            raise forms.ValidationError(message)
        return unit
