"""The whole-model reports: recovery order (with cycles), objective/capability gaps and single
points of failure. Each is computed once per model state (see Analysis.derived) and shown
through the user's scope; rows are built only for the positions asked for.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from resilia.analysis.results import Analysis, minutes
from resilia.analysis.scope import Scope
from resilia.engine import required_objectives
from resilia.engine.compile import CompiledGraph
from resilia.engine.gaps import Rows


class Shown(Sequence):
    """The items of an engine result (`Rows`, built on access) whose node the scope shows, in
    their order. Only the page asked for is built: at 100k nodes, building every gap or single
    point of failure to filter them cost a second a request."""

    def __init__(self, rows: Rows, scope: Scope):
        self._rows = rows
        self._at = None if scope.whole else np.flatnonzero(scope.visible[rows.nodes])

    def __len__(self) -> int:
        return len(self._rows) if self._at is None else len(self._at)

    def __getitem__(self, i):
        if self._at is None:
            return self._rows[i]
        if isinstance(i, slice):
            return [self._rows[int(j)] for j in self._at[i]]
        return self._rows[int(self._at[i])]


def _ranks(graph: CompiledGraph, rows: Rows) -> np.ndarray:
    """Per node, its 1-based position in `rows` (0: not in it)."""
    rank = np.zeros(graph.n, dtype=np.int64)
    rank[rows.nodes] = np.arange(1, len(rows) + 1)
    return rank


def _blocked_by_cycle(graph: CompiledGraph, order) -> list[list[int]]:
    """For each cycle, the blocked nodes that depend on it (transitively), sorted."""
    blocked = set(order.blocked.tolist())
    rev_ptr, rev_node = graph.rev_ptr, graph.rev_node
    found = []
    for cycle in order.cycles:
        seen = set(cycle)
        queue = deque(cycle)
        reached = []
        while queue:
            v = queue.popleft()
            for w in rev_node[rev_ptr[v] : rev_ptr[v + 1]].tolist():
                if w not in seen:
                    seen.add(w)
                    queue.append(w)
                    if w in blocked:
                        reached.append(w)
        found.append(sorted(reached))
    return found


@dataclass
class OrderReport:
    """Recovery order: dependencies first; among ready nodes the smallest required RTO, then
    RPO (the seeds' rule 按照RTO和RPO由小到大顺序排列), then MTPD, then key. Cycles are
    reported with their members and the nodes they block; neither is in the order."""

    analysis: Analysis

    def __post_init__(self):
        graph = self.analysis.graph
        self.order = self.analysis.order()
        self.required = required_objectives(graph)
        self.positions = self.analysis.scope.filter(self.order.order)
        self.hidden = len(self.order.order) - len(self.positions)
        self.rank = np.zeros(graph.n, dtype=np.int64)
        self.rank[self.order.order] = np.arange(1, len(self.order.order) + 1)
        self.blocked_by = self.analysis.derived(
            "blocked_by", lambda g: _blocked_by_cycle(g, self.order)
        )

    def rows(self, nodes) -> list[dict]:
        req = self.required
        nodes = [int(v) for v in nodes]
        by = [int(req.rto_by[v]) for v in nodes] + [int(req.rpo_by[v]) for v in nodes]
        labels = self.analysis.labels(nodes + [b for b in by if b >= 0])
        rows = []
        for v in nodes:
            row = {"rank": int(self.rank[v]), **labels.node(v)}
            row["required_rto"] = minutes(req.rto[v])
            row["required_rpo"] = minutes(req.rpo[v])
            row["rto_by"] = labels.node(int(req.rto_by[v]))
            row["rpo_by"] = labels.node(int(req.rpo_by[v]))
            row["mtpd"] = minutes(self.analysis.graph.mtpd[v])
            rows.append(row)
        return rows

    def visible_cycles(self) -> list[int]:
        """The positions of the cycles the user is shown: those that involve or block a node
        they may read (every cycle for the whole model)."""
        scope, found = self.analysis.scope, []
        for i, (members, blocked) in enumerate(
            zip(self.order.cycles, self.blocked_by, strict=True)
        ):
            nodes = np.asarray(list(members) + list(blocked), dtype=np.int64)
            if scope.whole or scope.visible[nodes].any():
                found.append(i)
        return found

    def cycle_members(self, i: int) -> np.ndarray:
        """The members of cycle `i`, all of them (a cycle is named whole where it is shown)."""
        return np.asarray(self.order.cycles[i], dtype=np.int64)

    def cycle_blocked(self, i: int) -> np.ndarray:
        """The nodes cycle `i` blocks that the user may read."""
        return self.analysis.scope.filter(np.asarray(self.blocked_by[i], dtype=np.int64))

    def cycle_summaries(self, numbers: Sequence[int], cap: int) -> list[dict]:
        """For these 1-based numbers among the visible cycles, the first `cap` members and
        blocked nodes of each with how many more there are: one batch of labels in all."""
        visible = self.visible_cycles()
        picked = [(n, visible[n - 1]) for n in numbers]
        parts = [(n, self.cycle_members(i), self.cycle_blocked(i)) for n, i in picked]
        scope = self.analysis.scope
        labels = self.analysis.labels(
            int(v)
            for _n, members, blocked in parts
            for v in [*members[:cap], *blocked[:cap]]
            if scope.sees(int(v))
        )
        return [
            {
                "number": n,
                "members": [labels.node(int(v)) for v in members[:cap]],
                "more_members": max(0, len(members) - cap),
                "blocked": [labels.node(int(v)) for v in blocked[:cap]],
                "more_blocked": max(0, len(blocked) - cap),
            }
            for n, members, blocked in parts
        ]

    def cycles(self) -> list[dict]:
        """Every cycle with its members and the nodes blocked by it (outside the scope: None
        names); a scoped user sees the cycles that involve or block a node they may read."""
        scope = self.analysis.scope
        wanted = [v for c in self.order.cycles for v in c] + [v for b in self.blocked_by for v in b]
        labels = self.analysis.labels(v for v in wanted if scope.sees(v))
        found = []
        for members, blocked in zip(self.order.cycles, self.blocked_by, strict=True):
            if not any(scope.sees(v) for v in members + blocked):
                continue
            found.append(
                {
                    "members": [labels.node(v) for v in members],
                    "blocked": [labels.node(v) for v in blocked if scope.sees(v)],
                }
            )
        return found

    def as_json(self) -> dict:
        blocked = self.analysis.scope.filter(self.order.blocked)
        labels = self.analysis.labels(blocked)
        return {
            "analysis": "order",
            "revision": self.analysis.revision,
            "order": self.rows(self.positions),
            "cycles": self.cycles(),
            "blocked": [labels.node(int(v)) for v in blocked],
            "hidden": self.hidden,
        }


@dataclass
class GapsReport:
    """Resources whose tested capability cannot meet what depends on them (or that were never
    tested), and activities whose RTO is below the lower bound their dependencies allow or
    that need a capability never tested (docs/engine.md §Gaps: one rule for every view)."""

    analysis: Analysis

    def __post_init__(self):
        found = self.analysis.gaps()
        self.resource_gaps = Shown(found.resources, self.analysis.scope)
        self.activity_gaps = Shown(found.activities, self.analysis.scope)
        self.hidden = (
            len(found.resources)
            + len(found.activities)
            - len(self.resource_gaps)
            - len(self.activity_gaps)
        )

    def resource_rows(self, gaps) -> list[dict]:
        graph = self.analysis.graph
        by = [graph.index(g.activity) for g in gaps]
        labels = self.analysis.labels([g.node for g in gaps] + by)
        return [
            {
                **labels.node(g.node),
                "measure": g.measure,
                "capability": minutes(g.capability),
                "objective": minutes(g.objective),
                "activity": labels.node(b),
            }
            for g, b in zip(gaps, by, strict=True)
        ]

    def activity_rows(self, gaps) -> list[dict]:
        graph = self.analysis.graph
        by = [graph.index(g.limited_by) for g in gaps]
        labels = self.analysis.labels([g.node for g in gaps] + by)
        return [
            {
                **labels.node(g.node),
                "rto": minutes(g.rto),
                "bound": minutes(g.bound),
                "limited_by": labels.node(b),
                "untested": g.untested,
            }
            for g, b in zip(gaps, by, strict=True)
        ]

    def as_json(self) -> dict:
        return {
            "analysis": "gaps",
            "revision": self.analysis.revision,
            "resources": self.resource_rows(self.resource_gaps),
            "activities": self.activity_rows(self.activity_gaps),
            "hidden": self.hidden,
        }


@dataclass
class SpofReport:
    """Single points of failure ranked by the prioritised activities their failure alone
    stops (honouring OR redundancy), then the strictest RTO among them; key persons
    (关键人员) are also listed on their own."""

    analysis: Analysis

    def __post_init__(self):
        found = self.analysis.spof()
        self.rank = self.analysis.derived("spof_rank", lambda g: _ranks(g, found.spofs))
        self.spofs = Shown(found.spofs, self.analysis.scope)
        self.key_persons = Shown(found.key_persons, self.analysis.scope)
        self.hidden = len(found.spofs) - len(self.spofs)

    def rows(self, spofs) -> list[dict]:
        labels = self.analysis.labels(s.node for s in spofs)
        return [
            {
                "rank": int(self.rank[s.node]),
                **labels.node(s.node),
                "breaks": s.breaks,
                "strictest_rto": minutes(s.strictest_rto),
                "key_person": s.key_person,
            }
            for s in spofs
        ]

    def as_json(self) -> dict:
        return {
            "analysis": "spof",
            "revision": self.analysis.revision,
            "spofs": self.rows(self.spofs),
            "key_persons": self.rows(self.key_persons),
            "hidden": self.hidden,
        }
