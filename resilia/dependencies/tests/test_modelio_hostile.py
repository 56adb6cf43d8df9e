"""Model files built to hurt: billion laughs, deep nesting, duplicate keys, oversized files.

Each is refused through `resilia model import` with a translated message, in bounded memory,
and nothing is written; a file within the limits (a few anchors included) still imports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from resilia.audit.models import AuditEvent
from resilia.core import safeparse
from resilia.dependencies.modelio import MAX_FILE_BYTES, loads
from resilia.dependencies.models import Resource
from resilia.org.models import Unit

LAUGHS = "\n".join(
    [
        "version: 1",
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]"
            for i in range(8)
        ),
        "units: *i",
    ]
)
GOOD = """\
version: 1
units:
- {code: IT, name: 信息科技部, kind: department, parent: null}
resources:
- &core {code: CORE, name: 核心系统, kind: application, unit: IT}
- {code: CORE2, name: 备用核心系统, kind: application, unit: IT}
"""


def refused(tmp_path, text: str, name: str = "model.yaml", language: str = "en") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    units, events = Unit.objects.count(), AuditEvent.objects.count()
    with pytest.raises(CommandError) as caught:
        call_command("model", "--language", language, "import", str(path))
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (units, events)
    assert not Resource.objects.exists()
    return str(caught.value)


def test_it_refuses_a_billion_laughs(db, tmp_path):
    assert len(LAUGHS) < 500
    message = refused(tmp_path, LAUGHS)
    assert "the file expands to more than 2,000,000 values" in message


def test_it_refuses_more_aliases_than_the_limit(db, tmp_path):
    text = "version: 1\nx: &x 1\nunits: [" + ", ".join(["*x"] * 101) + "]\n"
    assert "line 3, column" in refused(tmp_path, text)
    assert "more than 100 aliases" in refused(tmp_path, text)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", '{"version": 1, "units": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        ("deep.yaml", "version: 1\nunits: " + "[" * 20_000 + "]" * 20_000 + "\n"),
        ("block.yaml", "version: 1\nunits:\n" + "".join(" " * i + "- \n" for i in range(200))),
    ],
)
def test_it_refuses_deep_nesting_without_recursing(db, tmp_path, name, text):
    message = refused(tmp_path, text, name)
    assert "nested more than 64 levels deep" in message
    assert "line " in message and "RecursionError" not in message


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        (
            "dup.yaml",
            "version: 1\nunits:\n- code: IT\n  name: a\n  code: OPS\n",
            "line 5, column 3",
        ),
        ("dup.json", '{"version": 1, "units": [], "version": 1}', ""),
    ],
)
def test_it_refuses_duplicate_keys(db, tmp_path, name, text, where):
    message = refused(tmp_path, text, name)
    assert where in message
    assert "appears twice in the same mapping" in message


def test_it_refuses_a_file_over_the_size_limit(db, tmp_path):
    text = GOOD + "#" * MAX_FILE_BYTES
    assert "larger than 10 MB" in refused(tmp_path, text)


def test_it_refuses_more_items_than_the_limit(db, tmp_path):
    links = [{"dependent": f"resource:R{i}", "dependency": "resource:X"} for i in range(20_001)]
    text = json.dumps({"version": 1, "dependencies": links})
    assert "the file holds 20,001 items; at most 20,000" in refused(tmp_path, text, "big.json")


def test_it_gives_up_on_a_file_that_takes_too_long(db, tmp_path, monkeypatch):
    monkeypatch.setattr(safeparse, "MAX_SECONDS", -1)
    assert "took longer than -1 seconds" in refused(tmp_path, GOOD)


def test_it_explains_the_refusal_in_chinese(db, tmp_path):
    message = refused(tmp_path, "version: 1\nversion: 1\n", language="zh-hans")
    assert "第 2 行" in message and "出现了两次" in message, message


def test_it_still_reads_a_few_anchors(db):
    data = loads("version: 1\nbase: &b {kind: application}\nother: *b\n")
    assert data["other"] == {"kind": "application"}


CHILD = """
import resource, sys, django
django.setup()
from resilia.dependencies.modelio import ModelFileError, loads
text = open(sys.argv[1], encoding="utf-8").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    loads(text)
except ModelFileError as exc:
    print(exc.problems[0].message)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) // 1024)
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LAUGHS, "expands to more than"),
        ('{"units": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than"),
    ],
)
def test_it_refuses_within_a_fixed_memory_bound(tmp_path, text, expected):
    """No limit lowered: parsing a hostile file grows the process by under 32 MB."""
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "resilia.settings", "SECRET_KEY": "test-only"}
    env["LANGUAGE_CODE"] = "en"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    message, grown_mb = done.stdout.strip().splitlines()
    assert expected in message
    assert int(grown_mb) < 32, done.stdout
