"""The OpenAPI schema says what each operation answers, errors included, in their one shape."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

ERROR_REF = "#/components/schemas/ErrorResponse"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _error_ref(response) -> str:
    return response["content"]["application/json"]["schema"]["$ref"]


def test_it_describes_the_errors_of_every_operation_in_the_shared_shape(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        expected = {"400", "401", "403"} if method != "delete" else {"401", "403", "404", "409"}
        if "{id}" in path:
            expected.add("404")
        assert expected <= set(responses), (method, path, sorted(responses))
        for code in expected:
            assert _error_ref(responses[code]) == ERROR_REF, (method, path, code)


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        ("/api/units/", "get", {"200", "400", "401", "403", "404"}),
        ("/api/units/", "post", {"201", "400", "401", "403", "409"}),
        ("/api/people/{id}/", "patch", {"200", "400", "401", "403", "404", "409"}),
        ("/api/people/{id}/", "delete", {"204", "401", "403", "404", "409"}),
        ("/api/audit-events/{id}/", "get", {"200", "400", "401", "403", "404"}),
        ("/api/analysis/whatif/", "post", {"200", "400", "401", "403"}),
    ],
)
def test_it_lists_what_an_operation_really_answers(schema, path, method, codes):
    assert set(schema["paths"][path][method]["responses"]) == codes


def test_it_describes_the_error_shape(schema):
    body = schema["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"code", "message"}
    assert {"fields", "request_id", "detail"} <= set(body["properties"])


def test_it_describes_what_the_what_if_endpoint_accepts(schema):
    operation = schema["paths"]["/api/analysis/whatif/"]["post"]
    request = operation["requestBody"]["content"]["application/json"]
    ref = request["schema"]["$ref"].rsplit("/", 1)[1]
    fields = schema["components"]["schemas"][ref]
    assert fields["required"] == ["fail"]
    assert fields["properties"]["fail"]["minItems"] == 1
    assert "KIND:KEY" in fields["properties"]["fail"]["items"]["description"]
    assert fields["properties"]["at"]["format"] == "date-time"
    assert "example" in request or "examples" in request


def test_it_declares_yes_no_filters_as_booleans(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/people/"]["get"]["parameters"]}
    assert parameters["is_key_person"]["schema"]["type"] == "boolean"


def test_it_documents_the_warnings_of_an_activity(schema):
    """Doubtful but accepted objectives come back in `warnings`, a read-only list of text."""
    field = schema["components"]["schemas"]["Activity"]["properties"]["warnings"]
    assert field["type"] == "array" and field["items"]["type"] == "string"
    from resilia.dependencies.api import ActivitySerializer

    described = str(ActivitySerializer().fields["warnings"].help_text)
    assert field["readOnly"] and field["description"] == described
