"""The analyses a report job can produce in the background (resilia.ops): recovery order,
gaps and single points of failure, for a result too large to render inside a request.

Each builder runs the analysis as the requester, when the job runs, through the same scope
rules as the page (resilia.analysis.scope), so a job never shows more than they may read.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from resilia.analysis import documents
from resilia.analysis.exports import document, metadata
from resilia.analysis.reports import GapsReport, OrderReport, SpofReport
from resilia.analysis.results import Analysis
from resilia.analysis.scope import can_analyse
from resilia.core import reports

REPORTS = {"order": OrderReport, "gaps": GapsReport, "spof": SpofReport}


def _builder(kind: str) -> reports.Builder:
    def build(*, user, params: dict) -> reports.Document:
        if not can_analyse(user):
            raise PermissionDenied
        data = REPORTS[kind](Analysis(user)).as_json()
        meta = metadata(user=user, revision=data["revision"]) + documents.hidden_note(data)
        return document(str(documents.TITLES[kind]), meta, documents.sections(kind, data))

    return reports.Builder(
        build=build,
        title=lambda params: str(documents.TITLES[kind]),
        basename=documents.BASENAMES[kind],
    )


def register() -> None:
    for kind in REPORTS:
        reports.register_builder(f"analysis.{kind}", _builder(kind))
