"""Reads that grow beyond a queryset: the overview's figures, a round's page, a hazard's."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils import timezone

from resilia.core import access
from resilia.evidence.models import Attachment
from resilia.hazards.filters import AGES, age_q, overdue_q
from resilia.hazards.models import (
    OPEN_STATUSES,
    ROUND_OPEN,
    Grade,
    Hazard,
    InspectionRound,
    Rectification,
    RoundStatus,
    Verification,
)


def overview(user) -> dict:
    """Open hazards by grade × age band, rounds by status, overdue and major counts: a
    handful of aggregate queries, whatever the number of rows."""
    hazards = Hazard.objects.for_user(user)
    open_ = hazards.filter(status__in=OPEN_STATUSES)
    grid = []
    for key, label, _lo, _hi in AGES:
        counts = dict(
            open_.filter(age_q(key)).values_list("grade").annotate(n=Count("pk")).order_by()
        )
        grid.append({"key": key, "label": label, "counts": [
            (g, counts.get(g, 0)) for g, _l in Grade.choices
        ]})  # fmt: skip
    statuses = dict(
        InspectionRound.objects.for_user(user).values_list("status").annotate(n=Count("pk"))
        .order_by()
    )  # fmt: skip
    return {
        "grades": Grade.choices,
        "grid": grid,
        "rounds": [(v, label, statuses.get(v, 0)) for v, label in RoundStatus.choices],
        "overdue": hazards.filter(overdue_q()).count(),
        "major_open": open_.filter(grade=Grade.MAJOR).count(),
        "open_total": open_.count(),
        "due_today": InspectionRound.objects.for_user(user)
        .filter(inspector=user, due_date__lte=timezone.localdate(), status__in=ROUND_OPEN)
        .select_related("site", "template")[:20],
    }


def photos_of(*targets) -> dict:
    """{(content type id, object id): [image attachments]} for several objects, one query."""
    targets = [t for t in targets if t is not None]
    if not targets:
        return {}
    types = ContentType.objects.get_for_models(*targets)
    from django.db.models import Q

    q = Q()
    for t in targets:
        q |= Q(content_type=types[t], object_id=t.pk)
    found: dict = {}
    for a in Attachment.objects.filter(q, mime_type__startswith="image/").order_by("uploaded_at"):
        found.setdefault((a.content_type_id, a.object_id), []).append(a)
    return {t: found.get((types[t].pk, t.pk), []) for t in targets}


def round_page(user, round_: InspectionRound) -> dict:
    hazards = list(Hazard.objects.for_user(user).filter(round=round_).order_by("pk"))
    items = list(round_.items.all())
    return {
        "obj": round_,
        "items": items,
        "pending": sum(1 for i in items if i.result == "pending"),
        "hazards": hazards,
    }


def hazard_page(user, hazard: Hazard) -> dict:
    rect = Rectification.objects.filter(hazard=hazard).select_related("responsible").first()
    verifications = list(
        Verification.objects.filter(hazard=hazard).select_related("verifier").order_by("pk")
    )
    photos = photos_of(hazard, rect, *verifications)
    for v in verifications:
        v.photos = photos.get(v, [])
    return {
        "obj": hazard,
        "rect": rect,
        "responsible_shown": access.person_shown(user, rect.responsible) if rect else None,
        "verifications": verifications,
        "hazard_photos": photos.get(hazard, []),
        "fix_photos": photos.get(rect, []) if rect else [],
        "overdue": bool(rect and hazard.status == "rectifying"
                        and rect.deadline < timezone.localdate()),
    }  # fmt: skip
