from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DependenciesConfig(AppConfig):
    name = "resilia.dependencies"
    label = "dependencies"
    verbose_name = _("Resources and dependencies")

    def ready(self):
        from resilia.core import access
        from resilia.core.navigation import NavItem, register
        from resilia.core.search import SearchKind, register_search
        from resilia.dependencies import access as dependencies_access  # noqa: F401  (policies)
        from resilia.dependencies.filters import ActivityFilterSet, ResourceFilterSet
        from resilia.dependencies.models import Activity, Resource

        def reads_model(user):
            return access.can_read_kind(user, Activity) or access.can_read_kind(user, Resource)

        for order, label, url_name, icon, visible in (
            (50, _("Activities"), "dependencies:activity_list", "activity", Activity),
            (60, _("Resources"), "dependencies:resource_list", "server", Resource),
            (65, _("Dependency graph"), "dependencies:graph", "chart-dots-3", None),
            (66, _("Model checks"), "dependencies:checks", "alert-triangle", None),
        ):
            register(
                NavItem(
                    order=order,
                    label=label,
                    url_name=url_name,
                    icon=icon,
                    visible=reads_model
                    if visible is None
                    else lambda user, model=visible: access.can_read_kind(user, model),
                )
            )
        for kind in (
            SearchKind(
                50,
                Activity,
                ActivityFilterSet,
                "activity",
                select_related=("unit",),
                describe=lambda a: f"{a.code} · {a.unit.display_name}",
            ),
            SearchKind(
                60,
                Resource,
                ResourceFilterSet,
                "server",
                describe=lambda r: f"{r.code} · {r.get_kind_display()}",
            ),
        ):
            register_search(kind)
