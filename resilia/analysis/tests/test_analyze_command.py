"""`resilia analyze ...`: JSON shapes, human tables, and exit code 2 on bad arguments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def run(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("analyze", *args, stdout=out)
    return out.getvalue()


def test_it_answers_a_whatif_in_documented_json(bank):
    data = json.loads(
        run(
            "whatif",
            "--fail",
            "site:DC-MAIN",
            "--fail",
            "resource:DC2",
            "--at",
            "2026-05-01T09:00+08:00",
            "--json",
        )
    )
    assert set(data) == {
        "analysis",
        "revision",
        "at",
        "failed",
        "activities",
        "resources",
        "hidden",
    }
    assert data["failed"] == ["resource:DC1", "resource:DC2"]
    pay = data["activities"][0]
    assert pay["key"] == "activity:PAY"
    assert (pay["stop_at"], pay["back_at"], pay["rto_breach_at"], pay["mtpd_breach_at"]) == (
        0,
        300,
        60,
        240,
    )
    assert pay["rto_breach_time"] == "2026-05-01T10:00:00+08:00"
    assert pay["teams"] == [{"code": "ERT-A", "name": "Payments response team"}]
    assert pay["cause"][-1] == {
        "dependent": {
            "key": "activity:PAY",
            "kind": "activity",
            "code": "PAY",
            "name": "Payment clearing",
        },
        "dependency": {
            "key": "resource:CORE",
            "kind": "resource",
            "code": "CORE",
            "name": "Core banking",
        },
        "group": None,
        "tolerance": 0,
    }
    loan = next(a for a in data["activities"] if a["code"] == "LOAN")
    assert loan["mtpd_breach_at"] is None and loan["mtpd_breach_time"] is None


def test_it_fails_a_supplier_by_code(bank):
    data = json.loads(run("whatif", "--fail", "supplier:SWIFT", "--json"))
    assert [a["code"] for a in data["activities"]] == ["PAY"]


def test_it_prints_aligned_tables(bank):
    text = run("order")
    lines = text.splitlines()
    assert lines[0] == "Recovery order"
    header = next(line for line in lines if line.startswith("Rank"))
    rule = lines[lines.index(header) + 1]
    assert set(rule.replace(" ", "")) == {"-"}
    assert "Main data hall (DC1)" in text


def test_it_prints_chinese_tables_aligned_by_display_width(bank):
    out = StringIO()
    with translation.override("zh-hans"):
        call_command("analyze", "spof", stdout=out)
    text = out.getvalue()
    assert text.startswith("单点故障")
    assert "核心银行系统 (CORE)" in text


@pytest.mark.parametrize("analysis", ["order", "gaps", "spof"])
def test_it_outputs_each_model_analysis_as_json(bank, analysis):
    data = json.loads(run(analysis, "--json"))
    assert data["analysis"] == analysis and data["hidden"] == 0


def test_it_refuses_an_unknown_node_with_a_clear_message(bank):
    with pytest.raises(CommandError, match="resource:NOPE: there is no such node") as exc:
        run("whatif", "--fail", "resource:NOPE")
    assert exc.value.returncode == 2


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    """A migrated SQLite database of its own for the subprocess runs."""
    path = tmp_path_factory.mktemp("cli") / "cli.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "DEBUG": "True",
        "LANGUAGE_CODE": "en",
    }
    migrate = [sys.executable, "-m", "resilia.cli", "migrate", "-v0"]
    subprocess.run(migrate, env=env, cwd=ROOT, check=True, capture_output=True)
    return env


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["whatif", "--fail", "resource"], "write KIND:CODE"),
        (["whatif", "--fail", "resource:DC1"], "resource:DC1: there is no such node"),
        (["whatif", "--fail", "resource:DC1", "--at", "yesterday"], "not an ISO 8601 time"),
        (["whatif"], "--fail"),
        (["nonsense"], "invalid choice"),
    ],
)
def test_it_exits_with_code_2_and_no_traceback(cli_env, args, message):
    done = subprocess.run(
        [sys.executable, "-m", "resilia.cli", "analyze", *args],
        env=cli_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
