"""Strict helpers that read settings from environment variables.

A bad value stops start-up with a message that names the variable, instead of
silently falling back to a default (healthchecks' approach).
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The catalogue of the modules outside any app (this one, settings, cli); in LOCALE_PATHS.
LOCALE_DIR = PACKAGE_DIR / "locale"


def gettext_noop(message: str) -> str:
    """Mark `message` for the catalogue (makemessages knows this name). Django's own
    gettext_noop cannot be used here: it reads the settings these helpers are building."""
    return message


class ImproperEnv(Exception):
    """An environment variable holds a value Resilia cannot use.

    `message` is an English template marked for translation and `params` its values; str()
    is the English text. Settings are read before Django can translate anything, so the
    `resilia` command translates the message itself with `translated()`.
    """

    def __init__(self, message: str, **params: object):
        super().__init__(message % params)
        self.message, self.params = message, params

    def translated(self, language: str) -> str:
        """The message in `language` (a Django code: zh-hans, en), English when unknown."""
        locale = {"zh-hans": "zh_Hans"}.get(language, language)
        catalogue = gettext.translation("django", LOCALE_DIR, languages=[locale], fallback=True)
        return catalogue.gettext(self.message) % self.params


def envstr(name: str, default: str | None = None) -> str | None:
    """Return NAME, or the contents of the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperEnv(
                gettext_noop("%(name)s_FILE=%(file)s cannot be read: %(reason)s"),
                name=name,
                file=repr(file_name),
                reason=exc,
            ) from exc
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    """Accept only the literal strings True and False."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value not in ("True", "False"):
        raise ImproperEnv(
            gettext_noop("%(name)s must be True or False, not %(value)s"),
            name=name,
            value=repr(value),
        )
    return value == "True"


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return NAME as an integer, refusing anything that is not a whole number."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperEnv(
            gettext_noop("%(name)s must be a whole number, not %(value)s"),
            name=name,
            value=repr(value),
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperEnv(
            gettext_noop("%(name)s must be at least %(minimum)s, not %(number)s"),
            name=name,
            minimum=minimum,
            number=number,
        )
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
        raise ImproperEnv(
            gettext_noop("%(name)s must be one of %(choices)s, not %(value)s"),
            name=name,
            choices=", ".join(choices),
            value=repr(value),
        )
    return value


def data_dir() -> Path:
    """The data directory: RESILIA_DATA_DIR, else `data/` beside the package (in a checkout,
    the one `make demo` fills)."""
    return Path(envstr("RESILIA_DATA_DIR") or PACKAGE_DIR.parent / "data").resolve()
