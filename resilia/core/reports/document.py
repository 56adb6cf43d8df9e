"""The one document structure every report is written in, and every renderer reads.

Plain dataclasses, no Django: a caller (the BIA report, the analysis exports, later the risk
and plan reports) builds a `Document` from already-translated strings and hands it to
`resilia.core.reports.render()`. Nothing here knows a language or a format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Cell shades: a fixed palette so that the HTML page can use CSS classes (the CSP forbids
# inline styles) and every format shows the same colour. Heat maps and tiers pick from it.
SHADES = {
    "green": "#d1e7dd",
    "yellow": "#fff3cd",
    "orange": "#ffe0b8",
    "red": "#f8d7da",
    "blue": "#cfe2ff",
    "grey": "#e9ecef",
}


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph with simple emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Heading:
    """A heading of level 1 to 3; with `Document.numbered` it gets "1.", "1.2", "1.2.3"."""

    text: str
    level: int = 1

    def __post_init__(self):
        if self.level not in (1, 2, 3):
            raise ValueError("heading level must be 1, 2 or 3")


@dataclass(frozen=True)
class Paragraph:
    """Body text: a plain string, or a list of runs (plain strings and `Run`s mixed)."""

    content: str | list

    def runs(self) -> list[Run]:
        parts = [self.content] if isinstance(self.content, str) else self.content
        return [p if isinstance(p, Run) else Run(str(p)) for p in parts]


@dataclass(frozen=True)
class Bullets:
    """A bulleted list; each item a string or a list of runs."""

    items: list

    def item_runs(self) -> list[list[Run]]:
        return [Paragraph(item).runs() for item in self.items]


@dataclass(frozen=True)
class Column:
    """A table column: its header and its relative width (weights, any scale)."""

    label: str
    width: float = 1.0
    numeric: bool = False  # right-aligned


@dataclass(frozen=True)
class Cell:
    """A table cell: text or a number, optionally shaded (a name of SHADES) or bold."""

    value: str | int | float | Decimal | None
    shade: str | None = None
    bold: bool = False

    def __post_init__(self):
        if self.shade is not None and self.shade not in SHADES:
            raise ValueError(f"unknown shade {self.shade!r}; use one of {sorted(SHADES)}")

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return str(self.value)

    @property
    def numeric(self) -> bool:
        return isinstance(self.value, int | float | Decimal) and not isinstance(self.value, bool)


@dataclass
class Table:
    """A table with one header row, repeated on every page it spans.

    `rows` hold `Cell`s or bare values (str, int, float, None), one per column. `empty` is
    printed instead of a table without rows.
    """

    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    caption: str = ""
    empty: str = "—"

    def cells(self) -> list[list[Cell]]:
        width = len(self.columns)
        out = []
        for number, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"row {number} has {len(row)} cells, the table {width} columns")
            out.append([c if isinstance(c, Cell) else Cell(c) for c in row])
        return out

    def fractions(self) -> list[float]:
        total = sum(c.width for c in self.columns) or 1
        return [c.width / total for c in self.columns]


@dataclass(frozen=True)
class Figure:
    """A picture (PNG bytes) with its caption; `width` is a fraction of the text width."""

    png: bytes
    caption: str = ""
    width: float = 0.9

    def __post_init__(self):
        if not self.png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError("a figure must be PNG bytes")


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (ignored by the HTML page)."""


Block = Heading | Paragraph | Bullets | Table | Figure | PageBreak


@dataclass
class Labels:
    """The renderer's own words, in the caller's language; the defaults are gettext's in the
    language active at render time (see `resilia.core.reports.render`)."""

    contents: str = ""
    page: str = ""  # "Page %(page)s of %(total)s"
    toc_hint: str = ""  # DOCX: what to do to fill the table of contents


@dataclass
class Document:
    """A report: its cover lines, its blocks in order, and how it is laid out.

    metadata: (label, value) pairs printed under the title (generated at, by whom, ...);
    organisation, date and classification (e.g. "内部资料") have their own places: the cover
    and every page's header/footer line.
    """

    title: str
    subtitle: str = ""
    organisation: str = ""
    date: str = ""
    classification: str = ""
    metadata: list[tuple[str, str]] = field(default_factory=list)
    blocks: list = field(default_factory=list)
    toc: bool = False
    numbered: bool = False
    landscape: bool = False
    labels: Labels = field(default_factory=Labels)

    def add(self, *blocks) -> Document:
        """Append blocks; returns the document, for chaining."""
        self.blocks.extend(blocks)
        return self

    def numbered_blocks(self) -> list:
        """The blocks, with heading numbers prefixed when `numbered`."""
        if not self.numbered:
            return list(self.blocks)
        counters = [0, 0, 0]
        out = []
        for block in self.blocks:
            if isinstance(block, Heading):
                counters[block.level - 1] += 1
                for deeper in range(block.level, 3):
                    counters[deeper] = 0
                number = ".".join(str(n) for n in counters[: block.level])
                block = Heading(f"{number} {block.text}", block.level)
            out.append(block)
        return out

    def footer_line(self) -> str:
        parts = [self.organisation, self.title, self.classification]
        return " | ".join(p for p in parts if p)
