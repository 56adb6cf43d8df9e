"""A small BIA set-up: two activities of DEPT-A, one of DEPT-B, and a unit approver (the head
of DEPT-A signed in as `head_a`)."""

import pytest

from resilia.accounts.models import Role
from resilia.bia import services as bia
from resilia.conftest import make_user
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.org import services as org

H = 60


@pytest.fixture
def bia_setup(personas, org_tree, people):
    with request_context(source="test"):
        pay = deps.activity_create(
            actor=None, code="PAY", name="支付清算", name_en="Payments", unit=org_tree["dept_a"]
        )
        loans = deps.activity_create(
            actor=None, code="LOAN", name="贷款审批", name_en="Loans", unit=org_tree["team_a"]
        )
        branch = deps.activity_create(
            actor=None, code="BR", name="柜面业务", name_en="Counter", unit=org_tree["dept_b"]
        )
        head = org.person_create(actor=None, full_name="赵强", unit=org_tree["dept_a"])
        org.unit_update(actor=None, unit=org_tree["dept_a"], head=head)
        head_a = make_user("head_a", Role.COORDINATOR, unit=org_tree["dept_a"], person=head)
        campaign = bia.campaign_create(
            actor=personas["manager"],
            code="BIA-2026",
            name="2026年度业务影响分析",
            name_en="BIA 2026",
            period_start="2026-01-01",
            period_end="2026-12-31",
            deadline="2026-12-20",
            units=[org_tree["dept_a"]],
        )
    return {
        "pay": pay,
        "loans": loans,
        "branch": branch,
        "campaign": campaign,
        "head_a": head_a,
        "framework": campaign.framework,
    }


def full_ratings(framework, **rows):
    """Every category rated 1 at every time point, except the rows given."""
    n = len(framework.time_points)
    return {c["code"]: list(rows.get(c["code"], [1] * n)) for c in framework.categories}
