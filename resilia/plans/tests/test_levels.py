"""The response levels (分级管理) as structured rows: edited in the draft's form (added,
reordered, removed), checked by one rule for the form and the API (a name each, no name twice,
a positive reporting time), shown as a table on the page, in the DOCX, the PDF and the offline
pack; levels saved in the old three-field shape still read, and the step predecessors' column
reads 紧前步骤 in Chinese, not the history page's 变更后."""

import importlib
import io
import zipfile

import docx
import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.plans import content as c
from resilia.plans import services
from resilia.plans.models import PlanVersion
from resilia.plans.pack import build_pack
from resilia.plans.tests.conftest import sign_off
from resilia.plans.tests.test_api import api_for  # noqa: F401 (fixture)
from resilia.plans.tests.test_pages import _url, edit_payload

OLD_SHAPE = [
    {"name": "一级", "criteria": "单一系统故障", "response": "现场处置"},
    {"name": "二级", "criteria": "关键业务中断", "response": "启动业务连续性计划"},
]


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    settings.PACK_SIGNING_KEY_FILE = str(tmp_path / "keys" / "pack_signing_key")


def _levels(v):
    v.refresh_from_db()
    return [lv["name"] for lv in v.content["levels"]]


def _level_events(v):
    return AuditEvent.objects.filter(object_id=str(v.pk), object_type="plans.planversion")


def test_the_template_gives_two_levels_with_who_decides_and_when_to_report(plan_setup):
    levels = plan_setup["version"].content["levels"]
    assert [lv["name"] for lv in levels] == [
        "突发应急管理（小规模故障）",
        "业务连续性管理（大规模故障）",
    ]
    assert levels[0]["decides"] == "值班经理" and levels[0]["report_within"] == 15
    assert levels[0]["escalate"] and levels[1]["report_to"].startswith("监管机构")


def test_it_adds_reorders_and_removes_levels_in_one_save(plan_setup, client_for):
    client = client_for("coord_a")
    v = plan_setup["version"]
    data = edit_payload(client, v)
    assert data["levels-TOTAL_FORMS"] == 2
    # A third level typed in a new row, put first; the first template level removed.
    data.update({
        "levels-TOTAL_FORMS": 3,
        "levels-2-name": "预警",
        "levels-2-criteria": "监控告警，业务未受影响",
        "levels-2-decides": "值班员",
        "levels-2-report_to": "值班经理",
        "levels-2-report_within": "10",
        "levels-2-ORDER": "0",
        "levels-0-DELETE": "on",
        "change_note": "增加预警级别",
    })  # fmt: skip
    response = client.post(_url("version_edit", v), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _levels(v) == ["预警", "业务连续性管理（大规模故障）"]
    assert v.content["levels"][0] == {
        "name": "预警", "criteria": "监控告警，业务未受影响", "decides": "值班员", "response": "",
        "escalate": "", "report_to": "值班经理", "report_within": 10,
    }  # fmt: skip
    event = _level_events(v).filter(action="update").latest("pk")
    assert "content" in event.changes
    # Moved: the page's positions decide the order.
    data = edit_payload(client, v)
    data["levels-0-ORDER"], data["levels-1-ORDER"] = 2, 1
    assert client.post(_url("version_edit", v), data).status_code == 302
    assert _levels(v) == ["业务连续性管理（大规模故障）", "预警"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"levels-1-name": "突发应急管理（小规模故障）"}, "有两个响应级别都名为"),
        ({"levels-1-name": "", "levels-1-criteria": "仍有内容"}, "第 2 个响应级别需要填写名称"),
        ({"levels-0-report_within": "0"}, "levels-0-report_within"),
        ({"levels-0-report_within": "半小时"}, "levels-0-report_within"),
    ],
)
def test_bad_levels_are_refused_with_a_message_and_nothing_saved(
    plan_setup, client_for, change, message
):
    client = client_for("coord_a")
    v = plan_setup["version"]
    before = dict(v.content)
    events = _level_events(v).count()
    data = {**edit_payload(client, v), **change, "change_note": "不应保存"}
    response = client.post(_url("version_edit", v), data)
    assert response.status_code in (200, 400)
    html = response.content.decode()
    if message.startswith("levels-"):  # the field's own error, on the row
        assert f'name="{message}"' in html and "invalid-feedback" in html
    else:
        assert message in html
    v.refresh_from_db()
    assert v.content == before and v.change_note != "不应保存"
    assert _level_events(v).count() == events


