"""PDF renderer: the document on A4 through reportlab, its font embedded as a subset.

Headings are bookmarks, and the table of contents (when asked for) is filled by a second
layout pass. Every page's footer carries the organisation, title, classification and
"page n of m".
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
from reportlab.platypus.frames import Frame
from reportlab.platypus.tableofcontents import TableOfContents

from resilia.core.reports import document as d
from resilia.core.reports.fonts import pdf_font

MARGIN = 18 * mm


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = {"fontName": font, "bulletFontName": font, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle("title", fontSize=20, leading=28, spaceAfter=6, **base),
        "subtitle": ParagraphStyle("subtitle", fontSize=13, leading=18, spaceAfter=8, **base),
        "meta": ParagraphStyle("meta", fontSize=9, leading=13, **base),
        1: ParagraphStyle("h1", fontSize=15, leading=21, spaceBefore=12, spaceAfter=6, **base),
        2: ParagraphStyle("h2", fontSize=12.5, leading=18, spaceBefore=9, spaceAfter=4, **base),
        3: ParagraphStyle("h3", fontSize=11, leading=16, spaceBefore=6, spaceAfter=3, **base),
        "body": ParagraphStyle("body", fontSize=10, leading=15, spaceAfter=5, **base),
        "cell": ParagraphStyle("cell", fontSize=8.5, leading=11, **base),
        "num": ParagraphStyle("num", fontSize=8.5, leading=11, alignment=2, **base),
        "caption": ParagraphStyle(
            "caption", fontSize=9, leading=13, alignment=1, spaceAfter=8, **base
        ),
        "toc1": ParagraphStyle("toc1", fontSize=10.5, leading=16, leftIndent=0, **base),
        "toc2": ParagraphStyle("toc2", fontSize=9.5, leading=14, leftIndent=12, **base),
        "toc3": ParagraphStyle("toc3", fontSize=9, leading=13, leftIndent=24, **base),
    }


def _markup(runs: list[d.Run]) -> str:
    out = []
    for run in runs:
        text = escape(run.text).replace("\n", "<br/>")
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        out.append(text)
    return "".join(out)


class _Doc(BaseDocTemplate):
    """Reports headings to the table of contents and to the outline (bookmarks)."""

    def __init__(self, *args, progress=None, total=0, **kwargs):
        super().__init__(*args, **kwargs)
        self._progress = progress
        self._total = total
        self._done = 0

    def afterFlowable(self, flowable):  # noqa: N802 (reportlab's API)
        level = getattr(flowable, "_report_level", None)
        if level is not None:
            text = flowable.getPlainText()
            key = f"h{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level - 1, closed=level > 1)
            self.notify("TOCEntry", (level - 1, text, self.page, key))
        if self._progress is not None and getattr(flowable, "_report_block", False):
            self._done += 1
            self._progress(self._done, self._total)


def _table(table: d.Table, styles, width: float):
    header = [RLParagraph(f"<b>{escape(c.label)}</b>", styles["cell"]) for c in table.columns]
    cells = table.cells()
    body = []
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(d.SHADES["grey"])),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#adb5bd")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for r, row in enumerate(cells, start=1):
        line = []
        for c, cell in enumerate(row):
            style = styles["num"] if cell.numeric or table.columns[c].numeric else styles["cell"]
            text = escape(cell.text)
            line.append(RLParagraph(f"<b>{text}</b>" if cell.bold else text, style))
            if cell.shade:
                shade = colors.HexColor(d.SHADES[cell.shade])
                commands.append(("BACKGROUND", (c, r), (c, r), shade))
        body.append(line)
    widths = [width * f for f in table.fractions()]
    flow = Table([header, *body], colWidths=widths, repeatRows=1)
    flow.setStyle(TableStyle(commands))
    return flow


def _flowables(block, styles, width: float) -> list:
    if isinstance(block, d.Heading):
        flow = RLParagraph(escape(block.text), styles[block.level])
        flow._report_level = block.level
        return [flow]
    if isinstance(block, d.Paragraph):
        return [RLParagraph(_markup(block.runs()), styles["body"])]
    if isinstance(block, d.Bullets):
        items = [ListItem(RLParagraph(_markup(r), styles["body"])) for r in block.item_runs()]
        return [
            ListFlowable(
                items,
                bulletType="bullet",
                start="•",
                leftIndent=12,
                bulletFontName=styles["body"].fontName,
            )
        ]
    if isinstance(block, d.Table):
        out = []
        if not block.rows:
            out.append(RLParagraph(escape(block.empty), styles["body"]))
        else:
            out.append(_table(block, styles, width))
        if block.caption:
            out.append(RLParagraph(escape(block.caption), styles["caption"]))
        return [*out, Spacer(1, 3 * mm)]
    if isinstance(block, d.Figure):
        image = Image(io.BytesIO(block.png))
        # Charts are drawn at 144 dpi: two pixels a point at most, less to fit the width.
        scale = min(0.5, width * block.width / image.imageWidth)
        image.drawWidth = image.imageWidth * scale
        image.drawHeight = image.imageHeight * scale
        caption = RLParagraph(escape(block.caption), styles["caption"]) if block.caption else None
        return [KeepTogether([image, *([caption] if caption else [])])]
    if isinstance(block, d.PageBreak):
        return [PageBreak()]
    raise TypeError(f"not a report block: {block!r}")


def _footer(font: str, line: str, page_label: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        width, _height = doc.pagesize
        canvas.drawString(MARGIN, 10 * mm, line)
        # "page n of m": m is known only once laid out, so it is drawn by _NumberedCanvas.
        canvas._report_footer = (font, page_label, width - MARGIN)
        canvas.restoreState()

    return draw


def _numbered_canvas(font: str):
    from reportlab.pdfgen import canvas as rl_canvas

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            # Else every page names Helvetica, a font that is not embedded.
            if not kwargs.get("initialFontName"):
                kwargs["initialFontName"] = font
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 (reportlab's API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                footer = getattr(self, "_report_footer", None)
                if footer:
                    font, label, right = footer
                    self.setFont(font, 8)
                    self.setFillColor(colors.grey)
                    self.drawRightString(
                        right, 10 * mm, label % {"page": self._pageNumber, "total": total}
                    )
                super().showPage()
            super().save()

    return NumberedCanvas


def render_pdf(doc: d.Document, *, progress=None) -> bytes:
    """The document as PDF bytes; `progress(done, total)` is called as blocks are laid out."""
    font = pdf_font().name
    styles = _styles(font)
    page = landscape(A4) if doc.landscape else A4
    width = page[0] - 2 * MARGIN
    buffer = io.BytesIO()
    blocks = doc.numbered_blocks()
    template = _Doc(
        buffer,
        pagesize=page,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=doc.title,
        subject=doc.subtitle,
        author=doc.organisation or "Resilia",
        creator="Resilia",
        progress=progress,
        total=len(blocks),
    )
    frame = Frame(MARGIN, MARGIN + 4 * mm, width, page[1] - 2 * MARGIN - 4 * mm, id="body")
    footer = _footer(font, doc.footer_line(), doc.labels.page)
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])

    story = [RLParagraph(escape(doc.title), styles["title"])]
    if doc.subtitle:
        story.append(RLParagraph(escape(doc.subtitle), styles["subtitle"]))
    cover = [
        (None, doc.organisation),
        (None, doc.date),
        (None, doc.classification),
    ]
    for _label, value in cover:
        if value:
            story.append(RLParagraph(escape(value), styles["meta"]))
    for label, value in doc.metadata:
        story.append(RLParagraph(f"{escape(str(label))}: {escape(str(value))}", styles["meta"]))
    story.append(Spacer(1, 6 * mm))
    if doc.toc:
        toc = TableOfContents()
        toc.levelStyles = [styles["toc1"], styles["toc2"], styles["toc3"]]
        story += [RLParagraph(escape(doc.labels.contents), styles[1]), toc, PageBreak()]
    for block in blocks:
        flows = _flowables(block, styles, width)
        flows[-1]._report_block = True
        story += flows
    if doc.toc:
        template.multiBuild(story, canvasmaker=_numbered_canvas(font))
    else:
        template.build(story, canvasmaker=_numbered_canvas(font))
    return buffer.getvalue()
