"""The graph endpoint's packed payload read back as the page reads it (graph.js unpack)."""

from __future__ import annotations


def _rows(columns: dict) -> list[dict]:
    keys = list(columns)
    count = len(columns[keys[0]]) if keys else 0
    return [
        {k: columns[k][i] for k in keys if columns[k][i] not in (None, "")} for i in range(count)
    ]


def unpack(packed: dict) -> dict:
    """Nodes and links as objects: each node with its id, page, unit and kind names, parent id
    and centre flag; empty values left out."""
    nodes = _rows(packed["nodes"])
    for i, node in enumerate(nodes):
        node["id"] = f"{node['type']}:{node['pk']}"
        node["url"] = packed["urls"][node["type"]].removesuffix("/0/") + f"/{node['pk']}/"
        if node.get("unit_key"):
            node["unit"] = packed["units"][node["unit_key"]]
        node["kind_label"] = packed["kind_labels"][node["kind"]]
        if i == packed["centre"]:
            node["centre"] = True
    for node in nodes:
        if "parent" in node:
            node["parent"] = nodes[node["parent"]]["id"]
    links = _rows(packed["links"])
    for link in links:
        link["source"], link["target"] = nodes[link["source"]]["id"], nodes[link["target"]]["id"]
    return {**packed, "nodes": nodes, "links": links}
