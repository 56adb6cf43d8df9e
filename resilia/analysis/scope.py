"""Who sees which part of the analysis (the access policy of the analysis pages, CLI and API).

The analysis is computed on the whole model: a failure propagates through everything, whoever
may read it. What a user is *shown* follows the access choke point:

- admin, BCM manager, auditor and executive see the analysis of the whole model (for an
  executive the analysis pages are reports: read-only, no register behind them);
- coordinators and contributors see only rows of nodes they may read
  (`Activity.objects.for_user` / `Resource.objects.for_user`); nodes outside their scope are
  left out of the lists and appear in cause chains as "(not visible to you)", without name;
- they may pick as failed nodes only nodes they may read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet

from resilia.core import access
from resilia.dependencies.models import Activity, Resource
from resilia.dependencies.selectors import CompiledModel, NodeIndex

# The decisions are the access choke point's (resilia.core.access); these names say what they
# mean for the analysis.
can_analyse = access.can_view_reports
sees_whole_model = access.reports_whole_model


def readable(user, model) -> QuerySet:
    """The rows of `model` (Activity, Resource, Site, Team...) the user's analysis may name."""
    return access.report_rows(user, model)


@dataclass(frozen=True)
class Scope:
    """What one user is shown: every node (`visible is None`) or a mask over node ids."""

    visible: np.ndarray | None = None

    @property
    def whole(self) -> bool:
        return self.visible is None

    def sees(self, node: int) -> bool:
        return self.visible is None or bool(self.visible[node])

    def filter(self, nodes: np.ndarray) -> np.ndarray:
        """The visible ones among `nodes`, order kept."""
        if self.visible is None:
            return nodes
        return nodes[self.visible[nodes]]


NO_UNIT = -1


def _node_units(model: CompiledModel) -> np.ndarray:
    """The unit of every node of a compiled model (NO_UNIT: a resource without one), read once
    per model state: any change of a node's unit is a new state."""

    def read(_graph) -> np.ndarray:
        units = np.full(model.graph.n, NO_UNIT, dtype=np.int64)
        n_act = len(model.index.activity_ids)
        for kind, offset, ids in (
            (Activity, 0, model.index.activity_ids),
            (Resource, n_act, model.index.resource_ids),
        ):
            rows = kind._default_manager.order_by().values_list("pk", "unit_id")
            pairs = np.array(
                [(pk, NO_UNIT if unit is None else unit) for pk, unit in rows], dtype=np.int64
            ).reshape(-1, 2)
            if len(pairs) and len(ids):
                pos = np.minimum(np.searchsorted(ids, pairs[:, 0]), len(ids) - 1)
                # A row created after the graph was compiled is not in it yet: skip it.
                present = ids[pos] == pairs[:, 0]
                units[pos[present] + offset] = pairs[present, 1]
        return units

    return model.derived("scope:node_units", read)


def scope_for(user, index: NodeIndex, n: int, model: CompiledModel | None = None) -> Scope:
    """The user's scope over a graph compiled with `index` (n nodes). Given the compiled
    `model`, the scope is the reader's units (access.read_units, read live) over the units of
    its nodes kept per model state: a couple of small queries instead of every id in scope."""
    if sees_whole_model(user):
        return Scope()
    if model is not None and model.index is index:
        visible = np.zeros(n, dtype=bool)
        node_units = _node_units(model)
        n_act = len(index.activity_ids)
        for kind, part in ((Activity, slice(0, n_act)), (Resource, slice(n_act, n))):
            ids, unitless = access.read_units(user, kind) or ([], False)
            units = node_units[part]
            visible[part] = np.isin(units, np.asarray(ids, dtype=np.int64))
            if unitless:
                visible[part] |= units == NO_UNIT
        return Scope(visible=visible)
    visible = np.zeros(n, dtype=bool)
    n_act = len(index.activity_ids)
    for model_, ids, offset in (
        (Activity, index.activity_ids, 0),
        (Resource, index.resource_ids, n_act),
    ):
        pks = sorted(model_.objects.for_user(user).values_list("pk", flat=True))
        if pks and len(ids):
            pks_arr = np.asarray(pks, dtype=np.int64)
            pos = np.minimum(np.searchsorted(ids, pks_arr), len(ids) - 1)
            # A row created after the graph was compiled is not in it yet: skip it.
            present = ids[pos] == pks_arr
            visible[pos[present] + offset] = True
    return Scope(visible=visible)
