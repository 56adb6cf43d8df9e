"""Slow, obviously correct reference implementation, straight from the definitions.

Plain dicts and networkx, fixpoint iteration until nothing changes. The engine's property tests
compare every algorithm with these functions on random small models. Never used in production.
"""

from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx

from resilia.engine.model import ACTIVITY, Link, Node

INF = math.inf


class Model:
    """Indexes the plain records the way the definitions read them."""

    def __init__(self, nodes: list[Node], links: list[Link]):
        self.nodes = {node.key: node for node in nodes}
        self.order = [node.key for node in nodes]
        # terms[v] = list of requirements; each a list of (dependency, tolerance) of which ALL
        # must be down for the requirement to take v down (AND link = a one-member list).
        self.terms: dict[str, list[list[tuple[str, float]]]] = defaultdict(list)
        groups: dict[tuple[str, str], list[tuple[str, float]]] = {}
        for link in links:
            member = (link.dependency, float(link.tolerance))
            if link.group is None:
                self.terms[link.dependent].append([member])
            else:
                groups.setdefault((link.dependent, link.group), []).append(member)
        for (dependent, _), members in groups.items():
            self.terms[dependent].append(members)
        self.links = links

    def own_back(self, key: str) -> float:
        node = self.nodes[key]
        if node.recovery_time is not None:
            return float(node.recovery_time)
        return 0.0 if node.kind == ACTIVITY else INF

    def prioritised(self, key: str) -> bool:
        node = self.nodes[key]
        if node.kind != ACTIVITY:
            return False
        return node.rto is not None if node.prioritised is None else node.prioritised

    def digraph(self) -> nx.MultiDiGraph:
        """dependent -> dependency, one edge per link."""
        g = nx.MultiDiGraph()
        g.add_nodes_from(self.order)
        for link in self.links:
            g.add_edge(link.dependent, link.dependency, tolerance=float(link.tolerance))
        return g


def whatif(model: Model, failed: set[str], never_back: bool = False) -> dict[str, dict]:
    """{key: {stop_at, back_at, rto_breach_at, mtpd_breach_at}} for affected nodes.

    Down intervals [stop, back): least fixpoint from "nothing down", iterating every rule over
    every node until no value changes.
    """
    stop = {k: INF for k in model.order}
    back = {k: -INF for k in model.order}
    for key in failed:
        stop[key], back[key] = 0.0, (INF if never_back else model.own_back(key))
    changed = True
    while changed:
        changed = False
        for v in model.order:
            starts, ends = [], []
            for term in model.terms.get(v, []):
                intervals = [(stop[d] + t, back[d]) for d, t in term]
                if all(end > start for start, end in intervals):
                    term_start = max(start for start, _ in intervals)
                    term_end = min(end for _, end in intervals)
                    if term_start < term_end:
                        starts.append(term_start)
                        ends.append(term_end)
            if v in failed:
                starts.append(0.0)
                ends.append(INF if never_back else model.own_back(v))
            new_stop = min(starts, default=INF)
            new_back = max(ends, default=-INF)
            if new_stop < stop[v] or new_back > back[v]:
                stop[v] = min(stop[v], new_stop)
                back[v] = max(back[v], new_back)
                changed = True
    result = {}
    for v in model.order:
        if stop[v] == INF:
            continue
        node = model.nodes[v]
        entry = {"stop_at": stop[v], "back_at": None if back[v] == INF else back[v]}
        for name, objective in (("rto", node.rto), ("mtpd", node.mtpd)):
            due = None if objective is None else stop[v] + objective
            entry[f"{name}_breach_at"] = due if due is not None and back[v] > due else None
        result[v] = entry
    return result


def recovery_constraints(model: Model) -> tuple[list[tuple[str, str]], set[str], set[str]]:
    """(links as (dependency, dependent) precedence pairs, cycle members, blocked nodes)."""
    g = model.digraph()
    in_cycle = {n for comp in nx.strongly_connected_components(g) if len(comp) > 1 for n in comp}
    in_cycle |= {u for u, v in nx.selfloop_edges(g)}
    blocked = set()
    for node in in_cycle:
        blocked |= nx.ancestors(g, node)  # ancestors = transitive dependents
    blocked -= in_cycle
    pairs = [(link.dependency, link.dependent) for link in model.links]
    return pairs, in_cycle, blocked


def required_times(model: Model) -> tuple[dict[str, float], dict[str, float]]:
    """Per node: the strictest (RTO + tolerances along the path) and the strictest RPO of itself
    and every activity depending on it transitively (networkx Dijkstra from each activity)."""
    g = model.digraph()
    req_rto = {k: INF for k in model.order}
    req_rpo = {k: INF for k in model.order}
    for key in model.order:
        node = model.nodes[key]
        if node.kind != ACTIVITY:
            continue
        if node.rto is not None:
            lengths = nx.single_source_dijkstra_path_length(g, key, weight=_min_tolerance)
            for target, length in lengths.items():
                req_rto[target] = min(req_rto[target], node.rto + length)
        if node.rpo is not None:
            for target in nx.descendants(g, key) | {key}:
                req_rpo[target] = min(req_rpo[target], node.rpo)
    return req_rto, req_rpo


def _min_tolerance(u, v, edges) -> float:
    return min(data["tolerance"] for data in edges.values())


def recovery_bounds(model: Model) -> dict[str, float]:
    """Lower bound of each node's recovery time from its own stop (least fixpoint from 0):
    B(v) = max(own known recovery time, over AND links max(0, B(d) - t),
    over OR groups min over members max(0, B(d) - t))."""
    bound = {k: model.nodes[k].recovery_time or 0.0 for k in model.order}
    changed = True
    while changed:
        changed = False
        for v in model.order:
            value = float(model.nodes[v].recovery_time or 0.0)
            for term in model.terms.get(v, []):
                value = max(value, min(max(0.0, bound[d] - t) for d, t in term))
            if value > bound[v]:
                bound[v] = value
                changed = True
    return bound


def untested_needs(model: Model) -> dict[str, bool]:
    """Whether each node's recovery needs a resource without a recovery time: the resource
    itself, through any AND link, or through every member of an OR group."""
    needs = {
        k: model.nodes[k].kind == "resource" and model.nodes[k].recovery_time is None
        for k in model.order
    }
    changed = True
    while changed:
        changed = False
        for v in model.order:
            terms = model.terms.get(v, [])
            if not needs[v] and any(all(needs[d] for d, _t in term) for term in terms):
                needs[v] = True
                changed = True
    return needs


def killed_by(model: Model, node: str) -> set[str]:
    """Nodes stopped (eventually) when ``node`` fails and never comes back."""
    return set(whatif(model, {node}, never_back=True))


def spof_counts(model: Model) -> dict[str, tuple[int, float]]:
    """{node: (prioritised activities other than itself it stops, strictest RTO among them)}
    for every node that stops at least one."""
    result = {}
    for key in model.order:
        broken = [a for a in killed_by(model, key) if a != key and model.prioritised(a)]
        if broken:
            rtos = [model.nodes[a].rto for a in broken if model.nodes[a].rto is not None]
            result[key] = (len(broken), min(rtos, default=INF))
    return result


def neighbourhood(model: Model, centre: str, depth: int, admit: set[str]) -> dict[str, int]:
    """{key: distance in links} of the nodes within `depth` links of `centre` in either
    direction, over paths whose every node but the centre is admissible (no node budget)."""
    undirected = model.digraph().to_undirected(as_view=True)
    return nx.single_source_shortest_path_length(
        undirected.subgraph(admit | {centre}), centre, cutoff=depth
    )
