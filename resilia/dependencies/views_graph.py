"""The interactive dependency graph: a page and its JSON endpoint.

The endpoint never sends the whole model: it asks the engine for the neighbourhood of one
centre node in the compiled graph (cached per model state), both directions, up to `depth`
links, layer by layer, admitting only nodes the user may read and that pass the unit and kind
filters, and stopping at MAX_NODES. Each kept node carries a verdict from the engine (gap,
single point of failure, unknown capability, OK), the node it was reached from and the link
it was reached over: the page follows them back to the centre to say why a node is there.
"""

from __future__ import annotations

import numpy as np
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from resilia.core import access
from resilia.core.durations import human_minutes
from resilia.core.forms import TreeUnitChoiceField
from resilia.core.pickers import Picker, use_picker
from resilia.dependencies import selectors
from resilia.dependencies.forms import node_label
from resilia.dependencies.models import Activity, Resource, priority_order
from resilia.engine.neighbourhood import Neighbourhood, link_group, links_between
from resilia.engine.neighbourhood import neighbourhood as engine_neighbourhood
from resilia.org.models import Unit

MAX_NODES = 300
# Candidates checked for access and filters per query (a hub has tens of thousands).
ADMIT_SLICE = 1000
MAX_DEPTH = 4
GAP, SPOF, UNKNOWN, OK = "gap", "spof", "unknown", "ok"


def _verdicts(model: selectors.CompiledModel) -> np.ndarray:
    graph = model.graph
    out = np.zeros(graph.n, dtype=np.int8)
    is_resource = graph.kind == 1
    out[is_resource & np.isnan(graph.recovery_time)] = 1
    out[~is_resource & np.isnan(graph.rto)] = 1
    for item in model.spof().spofs:
        out[item.node] = 2
    found = model.gaps()
    # Every gap the gaps report lists is a gap here, untested ones included (one rule:
    # resilia.engine.gaps); an untested resource nothing prioritised needs stays "unknown".
    for gap in found.resources:
        out[gap.node] = 3
    for gap in found.activities:
        out[gap.node] = 3
    return out


def verdicts(model: selectors.CompiledModel) -> np.ndarray:
    """Per engine node: 0 OK, 1 unknown capability, 2 single point of failure, 3 gap.

    Computed once per model state, from the gaps and SPOF ranking the analysis reports share."""
    return model.derived("graph_verdicts", lambda _graph: _verdicts(model))


VERDICT_NAMES = {0: OK, 1: UNKNOWN, 2: SPOF, 3: GAP}


def _engine_node(graph, index, key: str) -> int | None:
    kind, _sep, pk = key.partition(":")
    if not pk.isdigit() or kind not in ("activity", "resource"):
        return None
    ids = index.activity_ids if kind == "activity" else index.resource_ids
    pos = int(np.searchsorted(ids, int(pk)))
    if pos >= len(ids) or ids[pos] != int(pk):
        return None
    return pos if kind == "activity" else len(index.activity_ids) + pos


def _db_ref(index, node: int) -> tuple[str, int]:
    n_act = len(index.activity_ids)
    if node < n_act:
        return "activity", int(index.activity_ids[node])
    return "resource", int(index.resource_ids[node - n_act])


class Filters:
    def __init__(self, unit: Unit | None, kind: str):
        self.unit, self.kind = unit, kind

    def passes(self, info: dict) -> bool:
        if self.kind == "activity" and info["type"] != "activity":
            return False
        if self.kind and self.kind != "activity" and info.get("kind") != self.kind:
            return False
        if self.unit is not None and not (info["unit_path"] or "").startswith(self.unit.path):
            return False
        return True


