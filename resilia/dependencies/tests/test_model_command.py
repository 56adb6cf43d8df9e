"""`resilia model import` run for real: a refused file's problems, as they are, on stderr."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from resilia.audit.models import AuditEvent
from resilia.dependencies.models import Dependency, Resource
from resilia.org.models import Unit

SCRIPT = Path(sys.executable).with_name("resilia")  # the console script pip installed
BAD = """\
version: 1
units:
- code: IT
  name: 信息科技部
  kind: department
resources:
- code: CORE
  name: 核心业务系统
  kind: application
  unit: IT
  recovery_time: ninety
dependencies:
- dependent: resource:CORE
  dependency: resource:CORE
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """A migrated SQLite database of its own (the test database is invisible to a child)."""
    data = tmp_path_factory.mktemp("model-command")
    keep = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env = {**keep, "RESILIA_DATA_DIR": str(data), "SECRET_KEY": "test-only", "LANGUAGE_CODE": "en"}
    subprocess.run([SCRIPT, "migrate", "--noinput", "-v0"], env=env, check=True, timeout=300)
    return env


def test_it_prints_every_problem_without_a_prefix_and_changes_nothing(env, tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text(BAD, encoding="utf-8")
    done = subprocess.run(
        [SCRIPT, "model", "import", str(path)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        'resources[0].recovery_time: must be a whole number, not "ninety"',
        "dependencies[0]: A node cannot depend on itself.",
        "model.yaml was not imported: 2 problem(s); nothing was changed.",
    ]
    database = Path(env["RESILIA_DATA_DIR"]) / "resilia.sqlite3"
    with sqlite3.connect(database) as db:
        for model in (Unit, Resource, Dependency, AuditEvent):
            table = model._meta.db_table
            assert db.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (0,), table
