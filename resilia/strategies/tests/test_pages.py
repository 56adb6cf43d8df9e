"""The strategies pages end to end: propose from the comparison, choose, test, the register."""

import io

import openpyxl

from resilia.audit.models import AuditEvent
from resilia.dependencies.models import Resource
from resilia.strategies.models import Option, Status
from resilia.strategies.tests.conftest import H, make_option

FORM = {
    "name": "同城灾备切换",
    "name_en": "Same-city DR failover",
    "kind": "alternate_site",
    "recovery_time": "2h",
    "recovery_point": "15m",
    "cost_once": "1200000",
    "cost_yearly": "150000",
    "residual_risk": "low",
    "people_needed": "6",
    "seats_needed": "20",
    "equipment_needed": "灾备机房席位",
    "data_needed": "实时复制的核心账务数据",
}


def test_a_coordinator_proposes_an_option_from_the_comparison_page(setup, client_for):
    client = client_for("coord_a")
    page = client.get(f"/strategies/new/?activity={setup['pay'].pk}")
    assert page.status_code == 200 and "PAY · 支付清算" in page.content.decode()
    response = client.post("/strategies/new/", {**FORM, "activity": setup["pay"].pk})
    option = Option.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/strategies/{option.pk}/"
    assert (option.recovery_time, option.recovery_point, option.seats_needed) == (2 * H, 15, 20)
    assert AuditEvent.objects.filter(action="create", object_id=str(option.pk),
                                     object_type="strategies.option").count() == 1  # fmt: skip
    detail = client.get(response["Location"]).content.decode()
    assert "同城灾备切换" in detail and "灾备机房席位" in detail


def test_bad_input_is_refused_with_a_message_and_nothing_saved(setup, client_for):
    client = client_for("coord_a")
    both = client.post(
        "/strategies/new/", {**FORM, "activity": setup["pay"].pk, "resource": setup["db"].pk}
    )
    assert both.status_code == 200 and "只选其一" in both.content.decode()
    other_unit = client.post("/strategies/new/", {**FORM, "activity": setup["branch"].pk})
    assert other_unit.status_code == 200
    bad_numbers = client.post(
        "/strategies/new/",
        {**FORM, "activity": setup["pay"].pk, "cost_once": "-5", "recovery_time": "soon"},
    )
    assert bad_numbers.status_code == 200
    assert not Option.objects.exists()
    assert not AuditEvent.objects.filter(object_type="strategies.option").exists()


def test_the_head_chooses_and_the_coordinator_records_the_test(setup, client_for, personas):
    option = make_option(setup["db"], name="数据库热备")
    head = client_for("manager")
    head.force_login(setup["head_a"])
    missing = head.post(f"/strategies/{option.pk}/choose/", {"reason": ""})
    assert missing.status_code == 200
    assert head.post(f"/strategies/{option.pk}/choose/", {"reason": "满足要求"}).status_code == 302
    coordinator = client_for("coord_a")
    future = coordinator.post(
        f"/strategies/{option.pk}/test/",
        {"tested_on": "2999-01-01", "tested_recovery_time": "40m"},
    )
    assert (
        future.status_code == 200 and Resource.objects.get(pk=setup["db"].pk).recovery_time == 8 * H
    )
    done = coordinator.post(
        f"/strategies/{option.pk}/test/",
        {"tested_on": "2026-03-01", "tested_recovery_time": "40m", "tested_recovery_point": "5m"},
    )
    assert done.status_code == 302
    option.refresh_from_db()
    assert option.status == Status.CHOSEN and option.decided_by == setup["head_a"]
    assert Resource.objects.get(pk=setup["db"].pk).recovery_time == 40
    # A chosen option is locked: no edit page.
    assert coordinator.get(f"/strategies/{option.pk}/edit/").status_code == 403


def test_the_register_lists_filters_and_exports_in_few_queries(
    setup, client_for, django_assert_max_num_queries
):
    for n in range(12):
        make_option(setup["pay"] if n % 2 else setup["db"], name=f"方案{n}", kind="monitoring")
    make_option(setup["branch"], name="乙部门专属方案")
    client = client_for("coord_a")
    with django_assert_max_num_queries(16):
        page = client.get("/strategies/")
    html = page.content.decode()
    assert page.status_code == 200 and "方案11" in html and "乙部门专属方案" not in html
    filtered = client.get("/strategies/?family=monitoring&status=proposed").content.decode()
    assert "方案3" in filtered
    with django_assert_max_num_queries(16):
        export = client.get("/strategies/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len([r for r in rows if r and str(r[0] or "")[2:].isdigit()]) == 12
    assert AuditEvent.objects.filter(action="export").exists()
    # A malformed filter is not a 500.
    assert client.get("/strategies/?family=nope&unit=abc&page=x").status_code in (200, 400)


def test_the_register_lists_the_options_of_one_subject(setup, client_for):
    mine = make_option(setup["pay"], name="支付方案")
    make_option(setup["db"], name="数据库方案")
    html = client_for("manager").get(f"/strategies/?activity={setup['pay'].pk}").content.decode()
    assert mine.name in html and "数据库方案" not in html
    assert 'type="hidden" name="activity"' in html