def _describe(user, index, nodes: list[int]) -> dict[int, dict]:
    """Readable node attributes, by engine node id (two queries; unreadable ones left out)."""
    by_kind: dict[str, dict[int, int]] = {"activity": {}, "resource": {}}
    for node in nodes:
        kind, pk = _db_ref(index, node)
        by_kind[kind][pk] = node
    found: dict[int, dict] = {}
    if by_kind["activity"] and access.can_read_kind(user, Activity):
        rows = Activity.objects.for_user(user).filter(pk__in=list(by_kind["activity"]))
        for obj in rows.select_related("unit"):
            found[by_kind["activity"][obj.pk]] = {
                "type": "activity",
                "kind": "activity",
                "kind_label": str(capfirst(Activity._meta.verbose_name)),
                "code": obj.code,
                "name": obj.display_name,
                "unit": obj.unit.display_name,
                "unit_key": str(obj.unit_id),
                "unit_path": obj.unit.path,
                "url": obj.get_absolute_url(),
                "rto": human_minutes(obj.rto),
                "mtpd": human_minutes(obj.mtpd),
                "rpo": human_minutes(obj.rpo),
            }
    if by_kind["resource"] and access.can_read_kind(user, Resource):
        rows = Resource.objects.for_user(user).filter(pk__in=list(by_kind["resource"]))
        for obj in rows.select_related("unit"):
            found[by_kind["resource"][obj.pk]] = {
                "type": "resource",
                "kind": obj.kind,
                "kind_label": obj.get_kind_display(),
                "code": obj.code,
                "name": obj.display_name,
                "unit": obj.unit.display_name if obj.unit else "",
                "unit_key": str(obj.unit_id or ""),
                "unit_path": obj.unit.path if obj.unit else "",
                "url": obj.get_absolute_url(),
                "recovery_time": human_minutes(obj.recovery_time),
                "recovery_point": human_minutes(obj.recovery_point),
                "redundancy": obj.get_redundancy_display(),
            }
    return found


def _admissible(user, index, nodes: list[int], filters: Filters) -> set[int]:
    """The engine nodes among `nodes` the user may read and the filters pass: two queries of
    three columns, no description built (a hub offers tens of thousands of candidates)."""
    by_kind: dict[str, dict[int, int]] = {"activity": {}, "resource": {}}
    for node in nodes:
        kind, pk = _db_ref(index, node)
        by_kind[kind][pk] = node
    passed: set[int] = set()
    for kind, model, columns in (
        ("activity", Activity, ("pk", "unit__path")),
        ("resource", Resource, ("pk", "unit__path", "kind")),
    ):
        if not by_kind[kind] or not access.can_read_kind(user, model):
            continue
        rows = model.objects.for_user(user).filter(pk__in=list(by_kind[kind])).order_by()
        for pk, path, *rest in rows.values_list(*columns):
            info = {"type": kind, "kind": rest[0] if rest else kind, "unit_path": path or ""}
            if filters.passes(info):
                passed.add(by_kind[kind][pk])
    return passed


def neighbourhood(
    user, graph, index, centre: int, depth: int, filters: Filters
) -> tuple[Neighbourhood, dict[int, dict]] | None:
    """The engine's walk from the centre, admitting readable nodes that pass the filters, and
    the description of each node kept; None when the user may not read the centre."""
    if not _describe(user, index, [centre]):
        return None

    taken = [1]  # nodes the walk keeps so far (the centre), as the engine counts them

    def admit(candidates: np.ndarray) -> np.ndarray:
        # One layer at a time; a node refused now may be offered again by a later layer. The
        # engine keeps the first admitted candidates up to its budget and says truncated when
        # there were more: the candidates are checked in slices, in order, until one more than
        # the room left is admitted (the rest answer no; the engine's result is the same).
        keep = np.zeros(len(candidates), dtype=bool)
        room = MAX_NODES - taken[0]
        admitted = 0
        for start in range(0, len(candidates), ADMIT_SLICE):
            part = candidates[start : start + ADMIT_SLICE].tolist()
            passed = _admissible(user, index, part, filters)
            for offset, w in enumerate(part):
                if w in passed:
                    keep[start + offset] = True
                    admitted += 1
            if admitted > room:
                break
        taken[0] += min(admitted, room)
        return keep

    found = engine_neighbourhood(graph, centre, depth=depth, budget=MAX_NODES, admit=admit)
    # Only the nodes kept are described (at most MAX_NODES), in two queries.
    info = _describe(user, index, found.nodes.tolist())
    return found, {node: info[node] for node in found.nodes.tolist() if node in info}


def _tolerance(graph, link: int) -> str:
    value = float(graph.link_tol[link])
    return human_minutes(value) if value > 0 else ""


