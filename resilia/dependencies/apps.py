from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DependenciesConfig(AppConfig):
    name = "resilia.dependencies"
    label = "dependencies"
    verbose_name = _("Resources and dependencies")

    def ready(self):
        from resilia.core.search import SearchKind, register_search
        from resilia.dependencies import access as dependencies_access  # noqa: F401  (policies)
        from resilia.dependencies.filters import ActivityFilterSet, ResourceFilterSet
        from resilia.dependencies.models import Activity, Resource

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
