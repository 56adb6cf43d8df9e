"""A plan set-up: activity PAY (RTO 60 min) of DEPT-A, the head of DEPT-A signed in as
`head_a` (the approver), and a network-interruption 应急预案 drafted by coord_a."""

import pytest

from resilia.accounts.models import Role
from resilia.conftest import PASSWORD, make_user
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.org import services as org
from resilia.plans import services

__all__ = ["PASSWORD"]


@pytest.fixture
def plan_setup(personas, org_tree, people):
    with request_context(source="test"):
        pay = deps.activity_create(
            actor=None,
            code="PAY",
            name="支付清算",
            name_en="Payments",
            unit=org_tree["dept_a"],
            mtpd=240,
            rto=60,
        )
        head = org.person_create(actor=None, full_name="赵强", unit=org_tree["dept_a"])
        org.unit_update(actor=None, unit=org_tree["dept_a"], head=head)
        head_a = make_user("head_a", Role.COORDINATOR, unit=org_tree["dept_a"], person=head)
        plan = services.plan_create(
            actor=personas["coord_a"],
            code="EP-NET",
            name="网络中断应急预案",
            name_en="Network interruption plan",
            kind="emergency",
            unit=org_tree["dept_a"],
            blueprint="network",
            activity=pay,
            language="zh-hans",
        )
    return {"pay": pay, "plan": plan, "head_a": head_a, "version": plan.versions.get()}


def sign_off(plan_setup, personas):
    """Draft → in review → reviewed → approved → published, by the three signers."""
    v = plan_setup["version"]
    services.version_submit(actor=personas["coord_a"], version=v, password=PASSWORD)
    services.version_review(actor=personas["manager"], version=v, password=PASSWORD)
    services.version_approve(actor=plan_setup["head_a"], version=v, password=PASSWORD)
    services.version_publish(actor=personas["manager"], version=v)
    v.refresh_from_db()
    return v
