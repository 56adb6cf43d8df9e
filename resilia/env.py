"""Strict helpers that read settings from environment variables.

A bad value stops start-up with a message that names the variable, instead of
silently falling back to a default (healthchecks' approach).
"""

from __future__ import annotations

import os
from pathlib import Path


class ImproperEnv(Exception):
    """An environment variable holds a value Resilia cannot use."""


def envstr(name: str, default: str | None = None) -> str | None:
    """Return NAME, or the contents of the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperEnv(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    """Accept only the literal strings True and False."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value not in ("True", "False"):
        raise ImproperEnv(f"{name} must be True or False, not {value!r}")
    return value == "True"


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return NAME as an integer, refusing anything that is not a whole number."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperEnv(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperEnv(f"{name} must be at least {minimum}, not {number}")
    return number


def envlist(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list, without blanks."""
    value = os.environ.get(name)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Return NAME if it is one of CHOICES."""
    value = os.environ.get(name) or default
    if value not in choices:
        raise ImproperEnv(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value
