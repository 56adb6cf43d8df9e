"""Translation catalogues: one per app, under resilia/<app>/locale/zh_Hans/LC_MESSAGES/django.po.

`resilia i18n compile` builds the .mo files with polib, so a user's machine needs no GNU
gettext; `resilia i18n check` fails on any untranslated or fuzzy entry (CI runs it after
`resilia i18n make`, which needs xgettext and refreshes the catalogues from the sources).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent
APPS = [
    "core",
    "accounts",
    "org",
    "audit",
    "evidence",
    "api",
    "analysis",
    "dependencies",
    "ops",
    "site",
]
LOCALE = "zh_Hans"


def app_dirs() -> list[Path]:
    dirs = [PACKAGE_DIR / app for app in APPS if (PACKAGE_DIR / app).is_dir()]
    extra = [p.parent for p in PACKAGE_DIR.glob("*/apps.py") if p.parent not in dirs]
    # Last, the package itself: the modules outside any app (settings, env, cli), whose
    # messages appear before Django is set up (resilia/locale, in LOCALE_PATHS).
    return dirs + sorted(extra) + [PACKAGE_DIR]


def catalogue(app_dir: Path) -> Path:
    return app_dir / "locale" / LOCALE / "LC_MESSAGES" / "django.po"


def make(apps: list[str] | None = None) -> None:
    """Refresh the catalogues of the apps from their Python sources and templates."""
    before = known_translations()  # read first: makemessages drops strings that moved away
    for app_dir in app_dirs():
        if apps and app_dir.name not in apps:
            continue
        (app_dir / "locale").mkdir(exist_ok=True)
        ignore = ["tests/*", "static/*"]
        if app_dir == PACKAGE_DIR:  # only its own modules: each app has its catalogue
            ignore += sorted(p.name for p in PACKAGE_DIR.iterdir() if p.is_dir())
        subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                "-l",
                LOCALE,
                "--no-obsolete",
                "--no-location",
                *(arg for pattern in ignore for arg in ("--ignore", pattern)),
            ],
            cwd=app_dir,
            check=True,
            # The app directory is the cwd: without this, an app module named like a standard
            # library one (dependencies/selectors.py) would shadow it inside makemessages.
            env={**os.environ, "PYTHONSAFEPATH": "1"},
        )
    carry_translations(before)


def known_translations() -> dict[tuple, polib.POEntry]:
    """Every translated entry of every catalogue, by (context, msgid, plural)."""
    known: dict[tuple, polib.POEntry] = {}
    for app_dir in app_dirs():
        if catalogue(app_dir).exists():
            for entry in polib.pofile(str(catalogue(app_dir))):
                if entry.translated() and not entry.obsolete:
                    known.setdefault((entry.msgctxt, entry.msgid, entry.msgid_plural), entry)
    return known


def carry_translations(known: dict[tuple, polib.POEntry]) -> int:
    """Fill each untranslated or fuzzy entry from a translation of the same msgid in `known`.

    Code moves between apps (a helper into the kit, a page into the shell) carry their strings
    with them; the agreed BCM terms then read the same in every catalogue. Returns how many
    entries were filled; what no catalogue translates stays empty for `check` to report.
    """
    catalogues = {d: polib.pofile(str(catalogue(d))) for d in app_dirs() if catalogue(d).exists()}
    filled = 0
    for app_dir, po in catalogues.items():
        changed = False
        # msgmerge guesses a "fuzzy" translation for a string it has not seen in this catalogue;
        # an exact translation from another catalogue is better than the guess.
        for entry in [*po.untranslated_entries(), *po.fuzzy_entries()]:
            source = known.get((entry.msgctxt, entry.msgid, entry.msgid_plural))
            if source is None:
                continue
            entry.msgstr = source.msgstr
            entry.msgstr_plural = dict(source.msgstr_plural)
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            filled += 1
            changed = True
        if changed:
            po.save(str(catalogue(app_dir)))
    return filled


def compile_all() -> int:
    """Write a .mo beside every .po; returns how many were written."""
    count = 0
    for app_dir in app_dirs():
        po_path = catalogue(app_dir)
        if po_path.exists():
            polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
            count += 1
    return count


def problems() -> list[str]:
    """Every untranslated or fuzzy entry, as 'path: msgid'."""
    found = []
    for app_dir in app_dirs():
        po_path = catalogue(app_dir)
        if not po_path.exists():
            continue
        po = polib.pofile(str(po_path))
        rel = po_path.relative_to(PACKAGE_DIR.parent)
        for entry in po:
            if entry.obsolete:
                continue
            if entry.fuzzy:
                found.append(f"{rel}: fuzzy: {entry.msgid!r}")
            elif entry.msgid_plural:
                if not all(entry.msgstr_plural.values()):
                    found.append(f"{rel}: untranslated: {entry.msgid!r}")
            elif not entry.msgstr:
                found.append(f"{rel}: untranslated: {entry.msgid!r}")
    return found
