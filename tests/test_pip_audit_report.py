"""The CI step that reads pip-audit's report: a known vulnerability fails the run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "pip_audit_report.py"


def run(tmp_path, dependencies) -> subprocess.CompletedProcess:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(report), "1"], capture_output=True, text=True
    )


def test_it_fails_on_a_known_vulnerability(tmp_path):
    done = run(
        tmp_path,
        [
            {
                "name": "django",
                "version": "5.2.0",
                "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}],
            },
            {"name": "nh3", "version": "0.3.8", "vulns": []},
        ],
    )
    assert done.returncode == 1
    assert "VULNERABLE django 5.2.0: PYSEC-1 (fixed in 5.2.1)" in done.stdout


def test_it_passes_a_clean_or_unreachable_audit_and_says_so(tmp_path):
    assert run(tmp_path, [{"name": "nh3", "version": "0.3.8", "vulns": []}]).returncode == 0
    done = run(tmp_path, [{"name": "nh3", "version": "0.3.8", "skip_reason": "not found"}])
    assert done.returncode == 0 and "nothing was audited" in done.stdout
