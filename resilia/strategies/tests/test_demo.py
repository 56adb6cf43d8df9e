"""The demo bank's strategies: loaded through the services, idempotently, without moving the
dependency model's figures."""

import pytest

from resilia.accounts.models import User
from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.demo.bia import load_bia
from resilia.demo.dependencies import load_dependencies
from resilia.demo.standard import load_standard
from resilia.demo.strategies import load_strategies
from resilia.dependencies.models import Resource
from resilia.strategies import selectors
from resilia.strategies.models import Option, Status

pytestmark = pytest.mark.django_db


def test_the_demo_compares_mobile_banking_options_and_keeps_the_model(settings):
    with request_context(source="cli"):
        load_standard(password="Demo-Password-2026")
        load_dependencies()
        load_bia()
        before = list(Resource.objects.values_list("code", "recovery_time", "recovery_point"))
        counts = load_strategies()
        events = AuditEvent.objects.count()
        assert load_strategies() == counts and AuditEvent.objects.count() == events
    assert counts["strategy_options"] == Option.objects.count() == 8
    assert list(Resource.objects.values_list("code", "recovery_time", "recovery_point")) == before
    mbank = Resource.objects.get(code="MBANK-SYS")
    result = selectors.comparison(User.objects.get(username="bcm"), mbank)
    assert result.objectives.rto == 120  # mobile banking's RTO: 2 h
    assert result.chosen.name == "自动化切换脚本与切换演练优化" == result.recommended.name
    assert Option.objects.get(name="维持现状（主备切换约3小时）").status == Status.REJECTED
    assert Option.objects.get(name="核心数据库主备切换").tested_on is not None
