"""The analysis pages: what-if, gaps, single points of failure, recovery order.

Each page reads the compiled graph of the current revision (cached), paginates the result
arrays and builds rows for one page only; `?export=xlsx|pdf` exports the whole (visible)
result, audited. Access: resilia.analysis.scope.
"""

from __future__ import annotations

import numpy as np
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from resilia.analysis import documents, jobs
from resilia.analysis.access import may_save
from resilia.analysis.activation import to_activate
from resilia.analysis.exports import FORMATS, export_response, metadata
from resilia.analysis.forms import WhatIfForm, describe
from resilia.analysis.reports import GapsReport, OrderReport, SpofReport
from resilia.analysis.results import Analysis, positions_page
from resilia.analysis.scope import can_analyse, readable
from resilia.analysis.whatif import WhatIfReport
from resilia.dependencies.models import Activity, Resource
from resilia.ops.services import report_job_request
from resilia.org.models import Site

PER_PAGE = 50
# A what-if row carries its times and its cause chain: 20 a page keeps the page small when a
# hub's failure stops tens of thousands of nodes.
WHATIF_PER_PAGE = 20
# The recovery order page names this many cycles, each with this many members and blocked
# nodes at most; the cycles page lists CYCLES_PER_PAGE a page, cut as short.
CYCLES_SHOWN = 5
CYCLE_CAP = 10
CYCLES_PER_PAGE = 20
# The timeline draws up to this many activities (its height grows with them), paged beyond.
TIMELINE_PER_PAGE = 50
# A PDF or DOCX export longer than this many rows is rendered by a report job in the worker.
INLINE_ROWS = 3000
# The timeline chart's words, translated here and handed to the script as JSON.
CHART_LABELS = {
    "down": _("Down"),
    "rto": _("RTO breach"),
    "mtpd": _("MTPD breach"),
    "hours": _("hours after T0"),
    "never": _("never (no known recovery)"),
    "remove": _("Remove"),
}
AUTOCOMPLETE_LIMIT = 8


def columns(rows: list[dict]) -> dict[str, list]:
    """Rows as one list per key (the timeline's script data): the keys once, not per row."""
    return {key: [row[key] for row in rows] for key in (rows[0] if rows else {})}


def _guard(request) -> None:
    if not can_analyse(request.user):
        raise PermissionDenied


def _export(request, kind: str, data: dict, extra=(), changes=None):
    fmt = request.GET["export"]
    sections = documents.sections(kind, data)
    if fmt != "xlsx" and kind in jobs.REPORTS and sum(len(s.rows) for s in sections) > INLINE_ROWS:
        # Too long to lay out inside the request: the worker renders it, the page follows it.
        job = report_job_request(actor=request.user, kind=f"analysis.{kind}", fmt=fmt)
        return redirect("ops:report_job", pk=job.pk)
    meta = metadata(user=request.user, revision=data["revision"], extra=list(extra))
    return export_response(
        user=request.user,
        fmt=fmt,
        kind=kind,
        title=str(documents.TITLES[kind]),
        basename=documents.BASENAMES[kind],
        meta=meta + documents.hidden_note(data),
        sections=sections,
        changes=changes,
    )


def _wants_export(request) -> bool:
    return request.GET.get("export") in FORMATS


@login_required
def whatif_page(request):
    _guard(request)
    bound = "fail" in request.GET or "run" in request.GET
    form = WhatIfForm(request.GET if bound else None, user=request.user)
    selected = [(spec, describe(request.user, spec)) for spec in form.specs]
    context = {"form": form, "selected": selected, "tab": "whatif", "chart_labels": CHART_LABELS}
    context.update(may_save=may_save(request.user), raw_at=request.GET.get("at", ""))
    if form.is_bound and form.is_valid():
        report = WhatIfReport.run(
            Analysis(request.user, links=True), form.cleaned_data["keys"], form.cleaned_data["at"]
        )
        if _wants_export(request):
            data = report.as_json()
            labels = [label for _spec, label in selected]
            extra = documents.whatif_meta(data, labels)
            changes = {"failed": report.failed, "at": data["at"]}
            return _export(request, "whatif", data, extra, changes)
        page = positions_page(report.activities, request.GET.get("page"), WHATIF_PER_PAGE)
        rpage = positions_page(report.resources, request.GET.get("rpage"), WHATIF_PER_PAGE)
        tpage = positions_page(report.activities, request.GET.get("tpage"), TIMELINE_PER_PAGE)
        timeline = report.timeline(tpage.object_list)
        context.update(
            report=report,
            page=page,
            rows=report.rows(page.object_list),
            rpage=rpage,
            resource_rows=report.rows(rpage.object_list),
            tpage=tpage,
            timeline=timeline,
            timeline_data=columns(timeline),
            activations=to_activate(request.user, report.affected_keys()),
        )
    return render(request, "analysis/whatif.html", context)


