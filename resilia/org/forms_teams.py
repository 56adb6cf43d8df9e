"""The team and team-membership forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.forms import StyledForm, TreeUnitChoiceField, with_current
from resilia.org import rules
from resilia.org.forms import autocomplete
from resilia.org.models import Person, Team, TeamMembership, Unit


class TeamForm(StyledForm):
    """A team. Teams without a unit (steering group, BCM office) belong to the whole
    organisation: only organisation-wide writers create them."""

    class Meta:
        model = Team
        fields = ["code", "name", "name_en", "kind", "unit", "responsibilities"]
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
            unit.help_text = _("Empty for an organisation-wide team such as the steering group.")
        self.fields["responsibilities"].widget.attrs["rows"] = 5
        autocomplete(unit, "unit", write=True)

    def clean_unit(self):
        unit = self.cleaned_data.get("unit")
        message = rules.placement_error(self.user, Team, unit, instance=self.instance)
        if message:
            raise forms.ValidationError(message)
        return unit


class MembershipForm(StyledForm):
    """A member of a team: a person the user may read, their role and responsibilities.

    The person is fixed once added (remove and add again to replace someone), so that the
    audit trail of a membership always concerns one person.
    """

    class Meta:
        model = TeamMembership
        fields = ["person", "role", "responsibilities"]

    def __init__(self, *args, user, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        if self.instance.pk:
            del self.fields["person"]
        else:
            person = self.fields["person"]
            person.queryset = Person.objects.for_user(user).order_by("full_name", "pk")
            autocomplete(person, "person")
        self.fields["responsibilities"].widget.attrs["rows"] = 2

    def clean_person(self):
        person = self.cleaned_data.get("person")
        if person is not None and self.team.memberships.filter(person=person).exists():
            raise forms.ValidationError(_("This person is already a member of the team."))
        return person
