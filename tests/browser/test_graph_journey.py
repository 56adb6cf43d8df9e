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
    # Why a node is here: the page follows each node's link back to the centre (the payload
    # names only the node it was reached from), with the OR group's alternatives.
    page.locator(f".graph-node[data-id='resource:{bank['dc1'].pk}']").click()
    steps = page.get_by_test_id("graph-path").locator("li")
    expect(steps).to_have_count(2)
    pay, dc1, dc2 = (
        bank[k].name if language == "zh-hans" else bank[k].name_en for k in ("pay", "dc1", "dc2")
    )
    expect(steps.nth(0)).to_contain_text(pay)
    expect(steps.nth(1)).to_contain_text(f"{dc1} | {dc2}")

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
    # Off the page's thread: the page stays usable while ELK works on a few hundred nodes.
    expect(chart).to_have_attribute("data-layout", "worker")
    assert page.locator(".graph-node").count() == MAX_NODES
    expect(page.locator("#graph-status")).to_contain_text(f"仅显示最近的 {MAX_NODES} 个节点")
    page.get_by_label("分组方式", exact=True).select_option("kind")
    expect(chart).to_have_attribute("data-grouping", "kind", timeout=60000)
    expect(chart).to_have_attribute("data-state", "ready", timeout=60000)
    shot(page, "graph-limit-zh-hans")


# Records what the page asks of its workers and what they answer (the laid-out graph), without
# changing how a worker is made: the page's own Worker, watched at postMessage.
WORKER_WATCH = """
window.layoutsAsked = []; window.layoutsAnswered = [];
const post = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (message) {
  if (!this.watched) {
    this.watched = true;
    this.addEventListener("message", function (e) {
      const answer = e.data && e.data.data;
      if (answer && answer.children) { window.layoutsAnswered.push(answer); }
    });
  }
  if (message && message.cmd === "layout") {
    window.layoutsAsked.push(message.graph.children.length);
  }
  return post.apply(this, arguments);
};
"""


def positions(page):
    """{node id: [x, y]} as drawn on the page."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll(".graph-node")].map(g =>
          [g.dataset.id, g.getAttribute("transform").match(/-?[\\d.]+/g).map(Number)]))"""
    )


def assert_layered(page):
    pay, core, dc1 = (node_box(page, code) for code in ("PAY", "CORE", "DC1"))
    assert pay["x"] + pay["width"] <= core["x"] and core["x"] + core["width"] <= dc1["x"]


def test_it_lays_the_graph_out_in_a_web_worker(page_for, bank):  # noqa: F811
    """The layout runs in vendor/elkjs's worker, under the site's Content-Security-Policy
    (page_for fails on a violation), and the boxes stand where the worker put them."""
    page = page_for("en")
    workers = []
    page.on("worker", lambda worker: workers.append(worker.url))
    page.add_init_script(WORKER_WATCH)
    login(page, "manager")
    with page.expect_response("**/static/vendor/elkjs/elk-worker.min.js") as script:
        page.goto(f"{page.base_url}/dependencies/graph/")
    assert script.value.status == 200
    chart = page.get_by_test_id("graph-chart")
    expect(chart).to_have_attribute("data-state", "ready")
    expect(chart).to_have_attribute("data-layout", "worker")
    assert [url.rsplit("/", 1)[-1] for url in workers] == ["elk-worker.min.js"]
    drawn = positions(page)
    assert page.evaluate("window.layoutsAsked") == [len(drawn)]
    answer = page.evaluate("window.layoutsAnswered")[0]
    assert drawn == {box["id"]: [box["x"], box["y"]] for box in answer["children"]}
    assert len({tuple(xy) for xy in drawn.values()}) == len(drawn)
    assert_layered(page)
    # A new grouping is laid out by the same worker, not a second one.
    page.get_by_label("Group by", exact=True).select_option("unit")
    expect(chart).to_have_attribute("data-grouping", "unit")
    expect(chart).to_have_attribute("data-state", "ready")
    assert len(page.evaluate("window.layoutsAnswered")) == 2 and len(workers) == 1


def test_it_lays_out_on_the_page_without_web_workers(page_for, shot, bank):  # noqa: F811
    """A browser without Worker still gets the same layered picture, laid out by the page."""
    page = page_for("zh-hans")
    workers = []
    page.on("worker", lambda worker: workers.append(worker.url))
    page.add_init_script("delete window.Worker;")
    login(page, "manager")
    page.goto(f"{page.base_url}/dependencies/graph/")
    chart = page.get_by_test_id("graph-chart")
    expect(chart).to_have_attribute("data-state", "ready")
    expect(chart).to_have_attribute("data-layout", "page")
    assert page.evaluate("typeof window.Worker") == "undefined" and workers == []
    assert_layered(page)
    page.get_by_label("分组方式", exact=True).select_option("unit")
    expect(chart).to_have_attribute("data-grouping", "unit")
    expect(chart).to_have_attribute("data-state", "ready")
    assert page.locator(".graph-group").count() >= 2
    shot(page, "graph-no-worker-zh-hans")


def test_it_lays_out_on_the_page_when_the_worker_cannot_start(page_for, bank):  # noqa: F811
    """The worker's file never arrives (a proxy drops it) after the layout was handed to it:
    the page notices the worker's error and lays the graph out itself, no longer waiting."""
    page = page_for("en")
    held = []
    page.route("**/elk-worker.min.js", lambda route: held.append(route))
    login(page, "manager")
    page.goto(f"{page.base_url}/dependencies/graph/")
    chart = page.get_by_test_id("graph-chart")
    expect(chart).to_have_attribute("data-state", "layout")
    assert len(held) == 1
    held[0].abort()
    expect(chart).to_have_attribute("data-state", "ready")
    expect(chart).to_have_attribute("data-layout", "page")
    expect(page.locator("#graph-status")).to_have_text("")
    assert_layered(page)


def test_a_resized_window_keeps_the_readers_zoom(page_for, bank):  # noqa: F811
    """The picture is fitted again when the window changes size only while the reader has
    not zoomed or moved it; "Fit to view" fits it, and from then on a resize fits it again."""
    page = page_for("en")
    login(page, "manager")
    page.goto(f"{page.base_url}/dependencies/graph/")
    chart = page.get_by_test_id("graph-chart")
    expect(chart).to_have_attribute("data-state", "ready")

    def transform():
        return page.locator(".graph-viewport").get_attribute("transform")

    def resized(width):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(400)  # the page waits 150 ms for the resizing to settle

    resized(1100)
    fitted = transform()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    zoomed = transform()
    assert zoomed != fitted
    resized(900)
    assert transform() == zoomed  # the reader's view, kept
    page.get_by_test_id("graph-fit").click()
    refitted = transform()
    assert refitted != zoomed
    resized(1200)
    assert transform() != refitted  # not moved since the fit: fitted to the new width
