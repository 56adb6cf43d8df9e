"""The `resilia` console script: Django's management commands under Resilia's settings."""

from __future__ import annotations

import os
import sys

from resilia.env import ImproperEnv, data_dir, envchoice

DEFAULT_LANGUAGE = "zh-hans"  # settings.LANGUAGE_CODE's default


def use_data_dir_key() -> None:
    """Read the secret key from `<data dir>/secret_key` when none is configured.

    `make demo` keeps its key there and passes SECRET_KEY_FILE; this lets `resilia ...` typed
    by hand find the same key. Only an existing file is used: a key is never generated here.
    """
    if os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE"):
        return
    path = data_dir() / "secret_key"
    if path.is_file():
        os.environ["SECRET_KEY_FILE"] = str(path)  # inherited by `serve`'s children too


def message_language() -> str:
    """The language of a settings error: LANGUAGE_CODE when valid (settings did not load)."""
    try:
        return envchoice("LANGUAGE_CODE", DEFAULT_LANGUAGE, ("zh-hans", "en"))
    except ImproperEnv:
        return DEFAULT_LANGUAGE


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilia.settings")
    try:
        use_data_dir_key()
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except ImproperEnv as exc:
        # A configuration mistake, not a bug: one line naming the variable, no traceback.
        print(exc.translated(message_language()), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
