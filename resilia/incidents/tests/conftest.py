"""Incidents over the worked bank model of the analysis tests (analysis/tests/conftest.py):
SWIFT (supplier, recovers in 2 h) stops PAY (RTO 1 h, MTPD 4 h); the data centres back CORE."""

import datetime as dt

import pytest
from django.utils import timezone

from resilia.analysis.tests.conftest import bank, client_as, fresh_graph_cache  # noqa: F401
from resilia.incidents import services
from resilia.incidents.models import GradingPack
from resilia.plans.tests.conftest import plan_setup  # noqa: F401


def pack(code) -> GradingPack:
    return GradingPack.objects.filter(code=code).order_by("-version").first()


@pytest.fixture
def t0():
    """A fixed detection time; tests pass `now` as t0 + minutes (a controllable clock)."""
    return timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)


def at(t0, minutes):
    return t0 + dt.timedelta(minutes=minutes)


@pytest.fixture
def swift_down(bank, personas, t0):  # noqa: F811  (the imported fixture)
    """SWIFT fails at t0; banking 53号 pack; payments stop in one province."""
    return services.incident_declare(
        actor=personas["manager"],
        title="SWIFT 报文服务中断",
        category="supplier",
        pack=pack("cn-bank-53"),
        detected_at=t0,
        resources=[bank["swift"]],
        facts={"provinces": 1},
        now=at(t0, 5),
    )
