"""DOCX renderer: the document through python-docx, on the organisation's own Word template
when one is given (its styles, letterhead, headers and footers), on python-docx's clean
built-in one otherwise.

The template's body is emptied, except what stands before a paragraph reading exactly
`{{report}}` (a cover or 红头 letterhead drawn in the body): the report goes there. A style
the template lacks (Title, Heading 1-3, Table Grid, List Bullet, Caption) falls back to
Normal with direct formatting, never to an error.
"""

from __future__ import annotations

import io

from docx import Document as open_docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from resilia.core.reports import document as d

MARKER = "{{report}}"
# The East Asian font of the built-in template; Word and LibreOffice substitute what the
# reader's machine has when it is missing.
EAST_ASIAN_FONT = "SimSun"
HEADING_SIZES = {0: 20, 1: 16, 2: 13, 3: 12}


def _style(docx, name: str):
    """The style `name` of the document, or None when its template lacks it."""
    try:
        return docx.styles[name]
    except KeyError:
        return None


def _east_asian(style_or_run, font: str) -> None:
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)


def _base(template: bytes | None):
    if template is None:
        docx = open_docx()
        normal = docx.styles["Normal"]
        normal.font.size = Pt(10.5)
        _east_asian(normal, EAST_ASIAN_FONT)
        for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption"):
            style = _style(docx, name)
            if style is not None:
                _east_asian(style, EAST_ASIAN_FONT)
        return docx, None
    docx = open_docx(io.BytesIO(template))
    body = docx.element.body
    anchor = None
    children = [c for c in body.iterchildren() if c.tag != qn("w:sectPr")]
    for index, child in enumerate(children):
        if child.tag == qn("w:p") and child.xpath("string(.)").strip() == MARKER:
            anchor = child
            children = children[index + 1 :]
            break
    for child in children:
        body.remove(child)
    return docx, anchor


class _Writer:
    def __init__(self, docx, anchor):
        self.docx = docx
        self.anchor = anchor  # the marker paragraph: new content goes before it

    def _place(self, element) -> None:
        if self.anchor is not None:
            self.anchor.addprevious(element)

    def paragraph(self, text: str = "", style: str | None = None, size: float | None = None):
        known = _style(self.docx, style) if style else None
        para = self.docx.add_paragraph(style=known)
        self._place(para._p)
        if text:
            run = para.add_run(text)
            if style and known is None:
                # The template lacks the style: keep the meaning with direct formatting.
                run.bold = style.startswith(("Heading", "Title"))
                if size:
                    run.font.size = Pt(size)
        return para

    def runs(self, para, runs: list[d.Run]) -> None:
        for piece in runs:
            run = para.add_run(piece.text)
            run.bold = piece.bold or None
            run.italic = piece.italic or None

    def table(self, table: d.Table) -> None:
        cells = table.cells()
        grid = self.docx.add_table(rows=1 + len(cells), cols=len(table.columns))
        self._place(grid._tbl)
        if _style(self.docx, "Table Grid") is not None:
            grid.style = self.docx.styles["Table Grid"]
        section = self.docx.sections[-1]
        usable = section.page_width - section.left_margin - section.right_margin
        widths = [int(usable * f) for f in table.fractions()]
        header = grid.rows[0]
        trpr = header._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        trpr.append(repeat)
        for index, column in enumerate(table.columns):
            cell = header.cells[index]
            cell.text = ""
            cell.paragraphs[0].add_run(column.label).bold = True
            _shade(cell, d.SHADES["grey"])
        for r, row in enumerate(cells, start=1):
            for c, value in enumerate(row):
                cell = grid.rows[r].cells[c]
                para = cell.paragraphs[0]
                run = para.add_run(value.text)
                run.bold = value.bold or None
                if value.numeric or table.columns[c].numeric:
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if value.shade:
                    _shade(cell, d.SHADES[value.shade])
        for row in grid.rows:
            for index, cell in enumerate(row.cells):
                cell.width = widths[index]


def _png_width(png: bytes) -> int:
    """The pixel width in a PNG's header (IHDR)."""
    return int.from_bytes(png[16:20], "big")


def _shade(cell, colour: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour.lstrip("#").upper())
    tcpr.append(shd)


def _toc_field(writer: _Writer, hint: str) -> None:
    """A TOC field over heading levels 1-3: Word fills it on opening (it asks to update
    fields), LibreOffice with Tools > Update."""
    para = writer.paragraph()
    run = para.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-3" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(begin)
    run._r.append(instr)
    run._r.append(separate)
    para.add_run(hint).italic = True
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    para.add_run()._r.append(end)
    settings = writer.docx.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def render_docx(doc: d.Document, *, template: bytes | None = None, progress=None) -> bytes:
    """The document as DOCX bytes, on `template` (the bytes of a .docx) when given."""
    docx, anchor = _base(template)
    if doc.landscape and template is None:
        section = docx.sections[-1]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    w = _Writer(docx, anchor)
    core = docx.core_properties
    core.title = doc.title[:255]
    core.subject = doc.subtitle[:255]
    core.author = (doc.organisation or "Resilia")[:255]
    core.category = doc.classification[:255]
    w.paragraph(doc.title, "Title", HEADING_SIZES[0])
    if doc.subtitle:
        w.paragraph(doc.subtitle, "Subtitle", 14)
    for value in (doc.organisation, doc.date, doc.classification):
        if value:
            w.paragraph(value)
    for label, value in doc.metadata:
        para = w.paragraph()
        para.add_run(f"{label}: ").bold = True
        para.add_run(str(value))
    if doc.toc:
        style = "TOC Heading" if _style(docx, "TOC Heading") else "Heading 1"
        w.paragraph(doc.labels.contents, style, 16)
        _toc_field(w, doc.labels.toc_hint)
        w.paragraph().add_run().add_break(WD_BREAK.PAGE)
    blocks = doc.numbered_blocks()
    for number, block in enumerate(blocks, start=1):
        if isinstance(block, d.Heading):
            w.paragraph(block.text, f"Heading {block.level}", HEADING_SIZES[block.level])
        elif isinstance(block, d.Paragraph):
            w.runs(w.paragraph(), block.runs())
        elif isinstance(block, d.Bullets):
            for runs in block.item_runs():
                para = w.paragraph(style="List Bullet")
                if _style(docx, "List Bullet") is None:
                    para.add_run("• ")
                w.runs(para, runs)
        elif isinstance(block, d.Table):
            if block.rows:
                w.table(block)
            else:
                w.paragraph(block.empty)
            if block.caption:
                w.paragraph(block.caption, "Caption")
        elif isinstance(block, d.Figure):
            section = docx.sections[-1]
            usable = section.page_width - section.left_margin - section.right_margin
            para = w.paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            # As in the PDF: at most two pixels a point (charts are drawn at 144 dpi).
            natural = Pt(_png_width(block.png) / 2)
            para.add_run().add_picture(
                io.BytesIO(block.png), width=int(min(usable * block.width, natural))
            )
            if block.caption:
                cap = w.paragraph(block.caption, "Caption")
                cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, d.PageBreak):
            w.paragraph().add_run().add_break(WD_BREAK.PAGE)
        else:
            raise TypeError(f"not a report block: {block!r}")
        if progress is not None:
            progress(number, len(blocks))
    if anchor is not None:
        anchor.getparent().remove(anchor)
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()
