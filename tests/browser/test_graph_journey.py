"""Browser journey: the BCM manager reads the dependency graph, laid out by ELK in layers
(activities, then the resources they need, then what those need), groups it by unit and by
kind of resource, and exports it as PNG and SVG for a report, in Chinese and in English."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

from resilia.analysis.tests.conftest import (  # noqa: F401 (fixtures)
    bank,
    fresh_graph_cache,
)
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.dependencies.models import Dependency, Resource
from resilia.dependencies.views_graph import MAX_NODES
from tests.browser.conftest import SCREENSHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {
    "zh-hans": {"group": "分组方式", "unit": "按组织单元", "kind": "按资源类型", "png": "导出 PNG",
                "svg": "导出 SVG", "activities": "业务活动", "no_unit": "无组织单元"},
    "en": {"group": "Group by", "unit": "By unit", "kind": "By kind of resource",
           "png": "Export PNG", "svg": "Export SVG", "activities": "Activities",
           "no_unit": "No unit"},
}  # fmt: skip


def node_box(page, code):
    return page.locator(f".graph-node:has(text.graph-code:text-is('{code}'))").bounding_box()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_manager_reads_groups_and_exports_the_graph(page_for, shot, bank, language):  # noqa: F811
    words = LABELS[language]
    long_name = "环球银行金融电信协会报文传输与清算对接服务（总行集中部署）"
    Resource.objects.filter(pk=bank["swift"].pk).update(name=long_name, name_en=long_name)
    page = page_for(language)
    login(page, "manager")
    page.goto(f"{page.base_url}/dependencies/graph/")
    chart = page.get_by_test_id("graph-chart")
    expect(chart).to_have_attribute("data-state", "ready")
    # Without a choice the page centres on the first activity in BIA priority order: PAY.
    centre = page.locator(".graph-node rect[stroke-width='3']")
    expect(centre).to_have_count(1)
    expect(page.locator(".graph-node:has(rect[stroke-width='3'])")).to_have_attribute(
        "data-id", f"activity:{bank['pay'].pk}"
    )
    expect(page.get_by_test_id("graph-panel").locator("h3")).to_contain_text("PAY")
    # Layers, left to right: each activity before the resource it needs, that one before its
    # own dependencies.
    pay, core, dc1, dc2 = (node_box(page, code) for code in ("PAY", "CORE", "DC1", "DC2"))
    assert pay["x"] + pay["width"] <= core["x"]
    assert core["x"] + core["width"] <= dc1["x"] and dc1["x"] == dc2["x"]
    report, loan = node_box(page, "REPORT"), node_box(page, "LOAN")
    assert report["x"] < core["x"] and loan["x"] < core["x"]
    # Labels do not overlap one another.
    boxes = [n.bounding_box() for n in page.locator(".graph-node").all()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
            )  # fmt: skip
            assert apart, (a, b)
    # A long name is cut to its box, the whole of it in the tooltip, in the reader's language.
    swift = page.locator(f".graph-node[data-id='resource:{bank['swift'].pk}']")
    shown = swift.locator("text.graph-name").text_content()
    assert shown.endswith("…") and long_name.startswith(shown[:-1]) and len(shown) < 20
    tooltip = swift.locator("> title").text_content()
    assert f"SWIFT · {long_name}" in tooltip
    assert ("结论" if language == "zh-hans" else "Verdict") in tooltip
    shot(page, f"graph-layers-{language}")

    # Grouping by unit: one labelled box per unit, the nodes inside theirs.
    page.get_by_label(words["group"], exact=True).select_option(label=words["unit"])
    expect(chart).to_have_attribute("data-grouping", "unit")
    expect(chart).to_have_attribute("data-state", "ready")
    groups = page.locator(".graph-group")
    assert groups.count() >= 2
    unit = bank["pay"].unit
    labels = page.locator(".graph-group-label").all_text_contents()
    assert (unit.name_en if language == "en" else unit.name) in labels, labels
    assert words["no_unit"] in labels  # the data centres belong to no unit
    box = page.locator(f".graph-group[data-group='{bank['pay'].unit_id}'] rect").bounding_box()
    pay = node_box(page, "PAY")
    assert box["x"] <= pay["x"] and pay["x"] + pay["width"] <= box["x"] + box["width"]
    assert "group=unit" in page.url
    shot(page, f"graph-by-unit-{language}")
    page.get_by_label(words["group"], exact=True).select_option(label=words["kind"])
    expect(chart).to_have_attribute("data-grouping", "kind")
    expect(page.locator(".graph-group-label").filter(has_text=words["activities"])).to_have_count(1)
    shot(page, f"graph-by-kind-{language}")

    # Exports: a real PNG and an SVG that parses and holds the node labels.
    with page.expect_download() as png:
        page.get_by_role("button", name=words["png"]).click()
    content = open(png.value.path(), "rb").read()
    assert content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) > 2000
    assert png.value.suggested_filename == "dependency-graph-PAY.png"
    png.value.save_as(SCREENSHOTS / f"graph-export-{language}.png")  # for a person to look at
    with page.expect_download() as svg:
        page.get_by_role("button", name=words["svg"]).click()
    root = ET.parse(svg.value.path()).getroot()
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"PAY", "CORE", "DC1", "DC2"} <= set(texts)
    assert "支付" in "".join(t or "" for t in texts) or "Payment" in "".join(t or "" for t in texts)
    assert words["activities"] in texts


def test_a_neighbourhood_at_the_limit_lays_out_quickly(page_for, shot, bank):  # noqa: F811
    """The page draws at most MAX_NODES around the centre, says so, and ELK lays that many out,
    grouped too (how fast is for the benchmarks, not a timer in a test: the waits below only
    bound a hang)."""
    with request_context(source="test"):
        fans = Resource.objects.bulk_create(
            [
                Resource(code=f"F{i:03}", name=f"外围数据{i}", kind="data", unit=bank["pay"].unit)
                for i in range(MAX_NODES + 50)
            ]
        )
        core = bank["core"]
        links = [Dependency(dependent_resource=core, dependency_resource=r) for r in fans]
        # Some second-level links, so there are several layers to order.
        links += [
            Dependency(dependent_resource=fans[n + 1], dependency_resource=fans[n])
            for n in range(0, len(fans) - 1, 3)
        ]
        Dependency.objects.bulk_create(links)
        deps.bump_revision()
    page = page_for("zh-hans")
    login(page, "manager")
    page.goto(f"{page.base_url}/dependencies/graph/?node=activity:{bank['pay'].pk}&depth=3")
    chart = page.get_by_test_id("graph-chart")
    expect(chart).to_have_attribute("data-state", "ready", timeout=60000)
    assert page.locator(".graph-node").count() == MAX_NODES
    expect(page.locator("#graph-status")).to_contain_text(f"仅显示最近的 {MAX_NODES} 个节点")
    page.get_by_label("分组方式", exact=True).select_option("kind")
    expect(chart).to_have_attribute("data-grouping", "kind", timeout=60000)
    expect(chart).to_have_attribute("data-state", "ready", timeout=60000)
    shot(page, "graph-limit-zh-hans")
