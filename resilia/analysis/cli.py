"""The terminal side of `resilia analyze`: the subcommands contributed by the apps above
analysis (the BIA's `bia`), registered from their AppConfig.ready() so that the command lists
them without importing them (analysis never depends on the apps built on it, .importlinter),
and the table layout they share."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Subcommand:
    """`configure(parser)` adds its arguments; `run(options) -> (data, text)` returns the
    JSON-ready result and its human rendering in the active language."""

    help: str
    configure: Callable
    run: Callable


SUBCOMMANDS: dict[str, Subcommand] = {}


def register_subcommand(name: str, subcommand: Subcommand) -> None:
    SUBCOMMANDS[name] = subcommand


def width(text: str) -> int:
    """Columns a string takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def table(header: list[str], lines: list[list[str]]) -> str:
    """A plain-text table for the terminal, its columns aligned for wide (CJK) characters."""
    sizes = [max([width(h)] + [width(line[i]) for line in lines]) for i, h in enumerate(header)]
    rows = [header, ["-" * s for s in sizes], *lines]
    return "\n".join(
        "  ".join(pad(v, s) for v, s in zip(row, sizes, strict=True)).rstrip() for row in rows
    )