def _compact(item: dict) -> dict:
    """`item` without its empty values (None, "", False): the page reads a missing key as
    empty, and a few hundred nodes and links no longer carry them."""
    return {k: v for k, v in item.items() if v is not None and v != "" and v is not False}


def graph_payload(user, key: str, depth: int, unit: Unit | None, kind: str) -> dict:
    model = selectors.compiled_model()
    graph, index = model.graph, model.index
    centre = _engine_node(graph, index, key)
    if centre is None:
        return {"nodes": [], "links": [], "truncated": False}
    walked = neighbourhood(user, graph, index, centre, depth, Filters(unit, kind))
    if walked is None:
        return {"nodes": [], "links": [], "truncated": False}
    found, kept = walked
    verdict = verdicts(model)
    ids = {node: "{}:{}".format(*_db_ref(index, node)) for node in found.nodes.tolist()}
    links, position = [], {}
    for link in links_between(graph, found.nodes).tolist():
        source, target = graph.link(link)
        position[link] = len(links)
        links.append(
            _compact(
                {
                    "source": ids[source],
                    "target": ids[target],
                    "group": link_group(graph, link),
                    "tolerance": _tolerance(graph, link),
                }
            )
        )
    nodes = []
    for node, data in kept.items():
        data = {k: v for k, v in data.items() if k != "unit_path"}
        at = found.position(node)
        via = int(found.via[at])
        # The link it was reached over and the node it was reached from: the page follows
        # these back to the centre ("why it is here"), so no node carries its whole path.
        data.update(
            id=ids[node],
            verdict=VERDICT_NAMES[int(verdict[node])],
            centre=node == centre,
            distance=int(found.distance[at]),
            parent=ids[int(found.previous[at])] if via >= 0 else None,
            via=position[via] if via >= 0 else None,
        )
        nodes.append(_compact(data))
    return {
        "nodes": nodes,
        "links": links,
        "truncated": found.truncated,
        "revision": model.revision,
    }


# Per node, what the page rebuilds rather than receives: its id (type and pk), its page (from
# the address of its type), its unit's and its kind's names (sent once each), whether it is the
# centre (named once) and its parent (sent as a position).
_REBUILT = {"id", "url", "unit", "kind_label", "centre", "parent"}


def pack(payload: dict) -> dict:
    """The payload as graph.js reads it: one list per key for the nodes and for the links (the
    keys once, not per node), links and parents as positions in the nodes, and the strings a
    few hundred nodes share (unit and kind names, the address of each type) once each. The
    page unpacks it into the objects graph_payload built."""
    nodes, links = payload["nodes"], payload["links"]
    at = {n["id"]: i for i, n in enumerate(nodes)}
    keys = list(dict.fromkeys(k for n in nodes for k in n if k not in _REBUILT))
    columns = {k: [n.get(k) for n in nodes] for k in keys}
    columns["pk"] = [int(n["id"].partition(":")[2]) for n in nodes]
    columns["parent"] = [at.get(n.get("parent")) for n in nodes]
    return {
        "nodes": columns,
        "centre": next((i for i, n in enumerate(nodes) if n.get("centre")), None),
        "units": {n["unit_key"]: n.get("unit", "") for n in nodes if n.get("unit_key")},
        "kind_labels": {n["kind"]: n.get("kind_label", "") for n in nodes},
        "urls": {
            kind: reverse(f"dependencies:{kind}_detail", args=[0])
            for kind in ("activity", "resource")
        },
        "links": {
            "source": [at[link["source"]] for link in links],
            "target": [at[link["target"]] for link in links],
            "group": [link.get("group", "") for link in links],
            "tolerance": [link.get("tolerance", "") for link in links],
        },
        "truncated": payload["truncated"],
        "revision": payload.get("revision"),
    }


def _params(request):
    try:
        depth = min(max(int(request.GET.get("depth", 2)), 1), MAX_DEPTH)
    except ValueError:
        depth = 2
    raw_unit = request.GET.get("unit", "")
    unit = None
    if raw_unit.isdigit() and len(raw_unit) < 19:
        unit = Unit.objects.for_user(request.user).filter(pk=int(raw_unit)).first()
    kind = request.GET.get("kind", "")
    if kind not in ("", "activity", *Resource.Kind.values):
        kind = ""
    return depth, unit, kind


