from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "resilia.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from resilia.core.search import SearchKind, register_search
        from resilia.org import access as org_access  # noqa: F401  (registers the policies)
        from resilia.org.filters import (
            PersonFilterSet,
            SiteFilterSet,
            TeamFilterSet,
            UnitFilterSet,
        )
        from resilia.org.models import Person, Site, Team, Unit

        for kind in (
            SearchKind(10, Unit, UnitFilterSet, "sitemap", describe=lambda u: u.code),
            SearchKind(
                20,
                Person,
                PersonFilterSet,
                "user",
                select_related=("unit",),
                describe=lambda p: " · ".join(filter(None, [p.title, p.unit.display_name])),
            ),
            SearchKind(30, Site, SiteFilterSet, "building", describe=lambda s: s.code),
            SearchKind(40, Team, TeamFilterSet, "users-group", describe=lambda t: t.code),
        ):
            register_search(kind)
