"""T0 of a what-if outside the accepted window (whatif.EARLIEST_T0..LATEST_T0) is refused with
a message, never a server error, through each entry point: the API, the page, its exports and
the CLI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from rest_framework.test import APIClient

from resilia.analysis.tests.test_analyze_command import ROOT, cli_env  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
FAIL = ["resource:DC1", "resource:DC2"]
FAR = ["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00+00:00", "1969-12-31T23:00:00+00:00"]
MESSAGE = "The failure time must be between 1970-01-01 and 2200-01-01"


@pytest.fixture
def api(personas) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["manager"])
    return client


@pytest.mark.parametrize("at", FAR)
def test_it_refuses_a_far_time_through_the_api(api, bank, at):
    response = api.post("/api/analysis/whatif/", {"fail": FAIL, "at": at}, format="json")
    assert response.status_code == 400, response.content
    assert MESSAGE in response.json()["error"]["fields"]["at"][0]


def test_it_still_accepts_the_edges_of_the_window(api, bank):
    client = api
    for at in ("1970-01-01T00:00:00+00:00", "2199-12-31T23:59:59+00:00"):
        response = client.post("/api/analysis/whatif/", {"fail": FAIL, "at": at}, format="json")
        assert response.status_code == 200, response.content


@pytest.mark.parametrize("export", [None, "xlsx", "csv", "pdf"])
@pytest.mark.parametrize("at", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_it_refuses_a_far_time_on_the_page_and_its_exports(client_as, bank, at, export):
    params = {"fail": FAIL, "at": at} | ({"export": export} if export else {})
    response = client_as("manager").get("/analysis/whatif/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert MESSAGE in response.content.decode()
    assert "report" not in response.context


def test_it_refuses_a_far_time_on_the_page_in_chinese(client_as, bank):
    params = {"fail": FAIL, "at": "9999-12-31T23:59"}
    response = client_as("manager", "zh-hans").get("/analysis/whatif/", params)
    assert "故障时间必须在 1970-01-01 与 2200-01-01 之间" in response.content.decode()


def test_it_refuses_a_far_time_on_the_command_line(bank):
    with pytest.raises(CommandError, match=MESSAGE), translation.override("en"):
        call_command("analyze", "whatif", "--fail", "resource:DC1", "--at", FAR[0])


def test_it_exits_with_code_2_and_no_traceback_on_a_far_time(cli_env):  # noqa: F811
    done = subprocess.run(
        [sys.executable, "-m", "resilia.cli", "analyze", "whatif"]
        + ["--fail", "resource:DC1", "--at", FAR[0]],
        env={**cli_env, **{k: v for k, v in os.environ.items() if k == "PATH"}},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert MESSAGE in done.stderr
    assert "Traceback" not in done.stderr
