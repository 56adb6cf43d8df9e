"""The organisation's API: units, people, sites, teams and memberships.

Through the kit's API base (resilia.api): reads through the access choke point, writes
through resilia.org.services. Memberships have no UI register (they are edited on the team
page), so their filter set is declared here.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from resilia.api.serializers import ScopedPrimaryKeyRelatedField, StrictModelSerializer
from resilia.api.viewsets import RegisterViewSet, Services, routes
from resilia.core.filters import SearchFilterSet, readable
from resilia.org import rules
from resilia.org import services as org
from resilia.org.filters import PersonFilterSet, SiteFilterSet, TeamFilterSet, UnitFilterSet
from resilia.org.models import Person, Site, Team, TeamMembership, Unit


class UnitSerializer(StrictModelSerializer):
    """An organisation unit; `path` and `depth` are maintained by the services."""

    parent = ScopedPrimaryKeyRelatedField(Unit, allow_null=True, required=False)
    head = ScopedPrimaryKeyRelatedField(Person, allow_null=True, required=False)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "kind",
            "parent",
            "head",
            "description",
            "path",
            "depth",
        ]
        read_only_fields = ["path", "depth"]


class PersonSerializer(StrictModelSerializer):
    """A person of the organisation and the channels that reach them."""

    unit = ScopedPrimaryKeyRelatedField(Unit)
    site = ScopedPrimaryKeyRelatedField(Site, allow_null=True, required=False)
    deputy = ScopedPrimaryKeyRelatedField(Person, allow_null=True, required=False)

    class Meta:
        model = Person
        fields = [
            "id",
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


class SiteSerializer(StrictModelSerializer):
    """An office, data centre, DR site or alternate work area."""

    unit = ScopedPrimaryKeyRelatedField(Unit, allow_null=True, required=False)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "kind",
            "address",
            "seat_capacity",
            "unit",
            "notes",
        ]


class TeamSerializer(StrictModelSerializer):
    """A standing team; its members are the team-memberships endpoint."""

    unit = ScopedPrimaryKeyRelatedField(Unit, allow_null=True, required=False)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "kind",
            "unit",
            "responsibilities",
        ]


class TeamMembershipSerializer(StrictModelSerializer):
    """A person's role in a team."""

    team = ScopedPrimaryKeyRelatedField(Team)
    person = ScopedPrimaryKeyRelatedField(Person)

    class Meta:
        model = TeamMembership
        fields = ["id", "team", "person", "role", "responsibilities"]


class TeamMembershipFilterSet(SearchFilterSet):
    """Memberships by team, person, role, or text in the names and responsibilities."""

    search_fields = ("person__full_name", "team__name", "team__code", "responsibilities")
    # Choices limited to readable rows, like the org filter sets: an id outside the user's
    # scope is an invalid choice (400), never a way to probe what exists.
    team = django_filters.ModelChoiceFilter(label=_("team"), queryset=readable(Team))
    person = django_filters.ModelChoiceFilter(label=_("person"), queryset=readable(Person))
    role = django_filters.ChoiceFilter(label=_("role"), choices=TeamMembership.Role.choices)

    class Meta:
        model = TeamMembership
        fields = ["q", "team", "person", "role"]


class UnitViewSet(RegisterViewSet):
    """Organisation units (the tree); a new unit belongs where its parent is."""

    model = Unit
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    ordering_fields = ["path", "code", "name", "kind", "depth", "id"]
    ordering = ["path"]
    placement = ("parent", rules.placement_error)
    services = Services(org.unit_create, org.unit_update, org.unit_delete, "unit")

    def scope_unit(self, data: dict):
        return data.get("parent")


class PersonViewSet(RegisterViewSet):
    """People and their contact channels."""

    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ["full_name", "employee_no", "title", "unit", "is_key_person", "id"]
    ordering = ["full_name"]
    placement = ("unit", rules.placement_error)
    services = Services(org.person_create, org.person_update, org.person_delete, "person")


class SiteViewSet(RegisterViewSet):
    """Offices, data centres, DR sites and alternate work areas."""

    model = Site
    serializer_class = SiteSerializer
    filterset_class = SiteFilterSet
    ordering_fields = ["code", "name", "kind", "seat_capacity", "id"]
    ordering = ["code"]
    placement = ("unit", rules.placement_error)
    services = Services(org.site_create, org.site_update, org.site_delete, "site")


class TeamViewSet(RegisterViewSet):
    """Standing teams of the BCM organisation."""

    model = Team
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet
    ordering_fields = ["code", "name", "kind", "id"]
    ordering = ["code"]
    placement = ("unit", rules.placement_error)
    services = Services(org.team_create, org.team_update, org.team_delete, "team")


class TeamMembershipViewSet(RegisterViewSet):
    """Who is in which team, with which role; scoped by the team's unit."""

    model = TeamMembership
    serializer_class = TeamMembershipSerializer
    filterset_class = TeamMembershipFilterSet
    ordering_fields = ["team", "person", "role", "id"]
    ordering = ["team", "role", "person__full_name"]
    services = Services(
        org.membership_create, org.membership_update, org.membership_delete, "membership"
    )

    def scope_unit(self, data: dict):
        team = data.get("team")
        return team.unit if team is not None else None


urlpatterns = [
    *routes("units", UnitViewSet, "unit"),
    *routes("people", PersonViewSet, "person"),
    *routes("sites", SiteViewSet, "site"),
    *routes("teams", TeamViewSet, "team"),
    *routes("team-memberships", TeamMembershipViewSet, "teammembership"),
]
