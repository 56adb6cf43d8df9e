"""Simple charts drawn to PNG on the server, with no browser and no plotting library: bar
charts and heat grids, drawn with Pillow (already installed with reportlab; HPND licence) in
the report font, so Chinese labels show.

Made for printed reports: a few dozen bars or cells, labels in the caller's language.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from resilia.core.reports.document import SHADES
from resilia.core.reports.fonts import find_font

BAR = "#206bc4"
INK = "#1e293b"
GRID = "#cbd5e1"
SCALE = 2  # drawn at twice the size, for print


def _font(size: int):
    font = find_font()
    if font.embedded:
        return ImageFont.truetype(font.path, size * SCALE, index=font.subfont)
    return ImageFont.load_default(size * SCALE)


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def bar_chart(labels: list[str], values: list[float], *, unit: str = "", width: int = 640) -> bytes:
    """Horizontal bars, one per label, with the value written after each bar."""
    if len(labels) != len(values):
        raise ValueError("one value per label")
    font = _font(11)
    row = 24 * SCALE
    pad = 8 * SCALE
    w = width * SCALE
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    label_w = max([probe.textlength(str(t), font=font) for t in labels] or [0]) + pad
    value_w = max([probe.textlength(f"{v:g}{unit}", font=font) for v in values] or [0]) + pad
    h = pad * 2 + row * max(1, len(labels))
    image = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(image)
    top = max([v for v in values] or [0]) or 1
    span = max(1, w - label_w - value_w - 2 * pad)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = pad + index * row
        draw.text((pad, y + row / 2), str(label), fill=INK, font=font, anchor="lm")
        x0 = pad + label_w
        length = span * max(0, value) / top
        draw.rectangle([x0, y + row * 0.2, x0 + length, y + row * 0.8], fill=BAR)
        text = f"{value:g}{unit}"
        draw.text((x0 + length + pad / 2, y + row / 2), text, fill=INK, font=font, anchor="lm")
    return _png(image)


def heat_grid(
    rows: list[str], columns: list[str], shades: list[list[str | None]], texts=None
) -> bytes:
    """A grid of shaded cells (names of SHADES), e.g. impact by time band or a risk matrix;
    `texts` optionally writes a value in each cell."""
    if len(shades) != len(rows) or any(len(r) != len(columns) for r in shades):
        raise ValueError("one shade per row and column")
    font = _font(10)
    pad = 6 * SCALE
    cell_w, cell_h = 72 * SCALE, 26 * SCALE
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    label_w = max([probe.textlength(str(t), font=font) for t in rows] or [0]) + 2 * pad
    w = int(label_w + cell_w * len(columns) + pad)
    h = int(pad + cell_h * (len(rows) + 1) + pad)
    image = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(image)
    for c, name in enumerate(columns):
        x = label_w + c * cell_w + cell_w / 2
        draw.text((x, pad + cell_h / 2), str(name), fill=INK, font=font, anchor="mm")
    for r, name in enumerate(rows):
        y = pad + (r + 1) * cell_h
        draw.text((pad, y + cell_h / 2), str(name), fill=INK, font=font, anchor="lm")
        for c in range(len(columns)):
            x = label_w + c * cell_w
            fill = SHADES.get(shades[r][c] or "", "white")
            draw.rectangle([x, y, x + cell_w, y + cell_h], fill=fill, outline=GRID)
            if texts is not None and texts[r][c] not in (None, ""):
                centre = (x + cell_w / 2, y + cell_h / 2)
                draw.text(centre, str(texts[r][c]), fill=INK, font=font, anchor="mm")
    return _png(image)