@login_required
def node_search(request):
    """Autocomplete of failed-node candidates among the nodes the user may read."""
    _guard(request)
    q = request.GET.get("q", "").strip()
    found = []
    if q:
        text = Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q)
        for kind, model in (("site", Site), ("resource", Resource), ("activity", Activity)):
            for obj in readable(request.user, model).filter(text)[:AUTOCOMPLETE_LIMIT]:
                spec_kind = "supplier" if getattr(obj, "kind", "") == "supplier" else kind
                found.append({"spec": f"{spec_kind}:{obj.code}", "obj": obj, "kind": kind})
    return render(request, "analysis/_candidates.html", {"found": found, "q": q})


@login_required
def order_page(request):
    _guard(request)
    report = OrderReport(Analysis(request.user, links=True))
    if _wants_export(request):
        return _export(request, "order", report.as_json())
    page = positions_page(report.positions, request.GET.get("page"), PER_PAGE)
    # The cycles on the order page: the first few, each cut short; the rest are paged
    # (cycles_page, cycle_page). Every cycle and every node it blocks named on every request
    # made this page grow with the model.
    count = len(report.visible_cycles())
    context = {
        "tab": "order",
        "report": report,
        "page": page,
        "rows": report.rows(page.object_list),
        "cycles": report.cycle_summaries(range(1, min(count, CYCLES_SHOWN) + 1), CYCLE_CAP),
        "cycle_count": count,
        "more_cycles": max(0, count - CYCLES_SHOWN),
    }
    return render(request, "analysis/order.html", context)


@login_required
def cycles_page(request):
    """Every dependency cycle the user is shown, paged, each cut short with a link to it."""
    _guard(request)
    report = OrderReport(Analysis(request.user, links=True))
    numbers = np.arange(1, len(report.visible_cycles()) + 1)
    page = positions_page(numbers, request.GET.get("page"), CYCLES_PER_PAGE)
    context = {
        "tab": "order",
        "page": page,
        "cycles": report.cycle_summaries([int(n) for n in page.object_list], CYCLE_CAP),
    }
    return render(request, "analysis/cycles.html", context)


@login_required
def cycle_page(request, number: int):
    """One dependency cycle: its members and the nodes it blocks, each list paged."""
    _guard(request)
    report = OrderReport(Analysis(request.user, links=True))
    visible = report.visible_cycles()
    if not 1 <= number <= len(visible):
        raise Http404
    i = visible[number - 1]
    mpage = positions_page(report.cycle_members(i), request.GET.get("page"), PER_PAGE)
    bpage = positions_page(report.cycle_blocked(i), request.GET.get("bpage"), PER_PAGE)
    scope = report.analysis.scope
    shown = [int(v) for v in [*mpage.object_list, *bpage.object_list]]
    labels = report.analysis.labels(v for v in shown if scope.sees(v))
    context = {
        "tab": "order",
        "number": number,
        "mpage": mpage,
        "members": [labels.node(int(v)) for v in mpage.object_list],
        "bpage": bpage,
        "blocked": [labels.node(int(v)) for v in bpage.object_list],
    }
    return render(request, "analysis/cycle.html", context)


@login_required
def gaps_page(request):
    _guard(request)
    report = GapsReport(Analysis(request.user, links=True))
    if _wants_export(request):
        return _export(request, "gaps", report.as_json())
    page = positions_page(report.resource_gaps, request.GET.get("page"), PER_PAGE)
    apage = positions_page(report.activity_gaps, request.GET.get("apage"), PER_PAGE)
    context = {
        "tab": "gaps",
        "report": report,
        "page": page,
        "rows": report.resource_rows(page.object_list),
        "apage": apage,
        "activity_rows": report.activity_rows(apage.object_list),
    }
    return render(request, "analysis/gaps.html", context)


@login_required
def spof_page(request):
    _guard(request)
    report = SpofReport(Analysis(request.user, links=True))
    if _wants_export(request):
        return _export(request, "spof", report.as_json())
    page = positions_page(report.spofs, request.GET.get("page"), PER_PAGE)
    context = {
        "tab": "spof",
        "report": report,
        "page": page,
        "rows": report.rows(page.object_list),
        "key_person_rows": report.rows(report.key_persons[:PER_PAGE]),
        "more_key_persons": max(0, len(report.key_persons) - PER_PAGE),
    }
    return render(request, "analysis/spof.html", context)
