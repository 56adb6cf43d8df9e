"""The reports kit: one document structure rendered to DOCX (on the organisation's own Word
template), PDF (fonts embedded) and HTML. The API, documented in docs/architecture.md:

    from resilia.core import reports as r

    doc = r.Document(title=_("Business impact analysis report"), organisation=..., date=...,
                     classification=_("Internal"), toc=True, numbered=True)
    doc.add(r.Heading(_("Scope")), r.Paragraph([_("Covers "), r.Run(unit, bold=True)]),
            r.Table([r.Column(_("Activity"), 3), r.Column(_("RTO"), 1, numeric=True)], rows),
            r.Figure(r.charts.bar_chart(labels, values), caption=_("Figure 1")))
    content = r.render(doc, "pdf")                       # or "docx", "html"
    content = r.render(doc, "docx", template=r.TEMPLATE)  # the uploaded Word template, if any

A report too large for a request is produced by a report job (resilia.ops): register a
builder with `register_builder(kind, builder)`; see `Builder`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from resilia.core.reports import charts
from resilia.core.reports.document import (
    SHADES,
    Bullets,
    Cell,
    Column,
    Document,
    Figure,
    Heading,
    Labels,
    PageBreak,
    Paragraph,
    Run,
    Table,
)

FORMATS = ("pdf", "docx", "html")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}
# Passed as `template=`: use the organisation's uploaded Word template when there is one.
TEMPLATE = object()

_template_source: Callable[[], bytes | None] | None = None


def connect_template(source: Callable[[], bytes | None]) -> None:
    """Plug in where the organisation's Word template comes from (resilia.ops does)."""
    global _template_source
    _template_source = source


def _labels(doc: Document) -> Labels:
    return Labels(
        contents=doc.labels.contents or _("Contents"),
        page=doc.labels.page or _("Page %(page)s of %(total)s"),
        toc_hint=doc.labels.toc_hint
        or _("Update the field (F9 in Word) to fill in the table of contents."),
    )


def render(doc: Document, fmt: str, *, template=None, progress=None, request=None) -> bytes:
    """The document as bytes of `fmt` ("pdf", "docx" or "html").

    template: the bytes of a .docx to build the DOCX on, `TEMPLATE` for the organisation's
    own, None for the built-in one. progress(fraction) is called with 0..1 as it renders.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    # A copy: the caller's document keeps its own labels, so rendering it again in another
    # language takes that language's defaults.
    doc = dataclasses.replace(doc, labels=_labels(doc))

    def step(done: int, total: int) -> None:
        if progress is not None and total:
            progress(min(1.0, done / total))

    if fmt == "pdf":
        from resilia.core.reports.pdf import render_pdf

        return render_pdf(doc, progress=step)
    if fmt == "docx":
        from resilia.core.reports.word import render_docx

        if template is TEMPLATE:
            template = _template_source() if _template_source else None
        return render_docx(doc, template=template, progress=step)
    from resilia.core.reports.web import render_html

    return render_html(doc, request=request)


@dataclass(frozen=True)
class Builder:
    """A report a job can produce: `build(user, params)` returns the Document (checking what
    the user may see through the access choke point), `title(params)` names the job."""

    build: Callable[..., Document]
    title: Callable[[dict], str]
    basename: str


_BUILDERS: dict[str, Builder] = {}


def register_builder(kind: str, builder: Builder) -> None:
    """Register a report kind ("bia.report") from its app's AppConfig.ready()."""
    _BUILDERS[kind] = builder


def builder_for(kind: str) -> Builder:
    """The registered builder of `kind`; LookupError when none is."""
    try:
        return _BUILDERS[kind]
    except KeyError:
        raise LookupError(f"no report builder registered for {kind}") from None


__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "SHADES",
    "TEMPLATE",
    "Builder",
    "Bullets",
    "Cell",
    "Column",
    "Document",
    "Figure",
    "Heading",
    "Labels",
    "PageBreak",
    "Paragraph",
    "Run",
    "Table",
    "builder_for",
    "charts",
    "connect_template",
    "register_builder",
    "render",
]
