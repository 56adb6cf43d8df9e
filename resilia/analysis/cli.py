"""Subcommands of `resilia analyze` contributed by the apps above analysis (the BIA's `bia`),
registered from their AppConfig.ready(): the command lists them without importing them, so
analysis never depends on the apps built on it (.importlinter)."""

from __future__ import annotations

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
