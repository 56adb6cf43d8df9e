"""A small risk set-up: the default catalogue and matrix, and two risks (DEPT-A, DEPT-B)."""

import pytest

from resilia.core.context import request_context
from resilia.risk import services
from resilia.risk.models import Threat


@pytest.fixture
def risk_setup(personas, org_tree, people):
    with request_context(source="test"):
        services.threat_catalogue_load(actor=personas["manager"])
        fire = Threat.objects.get(code="NAT-FIRE")
        power = Threat.objects.get(code="TEC-POWER")
        # 4 × 3 = 12 → 较大 (standards.md §6, convention A)
        dc = services.risk_create(
            actor=personas["manager"],
            code="R-001",
            title="数据中心火灾",
            title_en="Data centre fire",
            threat=fire,
            unit=org_tree["dept_a"],
            owner=people["bob"],
            inherent_likelihood=4,
            inherent_impact=3,
            reviewed_on="2026-01-10",
        )
        # 1 × 3 = 3 → 低
        branch = services.risk_create(
            actor=personas["manager"],
            code="R-002",
            title="营业网点停电",
            title_en="Branch power cut",
            threat=power,
            unit=org_tree["dept_b"],
            inherent_likelihood=1,
            inherent_impact=3,
        )
    return {"fire": fire, "power": power, "dc": dc, "branch": branch}


def bands_b():
    """standards.md §6 convention B: 1-3 轻微, 4-8 一般, 9-16 较大, 20-25 重大."""
    return [
        {"code": "low", "name": "轻微", "name_en": "Minor", "colour": "blue", "min": 1, "max": 3,
         "review_days": 360},
        {"code": "general", "name": "一般", "name_en": "Moderate", "colour": "yellow", "min": 4,
         "max": 8, "review_days": 180},
        {"code": "major", "name": "较大", "name_en": "High", "colour": "orange", "min": 9,
         "max": 16, "review_days": 90},
        {"code": "critical", "name": "重大", "name_en": "Critical", "colour": "red", "min": 20,
         "max": 25, "review_days": 60},
    ]  # fmt: skip


def rows(prefix: str, entries: list[dict], keys: tuple, total: int) -> dict:
    """The POST data of one row table: `entries` then blank rows up to `total`."""
    data = {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(len(entries)),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": str(total)}  # fmt: skip
    for i, entry in enumerate(entries):
        for key in keys:
            value = entry.get(key)
            data[f"{prefix}-{i}-{key}"] = "" if value is None else str(value)
    return data


def form_data(m, *, likelihood=None, impact=None, bands=None, appetite=2, method="product",
              cells=None, note="") -> dict:  # fmt: skip
    likelihood = m.likelihood if likelihood is None else likelihood
    impact = m.impact if impact is None else impact
    bands = m.bands if bands is None else bands
    data = {"method": method, "appetite": str(appetite), "note": note}
    data |= rows("likelihood", likelihood, ("name", "name_en", "anchor", "anchor_en"), 6)
    data |= rows("impact", impact, ("name", "name_en", "description", "description_en",
                                    "bia_level"), 6)  # fmt: skip
    data |= rows("bands", bands, ("code", "name", "name_en", "colour", "min", "max",
                                  "review_days"), 8)  # fmt: skip
    for (lk, im), value in (cells or {}).items():
        data[f"cell-{lk}-{im}"] = str(value)
    return data
