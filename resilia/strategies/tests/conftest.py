"""A small strategies set-up: the payment activity PAY of DEPT-A (RTO 4 h, RPO 30 min, MTPD
8 h, the 104号 limits for an important business), the core database DB it needs with a 1 h
tolerance, the counter activity BR of DEPT-B, and the head of DEPT-A signed in as `head_a`."""

import pytest

from resilia.accounts.models import Role
from resilia.conftest import make_user
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.org import services as org
from resilia.strategies import services

H = 60


@pytest.fixture
def setup(personas, org_tree, people):
    with request_context(source="test"):
        pay = deps.activity_create(
            actor=None,
            code="PAY",
            name="支付清算",
            name_en="Payment clearing",
            unit=org_tree["dept_a"],
            mtpd=8 * H,
            rto=4 * H,
            rpo=30,
        )
        db = deps.resource_create(
            actor=None,
            code="DB",
            name="核心数据库",
            name_en="Core database",
            kind="application",
            unit=org_tree["dept_a"],
            recovery_time=8 * H,
            recovery_point=60,
        )
        deps.dependency_create(actor=None, dependent=pay, dependency=db, tolerance=H)
        branch = deps.activity_create(
            actor=None, code="BR", name="柜面业务", name_en="Counter", unit=org_tree["dept_b"]
        )
        head = org.person_create(actor=None, full_name="赵强", unit=org_tree["dept_a"])
        org.unit_update(actor=None, unit=org_tree["dept_a"], head=head)
        head_a = make_user("head_a", Role.COORDINATOR, unit=org_tree["dept_a"], person=head)
    return {"pay": pay, "db": db, "branch": branch, "head_a": head_a}


def make_option(subject, **fields):
    """An option proposed by the system for an activity or a resource."""
    key = "resource" if subject._meta.model_name == "resource" else "activity"
    values = {"name": "同城双活", "kind": "redundancy", "recovery_time": 30, "recovery_point": 0}
    values.update(fields)
    with request_context(source="test"):
        return services.option_create(actor=None, **{key: subject}, **values)