def _require_reader(user):
    if not (access.can_read_kind(user, Activity) or access.can_read_kind(user, Resource)):
        raise PermissionDenied


@login_required
@require_GET
def graph_data(request):
    """JSON neighbourhood of ?node=activity:<pk>|resource:<pk>, &depth=1-4, &unit=, &kind=."""
    _require_reader(request.user)
    depth, unit, kind = _params(request)
    payload = pack(graph_payload(request.user, request.GET.get("node", ""), depth, unit, kind))
    # Compact and in UTF-8: the names are Chinese, six bytes each as \u escapes.
    return JsonResponse(
        payload, json_dumps_params={"separators": (",", ":"), "ensure_ascii": False}
    )


class GraphForm:
    """The filter bar of the graph page (a plain form would render every node)."""

    def __init__(self, request):
        self.depth, self.unit, self.kind = _params(request)
        # Without a choice, centre on the first activity in BIA priority order the user may
        # read, so the page opens on something meaningful rather than an empty canvas.
        self.node = request.GET.get("node", "") or _default_centre(request.user)
        self.node_label = node_label(self.node, request.user) if self.node else ""
        # The kit's pickers: only the chosen node and unit are rendered, never the model.
        node = Picker(
            ("dependencies:autocomplete", ["node"]),
            labels=lambda values: [(self.node, self.node_label)],
        )
        self.node_picker = node.render(
            "node", self.node, attrs={"id": "graph-node", "class": "form-control"}
        )
        units = TreeUnitChoiceField(queryset=Unit.objects.for_user(request.user), required=False)
        use_picker(units, ("org:autocomplete", ["unit"]))
        self.unit_picker = units.widget.render(
            "unit",
            self.unit.pk if self.unit else None,
            attrs={"id": "graph-unit", "class": "form-control"},
        )
        self.kinds = [("activity", Activity._meta.verbose_name), *Resource.Kind.choices]
        self.groups = [
            ("", _("No grouping")),
            ("unit", _("By unit")),
            ("kind", _("By kind of resource")),
        ]
        group = request.GET.get("group", "")
        self.group = group if group in ("unit", "kind") else ""


def _default_centre(user) -> str:
    activity = (
        Activity.objects.for_user(user)
        .filter(rto__isnull=False)
        .order_by(*priority_order())
        .only("pk")
        .first()
    )
    return f"activity:{activity.pk}" if activity else ""


@login_required
@require_GET
def graph_page(request):
    _require_reader(request.user)
    form = GraphForm(request)
    strings = {
        "needs": capfirst(_("needs")),
        "needed_by": capfirst(_("is needed by")),
        "and": _("AND"),
        "or_group": _("OR group %(group)s"),
        "tolerance": capfirst(_("tolerance")),
        "open": _("Open its page"),
        "path": _("Why it is here"),
        "centre": _("This is the chosen node."),
        "truncated": _(
            "Only the nearest %(max)s nodes are shown; narrow the filters or the depth."
        ),
        "empty": _("Nothing to show: choose a node you may read."),
        "loading": _("Loading…"),
        "failed": _("The graph could not be loaded."),
        "verdicts": {
            GAP: capfirst(_("capability gap")),
            SPOF: capfirst(_("single point of failure")),
            UNKNOWN: capfirst(_("unknown capability")),
            OK: _("OK"),
        },
        "fields": {
            "code": capfirst(_("code")),
            "unit": capfirst(_("unit")),
            "kind": capfirst(_("kind")),
            "rto": _("RTO"),
            "mtpd": _("MTPD"),
            "rpo": _("RPO"),
            "recovery_time": capfirst(_("recovery time")),
            "recovery_point": capfirst(_("recovery point")),
            "redundancy": capfirst(_("redundancy")),
            "verdict": capfirst(_("verdict")),
        },
        "max": MAX_NODES,
        "laying_out": _("Laying out the graph…"),
        "no_unit": _("No unit"),
        "activities": str(capfirst(Activity._meta.verbose_name_plural)),
        "export_failed": _("The picture could not be made."),
        "title": _("Dependency graph"),
    }
    return render(request, "dependencies/graph.html", {"form": form, "strings": strings})