def test_the_api_refuses_the_same_levels_by_the_same_rule(api_for, plan_setup):  # noqa: F811
    v = plan_setup["version"]
    a = api_for("coord_a")
    content = a.get(f"/api/plan-versions/{v.pk}/").json()["content"]
    content["levels"][1]["name"] = content["levels"][0]["name"]
    content["levels"].append({"name": " ", "report_within": -5})
    r = a.patch(f"/api/plan-versions/{v.pk}/", {"content": content}, format="json")
    assert r.status_code == 400
    text = str(r.json())
    assert "levels" in text and "each level needs its own name" in text
    assert "needs a name" in text and "positive number of minutes" in text
    assert PlanVersion.objects.get(pk=v.pk).content == v.content


def test_the_rule_names_every_problem():
    with translation.override("en"):
        problems = c.level_problems(
            [{"name": "A"}, {"name": "a "}, {"name": ""}, "x", {"name": "B", "report_within": True}]
        )
    assert problems == [
        "Two response levels are named “a” (levels 1 and 2); each level needs its own name.",
        "Response level 3 needs a name.",
        "Response level 4 is not a row of fields.",
        "The reporting time limit of response level 5 must be a positive number of minutes.",
    ]
    assert c.level_problems(c.level_rows(OLD_SHAPE)) == []


def _old_shape(plan_setup):
    v = plan_setup["version"]
    PlanVersion.objects.filter(pk=v.pk).update(content={**v.content, "levels": OLD_SHAPE})
    v.refresh_from_db()
    return v


def test_levels_saved_in_the_old_shape_still_read_and_edit(plan_setup, client_for):
    v = _old_shape(plan_setup)
    client = client_for("coord_a")
    page = client.get(v.get_absolute_url()).content.decode()
    assert "启动业务连续性计划" in page and 'data-level="2"' in page
    data = edit_payload(client, v)
    assert data["levels-1-name"] == "二级" and data["levels-1-decides"] == ""
    data["levels-1-decides"] = "领导小组组长"
    assert client.post(_url("version_edit", v), data).status_code == 302
    v.refresh_from_db()
    assert v.content["levels"][1]["decides"] == "领导小组组长"
    assert v.content["levels"][1]["response"] == "启动业务连续性计划"


def test_the_migration_gives_drafts_the_new_fields_and_leaves_signed_content_alone(
    plan_setup, personas
):
    draft = _old_shape(plan_setup)
    migration = importlib.import_module("resilia.plans.migrations.0003_levels_structured")
    signed = sign_off(plan_setup, personas)  # the same version, now published and signed
    PlanVersion.objects.filter(pk=signed.pk).update(content={**signed.content, "levels": OLD_SHAPE})
    with request_context(source="test"):
        fresh = services.version_new(actor=personas["coord_a"], plan=draft.plan, change_note="x")
    PlanVersion.objects.filter(pk=fresh.pk).update(content={**fresh.content, "levels": OLD_SHAPE})
    migration.forwards(apps, None)
    assert PlanVersion.objects.get(pk=signed.pk).content["levels"] == OLD_SHAPE
    levels = PlanVersion.objects.get(pk=fresh.pk).content["levels"]
    assert levels[0] == {"name": "一级", "criteria": "单一系统故障", "decides": "",
                         "response": "现场处置", "escalate": "", "report_to": "",
                         "report_within": None}  # fmt: skip


def test_the_levels_are_a_table_in_the_docx_the_pdf_and_the_pack(plan_setup, personas, client_for):
    v = sign_off(plan_setup, personas)
    client = client_for("manager")
    word = docx.Document(io.BytesIO(client.get(_url("version_export", v, fmt="docx")).content))
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in word.tables]
    levels = next(t for t in tables if "启动与决策人" in t[0])
    assert levels[0][:3] == ["#", "响应级别", "启动条件"]
    assert levels[1][1] == "突发应急管理（小规模故障）" and levels[1][3] == "值班经理"
    assert levels[1][7] == "15 分钟" and levels[2][6] == "监管机构（经批准）"
    pdf = client.get(_url("version_export", v, fmt="pdf")).content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "业务连续性领导小组组长" in text.replace("\n", "")
    built = build_pack(v, language="zh-hans")
    with zipfile.ZipFile(io.BytesIO(built.content)) as z:
        page = z.read("activation.html").decode()
    assert 'data-testid="levels"' in page and "应急领导小组" in page and "启动与决策人" in page


@pytest.mark.parametrize(
    ("lang", "word", "wrong"), [("zh-hans", "紧前步骤", "变更后"), ("en", "After", None)]
)
def test_the_predecessors_column_reads_as_a_plan_step_term(
    plan_setup, client_for, lang, word, wrong
):
    client = client_for("coord_a")
    url = plan_setup["version"].get_absolute_url()
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    steps = html[html.index('data-testid="steps"') :]
    assert f"<th>{word}</th>" in steps
    if wrong:
        assert wrong not in steps
    plans = client.get(reverse("plans:plan_list"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert ("名称" if lang == "zh-hans" else "Name") in plans
