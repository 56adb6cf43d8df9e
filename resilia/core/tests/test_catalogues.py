"""The Chinese catalogues speak with one voice: an agreed term reads the same on every page."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]

# Django merges the app catalogues and the first app wins, so two translations of one message
# make the word depend on which apps are installed. These are the terms readers rely on.
GLOSSARY = {
    "History": "变更历史",
    "deputy": "备份人员",
    "key person": "关键人员",
    "team": "团队",
    "Audit log": "审计日志",
    "Yes": "是",
    "No": "否",
    # A risk's, an incident's, a hazard's, a send's title; a person's job title takes the
    # context "a person's job" (职务): the risk form once read 职务 for the risk's name.
    "title": "标题",
    # The site register's word; 场地 stays for the plans' 备用场地 and 迁回固定场地 (the seeds').
    "site": "场所",
    "Site": "场所",
    "Affected sites": "受影响场所",
}


def _catalogues():
    return {
        path.parts[-5]: polib.pofile(str(path))
        for path in sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
    }


@pytest.mark.parametrize("msgid", GLOSSARY)
def test_it_uses_the_agreed_term_in_every_catalogue(msgid):
    found = {}
    for app, po in _catalogues().items():
        entry = po.find(msgid)
        if entry is not None and not entry.msgctxt and not entry.obsolete:
            found[app] = entry.msgstr
    assert found, f"{msgid!r} is in no catalogue"
    assert {app: text for app, text in found.items() if text != GLOSSARY[msgid]} == {}


def test_it_shows_the_agreed_words_at_run_time():
    with translation.override("zh-hans"):
        for msgid, term in GLOSSARY.items():
            assert translation.gettext(msgid) == term
        assert translation.gettext("Open %(kind)s") % {"kind": "人员"} == "查看人员列表"
        assert translation.pgettext("import column", "Key") == "字段标识"
        assert translation.pgettext("a person's job", "title") == "职务"
        from resilia.org.models import Person
        from resilia.risk.models import Risk

        assert str(Risk._meta.get_field("title").verbose_name) == "标题"
        assert str(Person._meta.get_field("title").verbose_name) == "职务"


def test_it_translates_each_message_one_way_across_all_catalogues():
    """Not only the glossary: Django merges every catalogue, so a second translation of a
    message is dead text at best and, at worst, a word that changes when an app is added.
    A message that must read differently somewhere takes a context (pgettext)."""
    translations: dict[tuple, dict[str, str]] = {}
    catalogues = _catalogues()
    package = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    if package.exists():
        catalogues["(package)"] = polib.pofile(str(package))
    for app, po in catalogues.items():
        for entry in po:
            if entry.translated() and not entry.obsolete:
                text = entry.msgstr or repr(sorted(entry.msgstr_plural.items()))
                translations.setdefault((entry.msgctxt, entry.msgid), {})[app] = text
    conflicts = {
        key[1]: found for key, found in translations.items() if len(set(found.values())) > 1
    }
    assert conflicts == {}


# A Chinese character (or full-width punctuation) beside an ASCII , : ; ( ) ? ! — where the
# Chinese text needs the full-width mark (，：；（）？！). Placeholders like %(name)s are not text.
_CHINESE = "[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
_ASCII_BESIDE_CHINESE = re.compile(rf"(?<={_CHINESE})[,:;()?!]|[,:;()?!](?={_CHINESE})")
_PLACEHOLDER = re.compile(r"%\([A-Za-z_0-9]+\)[sdfr]|%[sd]")


def test_it_uses_full_width_punctuation_in_chinese():
    """Chinese text uses full-width punctuation: an ASCII comma, colon, semicolon, parenthesis,
    question or exclamation mark next to a Chinese character is a typo a reader sees."""
    found = []
    for app, po in _catalogues().items():
        for entry in po:
            if entry.obsolete:
                continue
            for text in [entry.msgstr, *entry.msgstr_plural.values()]:
                if text and _ASCII_BESIDE_CHINESE.search(_PLACEHOLDER.sub("X", text)):
                    found.append(f"{app}: {text}")
    assert not found, "\n".join(found)
