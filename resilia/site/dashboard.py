"""What the home page shows: counts per register and recent activity, through the choke point."""

from __future__ import annotations

from django.db.models import Count, Q

from resilia.audit.models import AuditEvent
from resilia.core import access
from resilia.org.models import Person, Site, Team, Unit


def home_context(user) -> dict:
    """Counts of what the user may read; executives see organisation-wide totals only."""
    cards = []
    counted = set()
    for model, url_name, icon in (
        (Unit, "org:unit_list", "sitemap"),
        (Person, "org:person_list", "users"),
        (Site, "org:site_list", "building"),
        (Team, "org:team_list", "users-group"),
    ):
        shown = access.report_count(user, model)
        if shown is None:
            continue
        count, linked = shown
        counted.add(model)
        url_name = url_name if linked else None
        cards.append(
            {
                "label": model._meta.verbose_name_plural,
                "count": count,
                "url": url_name,
                "icon": icon,
            }
        )
    key_people = None
    if Person in counted:
        people = access.report_rows(user, Person)
        key_people = people.aggregate(
            key=Count("pk", filter=Q(is_key_person=True)),
            without_deputy=Count("pk", filter=Q(is_key_person=True, deputy__isnull=True)),
        )
    recent = None
    if access.can_read_kind(user, AuditEvent):
        recent = list(AuditEvent.objects.for_user(user).select_related("actor")[:10])
    return {"cards": cards, "key_people": key_people, "recent_events": recent}
