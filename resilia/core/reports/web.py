"""HTML renderer: the document as a page of Resilia (core/report.html), styled by
resilia.css classes only — the CSP forbids inline styles and scripts. Figures are data: URIs,
which the CSP's img-src allows."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string

from resilia.core.reports import document as d


def _kind(block) -> str:
    return type(block).__name__.lower()


def context(doc: d.Document) -> dict:
    """What core/report.html and core/_report_body.html need."""
    blocks = []
    toc = []
    for number, block in enumerate(doc.numbered_blocks()):
        item = {"kind": _kind(block), "block": block}
        if isinstance(block, d.Heading):
            item["anchor"] = f"section-{number}"
            toc.append(item)
        elif isinstance(block, d.Paragraph):
            item["runs"] = block.runs()
        elif isinstance(block, d.Bullets):
            item["items"] = block.item_runs()
        elif isinstance(block, d.Table):
            item["cells"] = block.cells()
            item["numeric"] = [c.numeric for c in block.columns]
        elif isinstance(block, d.Figure):
            item["src"] = "data:image/png;base64," + base64.b64encode(block.png).decode()
            item["percent"] = round(block.width * 100 / 5) * 5
        blocks.append(item)
    return {"doc": doc, "blocks": blocks, "toc": toc if doc.toc else []}


def render_html(doc: d.Document, *, request=None, standalone: bool = True) -> bytes:
    """A page of its own (standalone) or the body alone, to include in another page."""
    name = "core/report.html" if standalone else "core/_report_body.html"
    return render_to_string(name, context(doc), request=request).encode()
