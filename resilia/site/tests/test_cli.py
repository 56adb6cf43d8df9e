"""The `resilia` console script, run for real: the data directory's secret key is found, and a
missing or bad setting is one line naming the variable, never a traceback."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("resilia")  # the console script pip installed
# What could give the child a key, a database or a language other than the test's.
CLEARED = {
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DEBUG",
    "RESILIA_TESTING",
    "RESILIA_DATA_DIR",
    "DATABASE_URL",
    "SQLITE_PATH",
    "LANGUAGE_CODE",
}


def resilia(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CLEARED}
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        env={**clean, "RESILIA_DATA_DIR": str(cwd / "data"), "LANGUAGE_CODE": "en", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def installation(tmp_path_factory) -> Path:
    """A directory whose data directory holds a secret key, as `make demo` leaves it."""
    root = tmp_path_factory.mktemp("installation").resolve()
    (root / "data").mkdir()
    (root / "data" / "secret_key").write_text(secrets.token_urlsafe(50) + "\n")
    done = resilia("migrate", "--noinput", "-v0", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def test_it_reads_the_secret_key_of_the_data_directory(installation):
    done = resilia("model", "export", cwd=installation)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("version: 1\n")


def test_it_says_in_one_line_that_a_secret_key_is_needed_and_never_makes_one(tmp_path):
    root = tmp_path.resolve()
    done = resilia("model", "export", cwd=root)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "SECRET_KEY is required when DEBUG is not True: set SECRET_KEY or SECRET_KEY_FILE"
        f" (the resilia command also reads {root / 'data' / 'secret_key'})"
    ]
    assert not (root / "data" / "secret_key").exists()


def test_it_keeps_to_the_configured_key_file(installation):
    done = resilia("model", "export", cwd=installation, SECRET_KEY_FILE="/nonexistent/key")
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("SECRET_KEY_FILE='/nonexistent/key' cannot be read: ")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be True or False, not 'maybe'"),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE must be a time zone name such as"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("EMAIL_PORT", "smtp", "EMAIL_PORT must be a whole number, not 'smtp'"),
    ],
)
def test_it_names_a_bad_setting_in_one_line(installation, name, value, message):
    done = resilia("model", "export", cwd=installation, **{name: value})
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith(message)
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_it_says_it_in_the_language_of_the_installation(installation):
    done = resilia("help", cwd=installation, DEBUG="maybe", LANGUAGE_CODE="zh-hans")
    assert done.stderr.splitlines() == ["DEBUG 只能是 True 或 False，不能是 'maybe'"]
    done = resilia("help", cwd=installation, LANGUAGE_CODE="fr")  # then Chinese, the default
    assert done.stderr.splitlines() == ["LANGUAGE_CODE 必须是 zh-hans, en 之一，不能是 'fr'"]
