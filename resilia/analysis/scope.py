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
from resilia.dependencies.selectors import NodeIndex

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


def scope_for(user, index: NodeIndex, n: int) -> Scope:
    """The user's scope over a graph compiled with `index` (n nodes)."""
    if sees_whole_model(user):
        return Scope()
    visible = np.zeros(n, dtype=bool)
    n_act = len(index.activity_ids)
    for model, ids, offset in (
        (Activity, index.activity_ids, 0),
        (Resource, index.resource_ids, n_act),
    ):
        pks = sorted(model.objects.for_user(user).values_list("pk", flat=True))
        if pks and len(ids):
            pks_arr = np.asarray(pks, dtype=np.int64)
            pos = np.minimum(np.searchsorted(ids, pks_arr), len(ids) - 1)
            # A row created after the graph was compiled is not in it yet: skip it.
            present = ids[pos] == pks_arr
            visible[pos[present] + offset] = True
    return Scope(visible=visible)
