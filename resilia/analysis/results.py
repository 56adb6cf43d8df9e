"""The shared machinery of the analysis reports: the compiled graph seen through one user's
scope, the whole-model analyses (memoised with the compiled model, see
dependencies.selectors.CompiledModel), node labels and minute values.

Every report (what-if, recovery order, gaps, single points of failure) keeps its result as
arrays and builds row dictionaries only for the rows asked for: a page builds one page of
rows, an export or the JSON output all of them. The row dictionaries are the JSON shapes of
the CLI and the API (docs/analysis.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
from django.urls import reverse
from django.utils.translation import get_language

from resilia.analysis.scope import Scope, readable, scope_for
from resilia.core import access
from resilia.dependencies.models import Activity, Resource
from resilia.dependencies.selectors import compiled_model
from resilia.engine.compile import CompiledGraph

# Above this many nodes one query for the whole table beats batches of `code IN (...)`.
_BULK_LABELS = 2000
_BATCH = 500


def minutes(value) -> int | float | None:
    """A duration for JSON: whole minutes as int, None for never/unknown/no requirement."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else round(value, 2)


class Analysis:
    """The compiled model of the current revision and what `user` may be shown of it.

    `user=None` is the command line: the whole model.
    """

    def __init__(self, user=None, *, links: bool = False):
        self.user = user
        # A page's rows link each visible node to its record (node["url"]), where the user may
        # open that register at all (an executive has no registers); the JSON has no links.
        self.links = {
            kind: links and access.can_read_kind(user, model)
            for kind, model in (("activity", Activity), ("resource", Resource))
        }
        self.model = model = compiled_model()
        self.graph, self.index, self.revision = model.graph, model.index, model.revision
        self.scope: Scope = scope_for(user, self.index, self.graph.n, model)

    def derived(self, name: str, compute: Callable[[CompiledGraph], object]):
        """`compute(graph)` once per model state, shared by every user and page."""
        return self.model.derived(name, compute)

    def order(self):
        return self.model.order()

    def gaps(self):
        return self.model.gaps()

    def spof(self):
        return self.model.spof()

    def labels(self, nodes: Iterable[int]) -> Labels:
        return Labels(self, nodes)


def _display(name: str, name_en: str) -> str:
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


class Labels:
    """Codes and names of a set of nodes, fetched in a few queries, honouring the scope."""

    def __init__(self, analysis: Analysis, nodes: Iterable[int]):
        self.analysis = analysis
        graph = analysis.graph
        wanted = {int(v) for v in nodes}
        codes = {0: set(), 1: set()}
        for v in wanted:
            codes[int(graph.kind[v])].add(graph.key(v).split(":", 1)[1])
        self.rows: dict[str, dict] = {}
        for kind, model, fields in (
            (0, Activity, ("id", "code", "name", "name_en", "unit_id")),
            (1, Resource, ("id", "code", "name", "name_en", "kind")),
        ):
            prefix = "activity" if kind == 0 else "resource"
            for row in self._fetch(model, fields, codes[kind]):
                self.rows[f"{prefix}:{row['code']}"] = row

    @staticmethod
    def _fetch(model, fields, codes: set[str]):
        if not codes:
            return
        if len(codes) > _BULK_LABELS:
            for row in model._default_manager.values(*fields).iterator(chunk_size=5000):
                if row["code"] in codes:
                    yield row
            return
        ordered = sorted(codes)
        for start in range(0, len(ordered), _BATCH):
            batch = ordered[start : start + _BATCH]
            yield from model._default_manager.filter(code__in=batch).values(*fields)

    def visible(self, node: int) -> bool:
        return self.analysis.scope.sees(node)

    def node(self, node: int | None) -> dict | None:
        """{"key", "kind", "code", "name"}; a node outside the scope has all four None."""
        if node is None or node < 0:
            return None
        if not self.visible(node):
            return {"key": None, "kind": None, "code": None, "name": None}
        key = self.analysis.graph.key(node)
        kind, code = key.split(":", 1)
        row = self.rows.get(key, {})
        found = {
            "key": key,
            "kind": kind,
            "code": code,
            "name": _display(row.get("name", code), row.get("name_en", "")),
        }
        if self.analysis.links.get(kind) and "id" in row:
            found["url"] = record_url(kind, row["id"])
        return found

    def unit_id(self, node: int) -> int | None:
        return self.rows.get(self.analysis.graph.key(node), {}).get("unit_id")

    def resource_kind(self, node: int) -> str | None:
        return self.rows.get(self.analysis.graph.key(node), {}).get("kind")


def record_url(kind: str, pk: int) -> str:
    """The detail page of an activity or a resource."""
    return reverse(f"dependencies:{kind}_detail", args=[pk])


def teams_by_unit(analysis: Analysis, unit_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The teams of each unit (the teams that own an activity), as {"code", "name"}."""
    from resilia.org.models import Team

    ids = sorted({u for u in unit_ids if u is not None})
    found: dict[int, list[dict]] = {u: [] for u in ids}
    if not ids:
        return found
    rows = (
        readable(analysis.user, Team)
        .filter(unit_id__in=ids)
        .order_by("code")
        .values("unit_id", "code", "name", "name_en")
    )
    for row in rows:
        found[row["unit_id"]].append(
            {"code": row["code"], "name": _display(row["name"], row["name_en"])}
        )
    return found


def positions_page(positions: np.ndarray, page_number, per_page: int):
    """A Django page over an array of positions (the rows are built for this page only)."""
    from django.core.paginator import Paginator

    paginator = Paginator(positions, per_page)
    return paginator.get_page(page_number)
