"""`resilia i18n make` keeps a translation when its string moves from one app to another."""

from __future__ import annotations

import polib

from resilia.core import i18n


def _catalogue(app_dir, entries):
    path = i18n.catalogue(app_dir)
    path.parent.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for entry in entries:
        po.append(entry)
    po.save(str(path))
    return path


def test_it_carries_a_moved_strings_translation_into_its_new_catalogue(tmp_path, monkeypatch):
    org, kit = tmp_path / "org", tmp_path / "core"
    _catalogue(org, [polib.POEntry(msgid="Units", msgstr="组织单元")])
    # After makemessages: the string now lives in the kit, untranslated; another one was
    # given a fuzzy guess by msgmerge.
    fuzzy = polib.POEntry(msgid="Sites", msgstr="猜测", flags=["fuzzy"])
    kit_po = _catalogue(kit, [polib.POEntry(msgid="Units", msgstr=""), fuzzy])
    monkeypatch.setattr(i18n, "app_dirs", lambda: [org, kit])
    known = i18n.known_translations()
    known[(None, "Sites", "")] = polib.POEntry(msgid="Sites", msgstr="场所")

    assert i18n.carry_translations(known) == 2

    entries = {e.msgid: e for e in polib.pofile(str(kit_po))}
    assert entries["Units"].msgstr == "组织单元"
    assert entries["Sites"].msgstr == "场所" and "fuzzy" not in entries["Sites"].flags


def test_it_leaves_what_no_catalogue_translates_for_the_check(tmp_path, monkeypatch):
    kit = tmp_path / "core"
    kit_po = _catalogue(kit, [polib.POEntry(msgid="Brand new", msgstr="")])
    monkeypatch.setattr(i18n, "app_dirs", lambda: [kit])
    assert i18n.carry_translations(i18n.known_translations()) == 0
    assert polib.pofile(str(kit_po)).untranslated_entries()[0].msgid == "Brand new"
