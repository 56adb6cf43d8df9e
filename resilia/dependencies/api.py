"""API of the dependency model: `/api/resources/`, `/api/activities/`, `/api/dependencies/`.

Same rules as the org endpoints (resilia.api.viewsets): reads through the access choke
point, writes through the services of resilia.dependencies.services (full_clean, audit,
model revision), strict parameters and fields, the structured error envelope. A link that
the model refuses (self-link, resource → activity, duplicate, absurd tolerance) answers a
400 whose messages name the link.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from resilia.api.exceptions import django_validation_detail
from resilia.api.serializers import ScopedPrimaryKeyRelatedField, StrictModelSerializer
from resilia.api.viewsets import RegisterViewSet, Services, routes
from resilia.core.filters import SearchFilterSet, readable
from resilia.dependencies import rules
from resilia.dependencies import services as dep
from resilia.dependencies.filters import ActivityStateFilters, ResourceStateFilters
from resilia.dependencies.models import Activity, Criticality, Dependency, Resource
from resilia.org.models import Person, Site, Unit


class ResourceFilterSet(SearchFilterSet, ResourceStateFilters):
    """Resources by kind, unit, site, criticality, redundancy, text in code and names, or the
    state the home page counts (untested, stale, capability gap, single point of failure)."""

    search_fields = ("code", "name", "name_en", "description")
    kind = django_filters.ChoiceFilter(label=gettext_lazy("kind"), choices=Resource.Kind.choices)
    unit = django_filters.ModelChoiceFilter(label=gettext_lazy("unit"), queryset=readable(Unit))
    site = django_filters.ModelChoiceFilter(label=gettext_lazy("site"), queryset=readable(Site))
    criticality = django_filters.ChoiceFilter(
        label=gettext_lazy("criticality"), choices=Criticality.choices
    )
    redundancy = django_filters.ChoiceFilter(
        label=gettext_lazy("redundancy"), choices=Resource.Redundancy.choices
    )

    class Meta:
        model = Resource
        fields = ["q", "kind", "unit", "site", "criticality", "redundancy"]


class ActivityFilterSet(SearchFilterSet, ActivityStateFilters):
    """Activities by unit, owner, text in code, names and products, or the state the home page
    counts (RTO cannot be met, objectives missing)."""

    search_fields = ("code", "name", "name_en", "products")
    unit = django_filters.ModelChoiceFilter(label=gettext_lazy("unit"), queryset=readable(Unit))
    owner = django_filters.ModelChoiceFilter(label=gettext_lazy("owner"), queryset=readable(Person))

    class Meta:
        model = Activity
        fields = ["q", "unit", "owner"]


class DependencyFilterSet(SearchFilterSet):
    """Links touching an activity or a resource (either end), or in an OR group by name."""

    search_fields = ("group", "note")
    activity = django_filters.ModelChoiceFilter(
        label=gettext_lazy("activity"),
        queryset=readable(Activity),
        field_name="dependent_activity",
        method="touching",
    )
    resource = django_filters.ModelChoiceFilter(
        label=gettext_lazy("resource"),
        queryset=readable(Resource),
        field_name="dependent_resource",
        method="touching",
    )
    group = django_filters.CharFilter(label=gettext_lazy("redundancy group"))

    class Meta:
        model = Dependency
        fields = ["q", "activity", "resource", "group"]

    def touching(self, queryset, name, value):
        """Links where `value` is the dependent or the dependency."""
        end = name.removeprefix("dependent_")
        return queryset.filter(Q(**{f"dependent_{end}": value}) | Q(**{f"dependency_{end}": value}))


class ResourceSerializer(StrictModelSerializer):
    """A resource with its tested recovery capability (minutes) and redundancy."""

    unit = ScopedPrimaryKeyRelatedField(Unit, allow_null=True, required=False)
    owner = ScopedPrimaryKeyRelatedField(Person, allow_null=True, required=False)
    site = ScopedPrimaryKeyRelatedField(Site, allow_null=True, required=False)
    person = ScopedPrimaryKeyRelatedField(Person, allow_null=True, required=False)
    alternates = ScopedPrimaryKeyRelatedField(Resource, many=True, required=False)
    display_name = serializers.CharField(read_only=True)
    node_key = serializers.CharField(read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "code",
            "node_key",
            "name",
            "name_en",
            "display_name",
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

    def validate(self, attrs):
        # The sharing rule before anything is saved: a write-back check alone would let the
        # owner of a resource share it by PATCHing {"unit": null}.
        if "unit" in attrs or self.instance is None:
            was_shared = self.instance is not None and self.instance.unit_id is None
            message = rules.resource_sharing_error(
                self.context["request"].user, unit=attrs.get("unit"), was_shared=was_shared
            )
            if message:
                raise ValidationError({"unit": [message]})
        return super().validate(attrs)


class ActivitySerializer(StrictModelSerializer):
    """A business activity and its approved objectives (minutes)."""

    unit = ScopedPrimaryKeyRelatedField(Unit)
    owner = ScopedPrimaryKeyRelatedField(Person, allow_null=True, required=False)
    display_name = serializers.CharField(read_only=True)
    node_key = serializers.CharField(read_only=True)
    warnings = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Doubtful but accepted objectives (an RPO longer than the MTPD, an MTPD of 0"
            " minutes), translated; empty when there is nothing to check. Also listed on the"
            " model checks page."
        )
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "code",
            "node_key",
            "name",
            "name_en",
            "display_name",
            "unit",
            "owner",
            "products",
            "description",
            "mtpd",
            "rto",
            "rpo",
            "mbco",
            "warnings",
        ]

    def get_warnings(self, obj) -> list[str]:
        return obj.warnings()


_ENDS = ("dependent_activity", "dependent_resource", "dependency_activity", "dependency_resource")


class DependencySerializer(StrictModelSerializer):
    """`dependent` needs `dependency`: give exactly one dependent_* and one dependency_* id.

    The ends of a link are fixed once created; change `group`, `tolerance` or `note`.
    """

    dependent_activity = ScopedPrimaryKeyRelatedField(Activity, allow_null=True, required=False)
    dependent_resource = ScopedPrimaryKeyRelatedField(Resource, allow_null=True, required=False)
    dependency_activity = ScopedPrimaryKeyRelatedField(Activity, allow_null=True, required=False)
    dependency_resource = ScopedPrimaryKeyRelatedField(Resource, allow_null=True, required=False)
    dependent_key = serializers.SerializerMethodField()
    dependency_key = serializers.SerializerMethodField()

    class Meta:
        model = Dependency
        fields = [
            "id",
            *_ENDS,
            "dependent_key",
            "dependency_key",
            "group",
            "tolerance",
            "note",
        ]

    def get_dependent_key(self, obj) -> str:
        return obj.dependent.node_key

    def get_dependency_key(self, obj) -> str:
        return obj.dependency.node_key

    def validate(self, attrs):
        if self.instance is not None:
            changed = [
                name
                for name in _ENDS
                if name in attrs and attrs[name] != getattr(self.instance, name)
            ]
            if changed:
                message = _("The ends of a link cannot be changed; delete it and create another.")
                raise ValidationError({name: [message] for name in changed})
            return {k: v for k, v in attrs.items() if k not in _ENDS}
        errors = {}
        for side in ("dependent", "dependency"):
            ends = [attrs.get(f"{side}_activity"), attrs.get(f"{side}_resource")]
            if sum(e is not None for e in ends) != 1:
                errors[side] = [
                    _("Give exactly one of %(side)s_activity and %(side)s_resource.")
                    % {"side": side}
                ]
        if errors:
            raise ValidationError(errors)
        return attrs


def _link_label(dependent, dependency) -> str:
    return f"{dependent.node_key} → {dependency.node_key}"


def _named(exc: DjangoValidationError, label: str) -> ValidationError:
    """The model's messages, each prefixed with the link it is about."""
    detail = django_validation_detail(exc)
    return ValidationError(
        {field: [rules.link_named(label, m) for m in msgs] for field, msgs in detail.items()}
    )


