"""A bounded schemathesis run over the whole API, as the administrator and as the auditor.

Requests are generated from the OpenAPI schema (the one `/api/schema/` serves), about 30 per
operation (RESILIA_FUZZ_EXAMPLES: .ci/run sends 20 on SQLite and 8 on PostgreSQL), and sent
through Django's test client with the persona's token. The operations are fuzzed in groups, one
test each, so that the run spreads over the test processes. Whatever they hold,
no request may answer a server error (5xx); and the auditor, who reads everything and writes
nothing, must leave the database unchanged: no audit event, no register row. It runs on the
database of the suite (SQLite, and PostgreSQL in .ci/run), in autocommit as in production,
so a request rolled back by the error handler is rolled back for real.
"""

from __future__ import annotations

import json
import os
from functools import cache
from urllib.parse import urlencode

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.test import APIClient
from schemathesis.core import NotSet

from resilia.accounts.tests.tokens import api_key
from resilia.audit.models import AuditEvent
from resilia.dependencies.models import Activity, Dependency, Resource
from resilia.org.models import Person, Site, Team, TeamMembership, Unit

pytestmark = pytest.mark.django_db(transaction=True)

# Per operation and persona: the bound of the run.
EXAMPLES = int(os.environ.get("RESILIA_FUZZ_EXAMPLES") or 30)
REGISTERS = (Unit, Person, Site, Team, TeamMembership, Resource, Activity, Dependency)
# The first segment of an operation's path (/api/<segment>/...) -> its group; an operation
# of a segment not listed is in "other", so that a new endpoint is fuzzed all the same. Each
# group is about a quarter of the API: more groups would each pay the world's set-up again.
GROUPS = {
    "model": {
        "units",
        "people",
        "sites",
        "teams",
        "team-memberships",
        "activities",
        "resources",
        "dependencies",
        "analysis",
        "audit-events",
    },
    "assessment": {"bia", "risk", "hazards"},
    "response": {"strategies", "plans", "plan-versions", "plan-templates", "incidents"},
    "notify": {"notify"},
}
OTHER = "other"


def group_of(path: str) -> str:
    segment = path.strip("/").split("/")[1] if path.count("/") > 1 else ""
    for group, segments in GROUPS.items():
        if segment in segments:
            return group
    return OTHER


@cache
def _operations():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    # Through JSON: drf-spectacular leaves lazy strings and tuples in the dict.
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))
    return [result.ok() for result in schema.get_all_operations()]


def _send(client: APIClient, case) -> int:
    """The case as the test client's request (the body as JSON, the query string encoded)."""
    path = case.formatted_path
    query = {k: v for k, v in (case.query or {}).items() if v is not None}
    if query:
        path = f"{path}?{urlencode(query, doseq=True)}"
    method = getattr(client, case.method.lower())
    if isinstance(case.body, NotSet):
        return method(path).status_code
    return method(path, case.body, format="json").status_code


def _fingerprint() -> tuple:
    return (
        AuditEvent.objects.count(),
        *(model.objects.count() for model in REGISTERS),
    )


@pytest.mark.parametrize("group", [*GROUPS, OTHER])
@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_it_answers_generated_requests_without_a_server_error(world, personas, persona, group):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(personas[persona])}")
    before = _fingerprint()
    failures: list[str] = []

    for operation in _operations():
        if group_of(operation.path) != group:
            continue

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same cases every run: a failure is reproducible
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            status = _send(client, case)
            if status >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body}")

        run()
        if persona == "auditor":
            assert _fingerprint() == before, f"the auditor changed data through {operation.label}"

    assert failures == [], "server errors:\n" + "\n".join(failures[:20])


def test_the_fuzz_groups_spread_the_api():
    """An endpoint of a new app falls in "other" (fuzzed all the same); once "other" holds as
    many operations as a group, the app needs its own group, or one test would take the time
    that the groups exist to spread."""
    assert group_of("/api/units/{id}/") == "model"
    assert group_of("/api/plan-versions/{id}/sign/") == "response"
    assert group_of("/api/somethingnew/") == OTHER
    other = [op.label for op in _operations() if group_of(op.path) == OTHER]
    assert len(other) <= 20, other
