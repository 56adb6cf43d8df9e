"""The graph endpoint: a neighbourhood, never the whole model; access-filtered; verdicts; paths."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.dependencies.models import ModelRevision, Resource
from resilia.dependencies.tests.graph_wire import unpack
from resilia.dependencies.views_graph import MAX_NODES

pytestmark = pytest.mark.django_db
DATA = reverse("dependencies:graph_data")


def data(client, node, **params):
    response = client.get(DATA, {"node": node, **params})
    assert response.status_code == 200
    return unpack(response.json())


def test_it_returns_the_neighbourhood_with_verdicts_and_styles(bank, client_for):
    payload = data(client_for("coord_a"), f"activity:{bank['pay'].pk}", depth=2)
    nodes = {n["code"]: n for n in payload["nodes"]}
    assert set(nodes) == {"PAY", "CORE", "DC1", "DC2"}
    assert nodes["PAY"]["centre"] and nodes["DC1"]["distance"] == 2
    # The data centres take 4 h / 8 h while payments need 2 h: gaps. CORE alone stops PAY (a
    # single point of failure) but its recovery point was never tested while payments need an
    # RPO of 0: the gaps report lists it, so the graph shows it as a gap (one rule).
    assert nodes["CORE"]["verdict"] == "gap"
    assert nodes["DC1"]["verdict"] == "gap" and nodes["DC2"]["verdict"] == "gap"
    links = {(link["source"], link["target"]): link.get("group", "") for link in payload["links"]}
    assert links[(f"resource:{bank['core'].pk}", f"resource:{bank['dc1'].pk}")] == "dc"
    assert links[(f"activity:{bank['pay'].pk}", f"resource:{bank['core'].pk}")] == ""


def test_it_names_the_node_and_link_each_node_was_reached_by(bank, client_for):
    """Each node carries the node it was reached from and the link it was reached over (a
    position in `links`), never its whole path: the page follows them back to the centre."""
    payload = data(client_for("coord_a"), f"activity:{bank['pay'].pk}", depth=2)
    nodes = {n["code"]: n for n in payload["nodes"]}
    assert "parent" not in nodes["PAY"] and "via" not in nodes["PAY"]  # the centre
    assert nodes["CORE"]["parent"] == nodes["PAY"]["id"]
    assert nodes["DC1"]["parent"] == nodes["CORE"]["id"]
    via = payload["links"][nodes["DC1"]["via"]]
    core, dc1 = nodes["CORE"]["id"], nodes["DC1"]["id"]
    assert (via["source"], via["target"], via["group"]) == (core, dc1, "dc")
    # Its OR alternative is another link of the same dependent and group in the payload.
    assert {"source": nodes["CORE"]["id"], "target": nodes["DC2"]["id"], "group": "dc"} in payload[
        "links"
    ]  # no tolerance: an empty value is left out
    assert "path" not in nodes["DC1"]


def test_it_walks_both_directions_and_honours_depth(bank, client_for):
    client = client_for("coord_a")
    payload = data(client, f"resource:{bank['dc1'].pk}", depth=1)
    assert {n["code"] for n in payload["nodes"]} == {"DC1", "CORE"}
    core = next(n for n in payload["nodes"] if n["code"] == "CORE")
    # Reached from DC1 over the link CORE → DC1 (DC1 is needed by CORE).
    assert payload["links"][core["via"]]["source"] == core["id"]
    payload = data(client, f"resource:{bank['dc1'].pk}", depth=4)
    assert {n["code"] for n in payload["nodes"]} == {"DC1", "CORE", "PAY", "DC2"}


def test_it_leaves_out_nodes_the_user_cannot_read(bank, client_for):
    deps.dependency_create(actor=bank["actor"], dependent=bank["ops"], dependency=bank["net"])
    deps.dependency_create(actor=bank["actor"], dependent=bank["pay"], dependency=bank["net"])
    payload = data(client_for("coord_a"), f"resource:{bank['net'].pk}", depth=3)
    codes = {n["code"] for n in payload["nodes"]}
    assert "PAY" in codes and "YIB-OPS" not in codes and "YIB-SYS" not in codes
    assert "乙部门专属" not in str(payload)
    # A centre outside the scope gives nothing at all.
    assert data(client_for("coord_a"), f"activity:{bank['ops'].pk}")["nodes"] == []
    assert data(client_for("coord_a"), "activity:999999")["nodes"] == []
    assert data(client_for("coord_a"), "garbage")["nodes"] == []


def test_it_filters_by_kind_and_unit(bank, client_for, org_tree):
    client = client_for("manager")
    payload = data(client, f"activity:{bank['pay'].pk}", depth=3, kind="application")
    assert {n["code"] for n in payload["nodes"]} == {"PAY", "CORE"}
    deps.dependency_create(actor=bank["actor"], dependent=bank["pay"], dependency=bank["net"])
    payload = data(client, f"activity:{bank['pay'].pk}", depth=1, unit=org_tree["dept_a"].pk)
    assert "NET" not in {n["code"] for n in payload["nodes"]}


def test_it_caps_the_neighbourhood_and_stays_within_a_few_queries(
    bank, client_for, django_assert_max_num_queries
):
    unit = bank["pay"].unit
    with request_context(source="test"):
        fans = Resource.objects.bulk_create(
            [
                Resource(code=f"F{i}", name=f"外围{i}", kind="data", unit=unit)
                for i in range(MAX_NODES + 50)
            ]
        )
        for resource in fans:
            deps.dependency_create(actor=None, dependent=bank["core"], dependency=resource)
    client = client_for("coord_a")
    data(client, f"activity:{bank['pay'].pk}", depth=1)  # compile and verdicts, once
    with django_assert_max_num_queries(14):
        payload = data(client, f"activity:{bank['pay'].pk}", depth=4)
    assert len(payload["nodes"]) == MAX_NODES and payload["truncated"]


def test_it_never_shares_verdicts_between_models_with_the_same_revision(bank, client_for):
    """A restored backup or a rolled-back change can repeat the counter: the change time tells
    the two models apart, and the verdicts follow the model actually compiled."""
    client = client_for("coord_a")
    pay = f"activity:{bank['pay'].pk}"
    first = data(client, pay, depth=2)
    assert {n["code"]: n["verdict"] for n in first["nodes"]}["CORE"] == "gap"
    stamp = ModelRevision.objects.get(pk=1)
    # Without objectives payments impose nothing: no gap, and nothing prioritised depends on
    # the core system any more.
    deps.activity_update(actor=bank["actor"], activity=bank["pay"], rto=None, rpo=None)
    ModelRevision.objects.filter(pk=1).update(
        revision=stamp.revision, changed_at=stamp.changed_at + dt.timedelta(seconds=1)
    )
    second = data(client, pay, depth=2)
    assert second["revision"] == first["revision"]
    verdicts = {n["code"]: n["verdict"] for n in second["nodes"]}
    assert verdicts == {"PAY": "unknown", "CORE": "ok", "DC1": "ok", "DC2": "ok"}


def test_it_renders_the_graph_page_with_translated_strings(bank, client_for):
    response = client_for("coord_a").get(
        reverse("dependencies:graph"),
        {"node": f"activity:{bank['pay'].pk}"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="graph-strings"' in text and "单点故障" in text and "支付清算" in text
    assert client_for("executive").get(reverse("dependencies:graph")).status_code == 403
    assert client_for("executive").get(DATA).status_code == 403


def test_each_node_carries_what_the_page_groups_it_by(bank, client_for, org_tree):
    """Grouping by unit or by kind happens in the browser: each node says its unit (key and
    name in the reader's language) and its kind, a resource shared by all saying no unit."""
    deps.dependency_create(actor=bank["actor"], dependent=bank["pay"], dependency=bank["net"])
    client = client_for("coord_a")
    response = client.get(
        DATA, {"node": f"activity:{bank['pay'].pk}", "depth": 1}, HTTP_ACCEPT_LANGUAGE="en"
    )
    nodes = {n["code"]: n for n in unpack(response.json())["nodes"]}
    dept_a = org_tree["dept_a"]
    assert (nodes["PAY"]["unit_key"], nodes["CORE"]["unit_key"]) == (str(dept_a.pk),) * 2
    assert nodes["PAY"]["unit"] == (dept_a.name_en or dept_a.name)
    assert "unit_key" not in nodes["NET"] and "unit" not in nodes["NET"]  # empty: left out
    assert (nodes["PAY"]["kind"], nodes["CORE"]["kind"]) == ("activity", "application")
    assert nodes["CORE"]["kind_label"] == "Application / IT system"
    assert "unit_path" not in nodes["PAY"]


def centre_of(client) -> str:
    text = client.get(reverse("dependencies:graph")).content.decode()
    # The centre node's picker holds the chosen node only.
    found = re.search(r'<li role="option" aria-selected="true" data-value="(activity:\d+)">', text)
    return found.group(1) if found else ""


def test_it_opens_on_the_first_activity_in_bia_priority_order_the_reader_may_see(bank, client_for):
    """Without a chosen node the page centres on the first readable activity in the order of
    the BIA priorities page: RTO, then RPO, then MTPD (unset last), then code."""
    with request_context(source="test"):
        # Same RTO as payments but a longer RPO: after payments, though its code sorts first.
        deps.activity_create(
            actor=None, code="AAA", name="甲", unit=bank["pay"].unit, rto=120, rpo=30, mtpd=480
        )
        # Never prioritised (no RTO): never the centre.
        deps.activity_create(actor=None, code="A00", name="乙", unit=bank["pay"].unit)
    assert centre_of(client_for("coord_a")) == f"activity:{bank['pay'].pk}"
    # Each reader gets the first of their own scope: department B's operations (RTO 1 h)
    # come before payments (2 h) for those who may see both.
    assert centre_of(client_for("coord_b")) == f"activity:{bank['ops'].pk}"
    assert centre_of(client_for("manager")) == f"activity:{bank['ops'].pk}"
    with request_context(source="test"):
        zzz = deps.activity_create(
            actor=None, code="ZZZ", name="丙", unit=bank["pay"].unit, rto=60, rpo=0, mtpd=240
        )
    # A tie on RTO with department B's operations: the RPO decides (theirs is unset), not
    # the code.
    assert centre_of(client_for("manager")) == f"activity:{zzz.pk}"
    # A chosen node wins over the default.
    response = client_for("manager").get(
        reverse("dependencies:graph"), {"node": f"resource:{bank['core'].pk}"}
    )
    chosen = f'aria-selected="true" data-value="resource:{bank["core"].pk}">CORE · '
    assert chosen in response.content.decode()


@pytest.mark.parametrize(
    "language, words",
    [
        ("zh-hans", ["分组方式", "不分组", "按组织单元", "按资源类型", "导出 PNG", "导出 SVG",
                     "适应视图", "分组（组织单元或类型）", "从左到右：业务活动"]),
        ("en", ["Group by", "No grouping", "By unit", "By kind of resource", "Export PNG",
                "Export SVG", "Fit to view", "Group (unit or kind)", "Left to right: activities"]),
    ],
)  # fmt: skip
def test_the_controls_and_legend_read_in_the_readers_language(bank, client_for, language, words):
    response = client_for("coord_a").get(
        reverse("dependencies:graph"), {"group": "unit"}, HTTP_ACCEPT_LANGUAGE=language
    )
    text = response.content.decode()
    for word in words:
        assert word in text, word
    assert '<option value="unit" selected>' in text
    strings = json.loads(re.search(r'id="graph-strings"[^>]*>(.*?)</script>', text).group(1))
    assert strings["no_unit"] == ("无组织单元" if language == "zh-hans" else "No unit")
    assert strings["export_failed"] and strings["activities"]
    # An unknown grouping falls back to none.
    text = client_for("coord_a").get(reverse("dependencies:graph"), {"group": "x"}).content
    assert b'<option value="" selected>' in text
