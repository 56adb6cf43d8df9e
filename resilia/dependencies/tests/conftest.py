"""A small bank model shared by the page tests (DOMAIN.md §4: active/standby data centres)."""

import pytest

from resilia.core.context import request_context
from resilia.dependencies import services as deps


@pytest.fixture
def bank(personas, org_tree, people):
    """Payments (DEPT-A) need the core system, which runs in either data centre (OR group dc);
    a shared network (no unit) and a DEPT-B activity and resource complete the picture."""
    actor = personas["manager"]
    a, b = org_tree["dept_a"], org_tree["dept_b"]
    with request_context(source="test"):
        dc1 = deps.resource_create(
            actor=actor,
            code="DC1",
            name="主数据中心",
            name_en="Primary DC",
            kind="facility",
            unit=a,
            recovery_time=240,
        )
        dc2 = deps.resource_create(
            actor=actor,
            code="DC2",
            name="同城灾备中心",
            name_en="DR centre",
            kind="facility",
            unit=a,
            recovery_time=480,
        )
        core = deps.resource_create(
            actor=actor,
            code="CORE",
            name="核心业务系统",
            name_en="Core banking",
            kind="application",
            unit=a,
            recovery_time=60,
            owner=people["bob"],
        )
        net = deps.resource_create(
            actor=actor,
            code="NET",
            name="骨干网络",
            name_en="Backbone",
            kind="infrastructure",
        )
        pay = deps.activity_create(
            actor=actor,
            code="PAY",
            name="支付清算",
            name_en="Payment clearing",
            unit=a,
            mtpd=480,
            rto=120,
            rpo=0,
        )
        ops = deps.activity_create(
            actor=actor,
            code="YIB-OPS",
            name="乙部门专属运营",
            name_en="DeptBOnly ops",
            unit=b,
            rto=60,
            mtpd=240,
        )
        b_res = deps.resource_create(
            actor=actor,
            code="YIB-SYS",
            name="乙部门专属系统",
            kind="application",
            unit=b,
        )
        deps.dependency_create(actor=actor, dependent=core, dependency=dc1, group="dc")
        deps.dependency_create(actor=actor, dependent=core, dependency=dc2, group="dc")
        deps.dependency_create(actor=actor, dependent=pay, dependency=core)
        deps.dependency_create(actor=actor, dependent=ops, dependency=b_res)
    return {
        "actor": actor,
        "dc1": dc1,
        "dc2": dc2,
        "core": core,
        "net": net,
        "pay": pay,
        "ops": ops,
        "b_res": b_res,
    }
