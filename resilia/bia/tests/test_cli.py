"""`resilia analyze bia` (issue 9 item 10): per activity the derived MTPD and its driver, RTO
validity (strictly below the MTPD, standards.md §1.10), tier, priority rank (RTO then RPO
ascending, §2 rule 7) and rule findings, in JSON or a table in the active language."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import override

from resilia.bia import services as bia
from resilia.bia.models import Assessment
from resilia.bia.tests.conftest import H, full_ratings
from resilia.core.context import request_context

LEGAL = [1, 1, 3, 4, 4, 4, 5, 5, 5, 5]


@pytest.fixture
def approved(bia_setup, personas):
    with request_context(source="test"):
        bia.campaign_launch(actor=personas["manager"], campaign=bia_setup["campaign"])
        for code, rto, rpo in (("PAY", 4 * H, 15), ("LOAN", 4 * H, 5)):
            a = Assessment.objects.get(activity__code=code)
            bia.assessment_save(
                actor=personas["coord_a"], assessment=a,
                ratings=full_ratings(a.framework, legal=LEGAL), rto=rto, rpo=rpo,
            )  # fmt: skip
            bia.assessment_submit(actor=personas["coord_a"], assessment=a)
            bia.assessment_review(actor=personas["manager"], assessment=a)
            bia.assessment_approve(actor=bia_setup["head_a"], assessment=a)
    return bia_setup


def _run(*args):
    out = StringIO()
    call_command("analyze", "bia", *args, stdout=out)
    return out.getvalue()


def test_json_ranks_by_rto_then_rpo_and_explains_the_mtpd(approved):
    data = json.loads(_run("--json"))
    rows = {r["code"]: r for r in data["activities"]}
    # Same RTO (4 h): LOAN's RPO of 5 min ranks it before PAY's 15 min.
    assert rows["LOAN"]["rank"] == 1 and rows["PAY"]["rank"] == 2
    assert rows["PAY"]["derived_mtpd"] == 8 * H and rows["PAY"]["drivers"] == ["legal"]
    assert rows["PAY"]["rto_valid"] is True and rows["PAY"]["tier"] == "T1"
    assert rows["BR"]["rank"] is None  # no RTO: not prioritised


def test_a_campaign_and_a_unit_narrow_it(approved, org_tree):
    data = json.loads(_run("--json", "--campaign", "BIA-2026", "--unit", "A-TEAM"))
    assert [r["code"] for r in data["activities"]] == ["LOAN"]


def test_the_table_reads_in_both_languages(approved):
    with override("en"):
        text = _run()
    assert "Derived MTPD" in text and "Legal and regulatory" in text
    with override("zh-hans"):
        text = _run()
    assert "推导的最大可容忍中断时间" in text and "法律与监管影响" in text


def test_an_unknown_code_is_a_clear_error(approved):
    with override("en"), pytest.raises(CommandError) as err:
        _run("--campaign", "NOPE")
    assert "No campaign has the code NOPE" in str(err.value)
