"""The structure contributors rely on (CONVENTIONS.md item 2, docs/architecture.md): no app
reaches into another app's private names. import-linter (.importlinter) pins the layers."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]


def _app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "resilia" else ""


def private_imports() -> list[str]:
    """'file:line: from X import _y' for every private name imported across apps."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent)
        own = rel.parts[1] if len(rel.parts) > 2 else ""
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            other = _app_of(node.module)
            if not other or other == own:
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{rel}:{node.lineno}: from {node.module} import {alias.name}")
    return found


def test_it_imports_no_private_name_of_another_app():
    assert private_imports() == []


def test_it_would_see_a_private_import(tmp_path, monkeypatch):
    """The check itself must be able to fail: a module importing `_x` across apps is found."""
    (tmp_path / "resilia" / "bia").mkdir(parents=True)
    (tmp_path / "resilia" / "bia" / "views.py").write_text(
        "from resilia.org.importing import _lookup\nfrom resilia.bia.x import _own\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", tmp_path / "resilia")
    assert private_imports() == [
        "resilia/bia/views.py:1: from resilia.org.importing import _lookup"
    ]
