"""The strategies section of an activity's and a resource's page: the options recorded for it
(the chosen one first and marked), their recovery time and point against its objectives, the
links to compare them, to the register filtered on it and to propose one (for those who may),
as the reader may see them, in a fixed number of queries, in both languages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.strategies import services
from resilia.strategies.selectors import PANEL_SHOWN
from resilia.strategies.tests.conftest import H, make_option


def _panel(html: str) -> str:
    """The strategies section of a page, up to the links section that follows it."""
    start = html.index('data-testid="strategies-panel"')
    end = html.find('id="links"', start)
    return html[start : end if end > 0 else len(html)]


def _choose(option, head):
    with request_context(source="test"):
        services.option_choose(actor=head, option=option, reason="满足恢复时间目标")


def test_the_activity_page_lists_its_options_with_the_chosen_one_first(setup, client_for):
    pay = setup["pay"]
    slow = make_option(pay, name="人工应急处理", kind="manual_workaround", recovery_time=6 * H,
                       recovery_point=60)  # fmt: skip
    fast = make_option(pay, name="同城双活", recovery_time=30, recovery_point=0)
    make_option(setup["branch"], name="别的业务的方案")
    _choose(fast, setup["head_a"])
    html = client_for("coord_a").get(pay.get_absolute_url()).content.decode()
    panel = _panel(html)
    assert panel.index("同城双活") < panel.index("人工应急处理")  # the chosen one first
    assert "别的业务的方案" not in panel
    chosen = re.search(rf'<tr data-option="{fast.pk}"[^>]*>', panel).group(0)
    assert 'data-chosen="1"' in chosen and 'data-testid="strategies-chosen"' in panel
    # 6 h against the RTO of 4 h, 1 h against the RPO of 30 min: both missed; 30 min/0 met.
    row = panel[panel.index(f'data-option="{slow.pk}"') :]
    row = row[: row.index("</tr>")]
    assert row.count('data-meets="0"') == 2 and "未满足目标" in row
    fast_row = panel[panel.index(f'data-option="{fast.pk}"') :]
    assert fast_row[: fast_row.index("</tr>")].count('data-meets="1"') == 2
    assert "恢复时间目标（RTO）: 4 小时" in panel
    assert f'href="/strategies/?activity={pay.pk}"' in panel
    assert f'href="/strategies/activity/{pay.pk}/"' in panel
    assert f'href="/strategies/new/?activity={pay.pk}"' in panel


def test_the_links_lead_to_the_filtered_register_and_the_prefilled_form(setup, client_for):
    pay = setup["pay"]
    make_option(pay, name="同城双活")
    make_option(setup["db"], name="数据库热备")
    client = client_for("coord_a")
    register = client.get(f"/strategies/?activity={pay.pk}").content.decode()
    assert "同城双活" in register and "数据库热备" not in register
    form = client.get(f"/strategies/new/?activity={pay.pk}").content.decode()
    assert "PAY · 支付清算" in form


@pytest.mark.parametrize("persona", ["auditor", "contrib_a"])
def test_readers_see_the_options_but_may_not_propose(setup, client_for, persona):
    make_option(setup["pay"], name="同城双活")
    response = client_for(persona).get(setup["pay"].get_absolute_url())
    panel = _panel(response.content.decode())
    assert "同城双活" in panel and "strategies-propose" not in panel
    assert "strategies-register" in panel


def test_a_shared_resource_shows_its_options_to_every_reader_but_only_the_office_proposes(
    setup, client_for
):
    with request_context(source="test"):
        net = deps.resource_create(actor=None, code="NET", name="骨干网络", kind="infrastructure")
    make_option(net, name="双运营商线路", recovery_time=10, recovery_point=0)
    other_unit = _panel(client_for("coord_b").get(net.get_absolute_url()).content.decode())
    assert "双运营商线路" in other_unit and "strategies-propose" not in other_unit
    assert "须在此时间内恢复: 未设置" in other_unit
    office = _panel(client_for("manager").get(net.get_absolute_url()).content.decode())
    assert f'href="/strategies/new/?resource={net.pk}"' in office


def test_the_resource_page_judges_against_what_its_activities_need(setup, client_for):
    db = setup["db"]
    # PAY needs DB with a 1 h tolerance: back within 5 h, data loss at most 30 min.
    warm = make_option(db, name="数据库温备", recovery_time=4 * H, recovery_point=45)
    panel = _panel(client_for("coord_a").get(db.get_absolute_url()).content.decode())
    row = panel[panel.index(f'data-option="{warm.pk}"') :]
    row = row[: row.index("</tr>")]
    assert row.count('data-meets="1"') == 1 and row.count('data-meets="0"') == 1
    assert "5 小时" in panel and "30 分钟" in panel


def test_a_subject_without_options_says_so_and_offers_to_propose(setup, client_for):
    panel = _panel(client_for("coord_a").get(setup["pay"].get_absolute_url()).content.decode())
    assert 'data-testid="strategies-empty"' in panel and "strategies-propose" in panel
    assert "strategies-compare" not in panel


def test_in_english_too(setup, client_for):
    make_option(setup["pay"], name="同城双活", name_en="Active-active", recovery_time=30)
    client = client_for("coord_a")
    html = client.get(setup["pay"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    panel = _panel(html)
    assert "Continuity strategies" in panel and "Propose an option" in panel
    assert "All options for this subject" in panel and "Active-active" in panel


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("subject", ["pay", "db"])
def test_the_page_takes_the_same_queries_for_one_option_or_many(
    setup, client_for, django_assert_max_num_queries, subject
):
    node = setup[subject]
    client = client_for("coord_a")
    make_option(node, name="方案 0")
    client.get(node.get_absolute_url())  # warm the compiled model's cache
    one = _count(client, node.get_absolute_url())
    for i in range(1, PANEL_SHOWN + 4):
        option = make_option(node, name=f"方案 {i}", recovery_time=i * H)
        if i == 3:
            _choose(option, setup["head_a"])
    client.get(node.get_absolute_url())
    assert _count(client, node.get_absolute_url()) == one
    with django_assert_max_num_queries(one):
        html = client.get(node.get_absolute_url()).content.decode()
    panel = _panel(html)
    assert panel.count("<tr data-option=") == PANEL_SHOWN
    assert "另有 4 个方案未显示" in panel
