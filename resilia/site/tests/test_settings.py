"""Settings come from the environment through strict helpers; no random key in production."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from resilia.env import ImproperEnv, envbool, envchoice, envint, envstr


def test_it_accepts_only_true_and_false_as_booleans(monkeypatch):
    monkeypatch.setenv("X", "yes")
    with pytest.raises(ImproperEnv, match="X must be True or False, not 'yes'"):
        envbool("X", False)
    monkeypatch.setenv("X", "True")
    assert envbool("X", False) is True
    monkeypatch.delenv("X")
    assert envbool("X", False) is False


def test_it_rejects_bad_numbers_and_choices(monkeypatch):
    monkeypatch.setenv("N", "8k")
    with pytest.raises(ImproperEnv, match="N must be a whole number"):
        envint("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperEnv, match="N must be at least 1"):
        envint("N", 1, minimum=1)
    monkeypatch.setenv("C", "celery")
    with pytest.raises(ImproperEnv, match="C must be one of database, rq"):
        envchoice("C", "database", ("database", "rq"))


def test_it_reads_secrets_from_files(monkeypatch, tmp_path):
    (tmp_path / "key").write_text("s3cret\n")
    monkeypatch.setenv("K_FILE", str(tmp_path / "key"))
    assert envstr("K") == "s3cret"
    monkeypatch.setenv("K_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperEnv, match="K_FILE="):
        envstr("K")


def _import_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        [sys.executable, "-c", "import resilia.settings"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_a_secret_key_outside_debug():
    done = _import_settings()
    assert done.returncode != 0
    assert "SECRET_KEY is required when DEBUG is not True" in done.stderr


def test_it_starts_with_a_secret_key_file(tmp_path):
    (tmp_path / "secret_key").write_text("x" * 50)
    assert _import_settings(SECRET_KEY_FILE=str(tmp_path / "secret_key")).returncode == 0
    done = _import_settings(SECRET_KEY="k", DEBUG="yes")
    assert "DEBUG must be True or False, not 'yes'" in done.stderr
    done = _import_settings(SECRET_KEY="k", TASKS_BACKEND="celery")
    assert "TASKS_BACKEND must be one of database, rq, immediate" in done.stderr
