"""The priorities page (order, tier, unmet RTO, findings, constant queries), the rule packs
page and the alternate work area check with worked numbers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from resilia.bia import rules
from resilia.bia import services as bia
from resilia.bia.models import Assessment, RulePack
from resilia.bia.sites import sum_per_site
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.org import services as org

H = 60


def _objectives(activity, **values):
    with request_context(source="test"):
        deps.activity_update(actor=None, activity=activity, **values)


@pytest.fixture
def prioritised(bia_setup, personas):
    """PAY RTO 2 h RPO 15 m; LOAN RTO 2 h RPO 10 m; BR (DEPT-B) RTO 8 h. PAY needs CORE,
    tested at 3 h: its 2 h RTO cannot be met."""
    s = bia_setup
    _objectives(s["pay"], mtpd=8 * H, rto=2 * H, rpo=15)
    _objectives(s["loans"], mtpd=8 * H, rto=2 * H, rpo=10)
    _objectives(s["branch"], mtpd=2 * 24 * H, rto=8 * H, rpo=60)
    with request_context(source="test"):
        core = deps.resource_create(
            actor=None, code="CORE", name="核心系统", kind="application",
            recovery_time=3 * H, unit=s["pay"].unit,
        )  # fmt: skip
        deps.dependency_create(actor=None, dependent=s["pay"], dependency=core)
        rules.rulepack_enable(actor=personas["manager"], code="cn-bank-104")
    return s


def _order(content: bytes, codes):
    return sorted(codes, key=lambda c: content.index(f'data-testid="priority-{c}"'.encode()))


def test_it_orders_by_rto_then_rpo_and_flags_the_unmet_rto(prioritised, client_for):
    """standards.md §2 rule 7 (按照RTO和RPO由小到大): equal RTO, the smaller RPO first."""
    page = client_for("manager").get("/bia/priorities/")
    assert page.status_code == 200
    assert _order(page.content, ["PAY", "LOAN", "BR"]) == ["LOAN", "PAY", "BR"]
    text = page.content.decode()
    row = text[text.index('data-testid="priority-PAY"') :].split("</tr>")[0]
    assert 'data-testid="late"' in row and "CORE" in row
    assert "［S］" in row or "[S]" in row  # the rule finding with its confidence tag


def test_the_export_lists_every_prioritised_activity_in_order_and_is_audited(
    prioritised, client_for
):
    import io

    from openpyxl import load_workbook

    from resilia.audit.models import AuditEvent

    r = client_for("coord_a").get("/bia/priorities/?export=xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    codes = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["LOAN", "PAY"]  # DEPT-B's BR is outside coord_a's subtree
    assert AuditEvent.objects.filter(action="export", object_type="bia.priorities").count() == 1


def test_a_coordinator_sees_only_the_priorities_of_their_subtree(prioritised, client_for):
    page = client_for("coord_a").get("/bia/priorities/")
    assert b"priority-PAY" in page.content and b"priority-BR" not in page.content


def test_the_priorities_page_runs_a_constant_number_of_queries(prioritised, client_for):
    c = client_for("manager")
    c.get("/bia/priorities/")  # compiles the model once

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/bia/priorities/").status_code == 200
        return len(ctx)

    before = count()
    with request_context(source="test"):
        for i in range(15):
            deps.activity_create(
                actor=None, code=f"X{i}", name=f"活动{i}", unit=prioritised["pay"].unit,
                mtpd=8 * H, rto=4 * H,
            )  # fmt: skip
    count()  # a new model revision compiles once
    assert count() <= before


def test_the_bcm_office_edits_a_rule_on_the_page_as_a_new_version(prioritised, client_for):
    c = client_for("manager")
    pack = RulePack.objects.get()
    edited = [dict(r) for r in pack.rules]
    edited[0]["params"] = {"max_minutes": 60, "scope": "important"}
    import json

    r = c.post("/bia/rules/", {"code": pack.code, "rules": json.dumps(edited), "note": "x"})
    assert r.status_code == 302
    assert list(RulePack.objects.values_list("version", flat=True).order_by("version")) == [1, 2]
    bad = c.post("/bia/rules/", {"code": pack.code, "rules": "[{"})
    assert bad.status_code == 200 and "JSON" in bad.content.decode()
    assert RulePack.objects.count() == 2


def test_a_coordinator_may_read_but_not_change_the_rule_packs(prioritised, client_for):
    c = client_for("coord_a")
    assert c.get("/bia/rules/").status_code == 200
    r = c.post("/bia/rules/", {"code": "cn-bank-104", "enabled": "0"})
    assert r.status_code == 403 and RulePack.objects.get().enabled


def test_seats_are_summed_per_site_against_capacity():
    """Worked numbers: two activities at one site of 30 seats, needs at day 1, 3, 7 of
    10+15, 20+15, 20+25 seats → 25, 35, 45: short 0, 5, 15. A third gives staff only (8)."""
    loan = [
        {"kind": "seats", "quantities": [15, 15, 25]},
        {"kind": "staff", "quantities": [30, 30, 30]},
    ]
    rows = [
        (1, "PAY", [{"kind": "seats", "quantities": [10, 20, 20]}]),
        (1, "LOAN", loan),
        (2, "BR", [{"kind": "staff", "quantities": [8, 8, None]}]),
    ]
    loads = sum_per_site(rows, {1: 30, 2: 10}, 3)
    assert loads[1].seats == [25, 35, 45] and loads[1].shortfalls == [0, 5, 15]
    assert loads[2].seats == [8, 8, 0] and not loads[2].short


def test_the_site_page_lists_the_shortfall_per_day(bia_setup, personas, client_for):
    with request_context(source="test"):
        site = org.site_create(
            actor=None, code="ALT1", name="备用办公场所", kind="alternate", seat_capacity=20
        )
        bia.campaign_launch(actor=personas["manager"], campaign=bia_setup["campaign"])
    Assessment.objects.filter(activity__in=[bia_setup["pay"], bia_setup["loans"]]).update(
        status="approved", approved_at=timezone.now(), alternate_site=site,
        resources=[{"kind": "seats", "description": "", "quantities": [12, 12, 12, 12, 12]}],
    )  # fmt: skip
    page = client_for("manager").get("/bia/sites/")
    text = page.content.decode()
    assert 'data-testid="short"' in text and 'data-testid="short-1">4<' in text
    assert 'id="site-data"' in text and "<script>" not in text
    # A campaign chosen: its assessments count as answered, approved or not.
    campaign = bia_setup["campaign"]
    assert b"ALT1" in client_for("manager").get(f"/bia/sites/?campaign={campaign.pk}").content
    # DEPT-B's coordinator reads none of those assessments: nothing is summed for them.
    assert b"ALT1" not in client_for("coord_b").get("/bia/sites/").content
