"""The menu of the whole product, declared in one place: each entry appears only for users
whose role can read what it leads to (through the access choke point).

The shell sits on top of every app, so it may name their models and URLs; an app adds its
pages to the menu here, in the order they should appear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from resilia.analysis.scope import can_analyse
from resilia.audit.models import AuditEvent
from resilia.bia.models import Assessment, Campaign
from resilia.core import access
from resilia.dependencies.models import Activity, Resource
from resilia.hazards.models import InspectionRound
from resilia.incidents.models import Incident
from resilia.notify.models import Send
from resilia.ops.models import ReportTemplate
from resilia.org.models import Person, Site, Team, Unit
from resilia.plans.models import Plan
from resilia.risk.models import Risk
from resilia.strategies.models import Option


@dataclass(frozen=True)
class NavItem:
    label: object  # a lazy translation
    url_name: str
    icon: str
    visible: Callable  # visible(user) -> bool


def reads(*models) -> Callable:
    """Visible to users who may read at least one of these kinds."""
    return lambda user: any(access.can_read_kind(user, model) for model in models)


def _is_system_admin(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_system_admin


def writes(model) -> Callable:
    """Visible to users who may change this kind."""
    return lambda user: access.can_write_kind(user, model)


def _signed_in(user) -> bool:
    return user.is_authenticated


MAIN = (
    # First: on the worst day it is the page people look for.
    NavItem(_("Incidents"), "incidents:list", "urgent", reads(Incident)),
    NavItem(_("Units"), "org:unit_list", "sitemap", reads(Unit)),
    NavItem(_("People"), "org:person_list", "users", reads(Person)),
    NavItem(_("Sites"), "org:site_list", "building", reads(Site)),
    NavItem(_("Teams"), "org:team_list", "users-group", reads(Team)),
    NavItem(_("Activities"), "dependencies:activity_list", "activity", reads(Activity)),
    NavItem(_("Resources"), "dependencies:resource_list", "server", reads(Resource)),
    NavItem(_("Dependency graph"), "dependencies:graph", "chart-dots-3", reads(Activity, Resource)),
    NavItem(_("Model checks"), "dependencies:checks", "alert-triangle", reads(Activity, Resource)),
    NavItem(_("Analysis"), "analysis:whatif", "chart-infographic", can_analyse),
    NavItem(_("BIA"), "bia:campaign_list", "clipboard-list", reads(Campaign, Assessment)),
    NavItem(_("Risk"), "risk:risk_list", "alert-octagon", reads(Risk)),
    NavItem(_("Hazard inspection"), "hazards:overview", "flame", reads(InspectionRound)),
    NavItem(_("Strategies"), "strategies:option_list", "chess", reads(Option)),
    NavItem(_("Plans"), "plans:plan_list", "file-certificate", reads(Plan)),
    NavItem(_("Notification"), "notify:send_list", "speakerphone", reads(Send)),
    NavItem(_("Report template"), "ops:report_template", "file-type-docx", writes(ReportTemplate)),
    NavItem(_("Users"), "accounts:user_list", "user-cog", _is_system_admin),
    NavItem(_("Audit log"), "audit:log", "history", reads(AuditEvent)),
)

USER = (
    NavItem(_("Profile"), "accounts:profile", "user", _signed_in),
    NavItem(_("Security"), "accounts:security", "shield-lock", _signed_in),
    NavItem(_("API token"), "accounts:api_token", "key", _signed_in),
    # The docs link is shown to roles that can read at least one API endpoint.
    NavItem(_("API"), "api:docs", "ti ti-api", reads(Unit, AuditEvent)),
)

MENUS = {"main": MAIN, "user": USER}


def items_for(user, path: str, menu: str = "main") -> list[dict]:
    """The entries of one menu that this user may open, the current one marked active."""
    result = []
    for item in MENUS[menu]:
        if not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = url != "/" and path.startswith(url) or url == path
        result.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return result
