"""The font of PDF reports and charts: a TrueType CJK font, embedded as a subset.

reportlab embeds TrueType-outline fonts (glyf) only, not the CFF outlines of Noto CJK's .otf
and .ttc files. The font used is WenQuanYi Micro Hei (Apache-2.0; TrueType outlines; about
21,000 CJK ideographs — the whole Unified Ideographs block — with Latin, Greek and Cyrillic),
shipped on PyPI inside the `paperang-p2-fonts-cjk` package, so every `pip install` gets it
without root. `REPORT_FONT_FILE` (a .ttf or .ttc with TrueType outlines) replaces it.

When neither is there, PDFs fall back to the predefined CID font STSong-Light, which is not
embedded (the viewer must supply the glyphs, and some phones show none); the system check
`resilia.W101` says so at start-up.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from django.conf import settings

FALLBACK = "STSong-Light"


@dataclass(frozen=True)
class ReportFont:
    """Where the report font comes from: a file (embedded) or the CID fallback (not)."""

    name: str
    path: str | None
    subfont: int = 0

    @property
    def embedded(self) -> bool:
        return self.path is not None


def _packaged() -> str | None:
    try:
        import paperang_p2_fonts_cjk
    except ImportError:
        return None
    folder = os.path.dirname(paperang_p2_fonts_cjk.__file__)
    path = os.path.join(folder, "fonts", "wqy-microhei.ttc")
    return path if os.path.isfile(path) else None


def find_font() -> ReportFont:
    """The configured font file, else the packaged one, else the (not embedded) fallback."""
    configured = getattr(settings, "REPORT_FONT_FILE", None)
    if configured:
        if os.path.isfile(configured):
            return ReportFont("ReportFont", configured)
        return ReportFont(FALLBACK, None)
    path = _packaged()
    if path:
        return ReportFont("WenQuanYiMicroHei", path)
    return ReportFont(FALLBACK, None)


@functools.cache
def pdf_font() -> ReportFont:
    """Register the report font with reportlab once per process; returns it."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    font = find_font()
    if font.embedded:
        try:
            pdfmetrics.registerFont(TTFont(font.name, font.path, subfontIndex=font.subfont))
            return font
        except (TTFError, OSError):
            font = ReportFont(FALLBACK, None)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return font


def check_font(app_configs=None, **kwargs):
    """System check: warn when PDF reports cannot embed their font."""
    from django.core.checks import Warning as CheckWarning

    font = find_font()
    if font.embedded:
        return []
    configured = getattr(settings, "REPORT_FONT_FILE", None)
    hint = (
        f"REPORT_FONT_FILE={configured} is not a file."
        if configured
        else "Install the package paperang-p2-fonts-cjk (pip install -e .) or set "
        "REPORT_FONT_FILE to a TrueType-outline CJK font."
    )
    return [
        CheckWarning(
            "PDF reports fall back to the font STSong-Light, which is not embedded: some "
            "viewers, phones among them, will show no Chinese text.",
            hint=hint,
            id="resilia.W101",
        )
    ]
