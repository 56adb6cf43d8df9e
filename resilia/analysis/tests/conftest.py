"""A worked bank model (DOMAIN.md §3-4, the seeds' examples), on top of org_tree and people.

- Two data centres form an active/standby OR redundancy group "dc" for the core banking
  system CORE: the main one DC1 (site DC-MAIN, tested recovery 5 h) and the cold DR one DC2
  (site DC-DR, tested recovery 10 h).
- PAY (payment clearing, DEPT-A: RTO 1 h, RPO 15 min, MTPD 4 h) needs CORE and the SWIFT
  supplier; REPORT (regulatory reporting, DEPT-A: RTO 24 h, MTPD 48 h) needs CORE but has a
  4 h manual workaround (人工操作方案: link tolerance 240 min).
- LOAN (DEPT-B: RTO 4 h, RPO 1 h, MTPD 8 h) needs CORE and its key person KP-B (no backup).
Names of DEPT-B nodes carry the marker "乙部门专属" so that leak tests can look for it.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from resilia.core.context import request_context
from resilia.dependencies import services as dep
from resilia.org import services as org

B_MARK = "乙部门专属"


@pytest.fixture(autouse=True)
def fresh_graph_cache():
    """Tests roll back, so model revisions repeat from one test to the next while row ids
    (PostgreSQL sequences) do not: forget the compiled model (and its results) of earlier
    tests."""
    from resilia.dependencies import selectors

    selectors.forget_compiled()


@pytest.fixture
def bank(org_tree, people, personas):
    a, b = org_tree["dept_a"], org_tree["dept_b"]
    with request_context(source="test"):
        main = org.site_create(actor=None, code="DC-MAIN", name="主数据中心", kind="data_centre")
        dr = org.site_create(actor=None, code="DC-DR", name="同城灾备中心", kind="dr_site")
        r = {}
        r["dc1"] = dep.resource_create(
            actor=None,
            code="DC1",
            name="主机房",
            name_en="Main data hall",
            kind="facility",
            site=main,
            recovery_time=300,
            redundancy="active_standby",
        )
        r["dc2"] = dep.resource_create(
            actor=None,
            code="DC2",
            name="灾备机房",
            name_en="DR data hall",
            kind="facility",
            site=dr,
            recovery_time=600,
            redundancy="cold",
        )
        r["core"] = dep.resource_create(
            actor=None,
            code="CORE",
            name="核心银行系统",
            name_en="Core banking",
            kind="application",
            unit=a,
            recovery_time=30,
            recovery_point=5,
        )
        r["swift"] = dep.resource_create(
            actor=None,
            code="SWIFT",
            name="SWIFT报文服务",
            name_en="SWIFT messaging",
            kind="supplier",
            unit=a,
            recovery_time=120,
            recovery_point=0,
        )
        r["kp_b"] = dep.resource_create(
            actor=None,
            code="KP-B",
            name=f"信贷审批负责人{B_MARK}",
            kind="key_person",
            unit=b,
        )
        r["pay"] = dep.activity_create(
            actor=None,
            code="PAY",
            name="支付清算",
            name_en="Payment clearing",
            unit=a,
            rto=60,
            rpo=15,
            mtpd=240,
        )
        r["report"] = dep.activity_create(
            actor=None,
            code="REPORT",
            name="监管报送",
            name_en="Regulatory reporting",
            unit=a,
            rto=1440,
            rpo=1440,
            mtpd=2880,
        )
        r["loan"] = dep.activity_create(
            actor=None,
            code="LOAN",
            name=f"贷款审批{B_MARK}",
            name_en=f"Loans {B_MARK}",
            unit=b,
            rto=240,
            rpo=60,
            mtpd=480,
        )
        for dependent, dependency, extra in (
            ("core", "dc1", {"group": "dc"}),
            ("core", "dc2", {"group": "dc"}),
            ("pay", "core", {}),
            ("pay", "swift", {}),
            ("report", "core", {"tolerance": 240, "note": "人工操作方案"}),
            ("loan", "core", {}),
            ("loan", "kp_b", {}),
        ):
            dep.dependency_create(
                actor=None, dependent=r[dependent], dependency=r[dependency], **extra
            )
        r["team_a"] = org.team_create(
            actor=None,
            code="ERT-A",
            name="支付应急小组",
            name_en="Payments response team",
            kind="emergency",
            unit=a,
        )
        r["team_b"] = org.team_create(
            actor=None,
            code="ERT-B",
            name=f"信贷应急小组{B_MARK}",
            kind="emergency",
            unit=b,
        )
    r["site_main"], r["site_dr"] = main, dr
    return r


@pytest.fixture
def client_as(client_for):
    """client_as("coord_a", "zh-hans") → a signed-in client reading that language (English by
    default, so that assertions can quote the msgids)."""

    def make(name: str, language: str = "en"):
        client = client_for(name)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return make
