"""The unit register page and its exports, as each persona sees them."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from resilia.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/org/units/"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def zh(*msgids):
    """The Simplified Chinese of each msgid, checked to be a real translation."""
    with translation.override("zh-hans"):
        texts = tuple(translation.gettext(m) for m in msgids)
    assert all(t != m for t, m in zip(texts, msgids, strict=True))
    return texts


def codes(response):
    return [row.obj.code for row in response.context["rows"]]


def test_it_lists_the_tree_in_order_with_indent_and_people_counts(client_for, people):
    response = client_for("manager").get(URL)
    assert response.status_code == 200
    assert codes(response) == ["GRP", "CO", "DEPT-A", "A-TEAM", "DEPT-B"]
    rows = {row.obj.code: row for row in response.context["rows"]}
    assert [rows[c].indent for c in ("GRP", "CO", "DEPT-A", "A-TEAM")] == [0, 1, 2, 3]
    assert rows["DEPT-A"].obj.people_count == 1
    assert rows["GRP"].obj.people_count == 0


def test_it_shows_a_coordinator_only_their_subtree(client_for, people):
    response = client_for("coord_a").get(URL)
    assert codes(response) == ["DEPT-A", "A-TEAM"]
    # The indent starts at the coordinator's own top unit.
    assert [row.indent for row in response.context["rows"]] == [0, 1]


def test_it_filters_by_kind_and_search(client_for, org_tree):
    client = client_for("admin")
    assert codes(client.get(URL, {"kind": "department"})) == ["DEPT-A", "DEPT-B"]
    assert codes(client.get(URL, {"q": "运营"})) == ["DEPT-B"]
    assert codes(client.get(URL, {"parent": org_tree["company"].pk})) == ["DEPT-A", "DEPT-B"]


def test_it_rejects_an_unknown_kind_as_a_filter_error(client_for, org_tree):
    response = client_for("admin").get(URL, {"kind": "galaxy"})
    assert response.status_code == 200
    assert "kind" in response.context["filterset"].errors


def test_it_sorts_by_people_count(client_for, people):
    response = client_for("admin").get(URL, {"sort": "-people"})
    counts = [row.obj.people_count for row in response.context["rows"]]
    assert counts == sorted(counts, reverse=True)


def test_it_exports_xlsx_with_chinese_headers_within_scope(client_for, people):
    response = client_for("coord_a").get(URL, {"export": "xlsx"}, **ZH)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == zh("code", "name", "kind", "parent unit", "head", "people")
    assert rows[0][1] == "名称"
    assert [r[0] for r in rows[1:]] == ["DEPT-A", "A-TEAM"]
    assert rows[1][1] == "信息科技部" and rows[1][2] == "部门"
    event = AuditEvent.objects.get(action="export")
    assert event.object_type == "org.unit"
    assert event.actor.username == "coord_a"
    assert event.changes == {"format": "xlsx", "filters": {}, "rows": 2}


def test_it_exports_csv_with_the_filters_in_the_audit_event(client_for, people):
    response = client_for("auditor").get(URL, {"export": "csv", "kind": "department"}, **ZH)
    reader = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    rows = list(reader)
    assert rows[0][:2] == list(zh("code", "name"))
    assert [r[0] for r in rows[1:]] == ["DEPT-A", "DEPT-B"]
    event = AuditEvent.objects.get(action="export")
    assert event.changes["filters"] == {"kind": "department"}
    assert event.changes["rows"] == 2


def test_it_shows_english_names_in_the_english_interface(client_for, org_tree):
    response = client_for("admin").get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert "IT Department" in response.content.decode()
    response = client_for("admin").get(URL, **ZH)
    assert "信息科技部" in response.content.decode()


def test_it_counts_people_per_row_in_the_same_queries_whatever_the_organisation_size(
    client_for, people, org_tree
):
    """The people count is a subquery per shown row, not a join grouped over every person:
    more units and people add no query (the 100k benchmark's units page, benchmarks/pages.py)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from resilia.core.context import request_context
    from resilia.org import services as org

    client = client_for("admin")
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    with request_context(source="test"):
        for i in range(30):
            unit = org.unit_create(
                actor=None,
                code=f"X{i:02d}",
                name=f"科室{i}",
                kind="team",
                parent=org_tree["dept_b"],
            )
            org.person_create(actor=None, full_name=f"员工{i}", unit=unit)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL, {"sort": "-people"})
    assert len(large) == len(small)
    counts = {row.obj.code: row.obj.people_count for row in response.context["rows"]}
    assert counts["X00"] == 1 and counts["DEPT-A"] == 1
    count_sql = [q["sql"] for q in large.captured_queries if "COUNT(*)" in q["sql"]]
    assert count_sql and all("org_person" not in sql for sql in count_sql)
