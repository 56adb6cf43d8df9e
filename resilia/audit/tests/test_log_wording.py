"""The audit log speaks the reader's language and capitalises its English labels: the kind of
an event is rendered from its recorded object type (language-neutral), not from the name the
recorder's language gave it; filter labels, table headers, the pager and history fields read
in sentence case."""

import pytest
from django.urls import reverse
from django.utils import translation

from resilia.audit.models import AuditEvent
from resilia.audit.services import audit_record
from resilia.core.context import request_context
from resilia.org import services as org

pytestmark = pytest.mark.django_db
LOG = "/audit/"


def _record_in_english(personas):
    with translation.override("en"), request_context(source="test"):
        audit_record(
            actor=personas["manager"],
            action="export",
            object_type="org.person",
            object_repr="people",
            changes={"format": "csv", "rows": 3},
        )
        audit_record(
            actor=personas["manager"],
            action="export",
            object_type="analysis.gaps",
            object_repr="Objective and capability gaps",
            changes={"format": "xlsx", "rows": 2},
        )


def test_it_names_kinds_in_the_readers_language_whatever_the_recorders(client_for, personas):
    _record_in_english(personas)
    client = client_for("auditor")
    chinese = client.get(LOG, {"action": "export"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = {r.event.object_type: r for r in chinese.context["rows"]}
    assert str(rows["org.person"].name) == "人员"
    assert str(rows["analysis.gaps"].name) == "目标与能力差距"
    html = chinese.content.decode()
    assert "目标与能力差距" in html and "Objective and capability gaps" not in html
    english = client.get(LOG, {"action": "export"}, HTTP_ACCEPT_LANGUAGE="en")
    rows = {r.event.object_type: r for r in english.context["rows"]}
    assert str(rows["org.person"].name) == "People"
    assert AuditEvent.objects.filter(object_repr="people").exists()  # the record is untouched


def test_it_capitalises_the_english_labels(client_for, personas, org_tree):
    with request_context(source="test"):
        org.unit_update(actor=personas["manager"], unit=org_tree["dept_a"], name="甲部门新名")
    client = client_for("auditor")
    html = client.get(LOG, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for label in ("Actor", "Action", "Object type", "Request id", "<th>Time</th>", "Object"):
        assert label in html, label
    unit = org_tree["dept_a"]
    history = client.get(
        reverse("audit:object_history", args=[unit._meta.label_lower, unit.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert ">Name<" in history or "Name</" in history


def test_it_capitalises_the_graph_labels(client_for):
    html = client_for("manager").get("/dependencies/graph/", HTTP_ACCEPT_LANGUAGE="en")
    text = html.content.decode()
    for label in (">Unit<", ">Kind<", "Capability gap", '"Recovery time"', '"Verdict"'):
        assert label in text, label
