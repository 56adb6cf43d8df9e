"""Reads of the risk pages that grow beyond a queryset: heat maps, top risks, comparisons."""

from __future__ import annotations

from django.db.models import Count

from resilia.bia.models import local_name
from resilia.engine import risk as engine
from resilia.risk.models import AssessedRisk, MatrixVersion, MeasureStatus, RiskStatus


def heat_map(risks, matrix: MatrixVersion, axis: str = "inherent") -> dict:
    """Counts per (likelihood, impact) cell of the open risks on `matrix`: rows from the highest
    likelihood down, each cell with its score, band colour and count (one grouped query)."""
    lk, im = f"{axis}_likelihood", f"{axis}_impact"
    if matrix.pk is None:  # the default matrix, not saved yet: nothing is scored on it
        risks = risks.none()
        matrix_filter = {}
    else:
        matrix_filter = {"matrix": matrix}
    counts = {
        (row[lk], row[im]): row["n"]
        for row in risks.filter(status=RiskStatus.OPEN, **matrix_filter, **{f"{lk}__isnull": False})
        .values(lk, im)
        .annotate(n=Count("pk"))
        .order_by()
    }
    m = matrix.engine
    rows = []
    for likelihood in range(len(matrix.likelihood), 0, -1):
        cells = []
        for impact in range(1, len(matrix.impact) + 1):
            score, band = engine.assess(m, likelihood, impact)
            cells.append(
                {
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": score,
                    "colour": band.colour,
                    "count": counts.get((likelihood, impact), 0),
                }
            )
        rows.append({"level": likelihood, "name": matrix.level_name("likelihood", likelihood),
                     "cells": cells})  # fmt: skip
    columns = [local_name(level) for level in matrix.impact]
    return {"rows": rows, "columns": columns, "total": sum(counts.values())}


def measures_by_status(measures) -> list[dict]:
    counts = dict(measures.values_list("status").annotate(n=Count("pk")).order_by())
    return [
        {"status": label, "count": counts.get(value, 0)} for value, label in MeasureStatus.choices
    ]


def compare(first, second) -> list[dict]:
    """The risks of two assessments side by side by code (first: the earlier one)."""
    rows: dict[str, dict] = {}
    for side, assessment in (("before", first), ("after", second)):
        for entry in AssessedRisk.objects.filter(assessment=assessment).select_related("matrix"):
            row = rows.setdefault(entry.code, {"code": entry.code, "title": entry.title})
            row[side] = entry
    return [rows[code] for code in sorted(rows)]


def measures_by_owner(measures, limit: int = 10) -> list[dict]:
    """Open measures per owner, the most loaded first, with how many are overdue."""
    from django.db.models import Q
    from django.utils import timezone

    from resilia.risk.models import OPEN_MEASURE

    rows = (
        measures.filter(status__in=OPEN_MEASURE)
        .values("owner__full_name")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_date__lt=timezone.localdate())))
        .order_by("-n", "owner__full_name")[:limit]
    )
    return [{"owner": r["owner__full_name"], "open": r["n"], "overdue": r["late"]} for r in rows]


def trend(assessments) -> list[dict]:
    """Per signed-off assessment (oldest first), its risks per inherent band colour (one
    grouped query): the trend over assessments."""
    assessments = list(assessments)
    counts: dict[int, dict[str, int]] = {}
    rows = (
        AssessedRisk.objects.filter(assessment__in=assessments)
        .values("assessment_id", "inherent_band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["assessment_id"], {})[row["inherent_band"]] = row["n"]
    return [{"assessment": a, "bands": counts.get(a.pk, {})} for a in assessments]


def with_evidence_files(measures, user) -> list:
    """The measures, each with `files` (its evidence files, oldest first) and `can_upload`
    (whether `user` may attach evidence: write access to the measure); two queries."""
    from django.contrib.contenttypes.models import ContentType

    from resilia.core import access
    from resilia.evidence.models import Attachment
    from resilia.risk.models import Measure

    measures = list(measures)
    writable = set(
        Measure.objects.for_user(user, write=True)
        .filter(pk__in=[m.pk for m in measures])
        .values_list("pk", flat=True)
    ) if access.can_read_kind(user, Measure) else set()  # fmt: skip
    found: dict = {}
    if measures:
        rows = Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Measure),
            object_id__in=[m.pk for m in measures],
        ).order_by("uploaded_at", "pk")
        for a in rows:
            found.setdefault(a.object_id, []).append(a)
    for m in measures:
        m.files = found.get(m.pk, [])
        m.can_upload = m.pk in writable
    return measures