def _create_link(*, actor, **data):
    dependent = data.pop("dependent_activity", None) or data.pop("dependent_resource", None)
    dependency = data.pop("dependency_activity", None) or data.pop("dependency_resource", None)
    for name in _ENDS:
        data.pop(name, None)
    try:
        return dep.dependency_create(
            actor=actor, dependent=dependent, dependency=dependency, **data
        )
    except DjangoValidationError as exc:
        raise _named(exc, _link_label(dependent, dependency)) from None


def _update_link(*, actor, dependency, **data):
    try:
        return dep.dependency_update(actor=actor, dependency=dependency, **data)
    except DjangoValidationError as exc:
        raise _named(exc, _link_label(dependency.dependent, dependency.dependency)) from None


class ResourceViewSet(RegisterViewSet):
    """Resources activities depend on: systems, infrastructure, data, facilities, suppliers,
    equipment, key people, utilities."""

    model = Resource
    serializer_class = ResourceSerializer
    filterset_class = ResourceFilterSet
    ordering_fields = ["code", "name", "kind", "criticality", "recovery_time", "id"]
    ordering = ["code"]
    services = Services(dep.resource_create, dep.resource_update, dep.resource_delete, "resource")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("alternates")


class ActivityViewSet(RegisterViewSet):
    """Business activities (processes) with their MTPD, RTO, RPO and MBCO."""

    model = Activity
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    ordering_fields = ["code", "name", "unit", "rto", "rpo", "mtpd", "id"]
    ordering = ["code"]
    services = Services(dep.activity_create, dep.activity_update, dep.activity_delete, "activity")


class DependencyViewSet(RegisterViewSet):
    """Links "dependent needs dependency", AND or in a named OR redundancy group, with a
    tolerance in minutes; scoped by their dependent."""

    model = Dependency
    serializer_class = DependencySerializer
    filterset_class = DependencyFilterSet
    ordering_fields = ["group", "tolerance", "id"]
    ordering = ["id"]
    services = Services(_create_link, _update_link, dep.dependency_delete, "dependency")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "dependent_activity",
                "dependent_resource",
                "dependency_activity",
                "dependency_resource",
            )
        )

    def scope_unit(self, data: dict):
        dependent = data.get("dependent_activity") or data.get("dependent_resource")
        return getattr(dependent, "unit", None)


urlpatterns = [
    *routes("resources", ResourceViewSet, "resource"),
    *routes("activities", ActivityViewSet, "activity"),
    *routes("dependencies", DependencyViewSet, "dependency"),
]
