"""The resources and activities registers: lists, filters, exports, forms, deletion, scope."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from resilia.audit.models import AuditEvent
from resilia.core.durations import DurationError, human_minutes, parse_minutes
from resilia.dependencies import services as deps
from resilia.dependencies.models import Activity, Dependency, Resource

pytestmark = pytest.mark.django_db

RESOURCES = reverse("dependencies:resource_list")
ACTIVITIES = reverse("dependencies:activity_list")


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("240", 240),
        ("4h", 240),
        ("4 H", 240),
        ("30m", 30),
        ("2d", 2880),
        ("2h30m", 150),
        ("2 h 30 min", 150),
        ("4小时", 240),
        ("2 小时 30 分钟", 150),
        ("1.5h", 90),
        ("1天", 1440),
        ("", None),
        ("0", 0),
    ],
)
def test_it_parses_durations_as_people_write_them(text, minutes):
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize(
    "text", ["-5", "-4h", "abc", "4x", "h4", "0.5m", "11y", "5300000", "5000d"]
)
def test_it_refuses_negative_absurd_and_garbled_durations(text):
    with pytest.raises(DurationError):
        parse_minutes(text)


def test_it_shows_minutes_human_friendly_in_both_languages(settings):
    from django.utils import translation

    with translation.override("en"):
        assert human_minutes(240) == "4 h"
        assert human_minutes(150) == "2 h 30 min"
        assert human_minutes(None) == "—"
    with translation.override("zh-hans"):
        assert human_minutes(240) == "4 小时"
        assert human_minutes(150) == "2 小时 30 分钟"
        assert human_minutes(1500) == "1 天 1 小时"


def test_it_lists_only_the_resources_in_scope_and_shared(bank, client_for):
    response = client_for("coord_a").get(RESOURCES)
    text = response.content.decode()
    assert response.status_code == 200
    for code in ("DC1", "DC2", "CORE", "NET"):
        assert code in text
    assert "YIB-SYS" not in text and "乙部门专属" not in text


def test_it_filters_resources_by_kind_unit_capability_and_test_age(bank, client_for, org_tree):
    actor = bank["actor"]
    old = timezone.localdate() - dt.timedelta(days=400)
    deps.resource_update(actor=actor, resource=bank["dc1"], capability_tested_on=old)
    deps.resource_update(
        actor=actor, resource=bank["dc2"], capability_tested_on=timezone.localdate()
    )
    client = client_for("manager")

    def codes(**params):
        response = client.get(RESOURCES, params)
        assert response.status_code == 200
        return {row.obj.code for row in response.context["rows"]}

    assert codes(kind="facility") == {"DC1", "DC2"}
    assert codes(unit=org_tree["dept_b"].pk) == {"YIB-SYS"}
    assert codes(untested="true") == {"CORE", "NET", "YIB-SYS"}
    assert codes(untested="false") == {"DC1", "DC2"}
    assert codes(stale="true") == {"DC1"}
    assert codes(q="灾备") == {"DC2"}
    ordered = client.get(RESOURCES, {"sort": "-recovery_time", "kind": "facility"})
    assert [r.obj.code for r in ordered.context["rows"]] == ["DC2", "DC1"]


def test_it_filters_activities_by_priority_and_missing_rto(bank, client_for):
    deps.activity_create(
        actor=bank["actor"], code="HR", name="人事", unit=bank["pay"].unit, mtpd=None
    )
    client = client_for("manager")

    def codes(**params):
        return {row.obj.code for row in client.get(ACTIVITIES, params).context["rows"]}

    assert codes(prioritised="true") == {"PAY", "YIB-OPS"}
    assert codes(no_rto="true") == {"HR"}


def test_it_exports_the_filtered_resources_and_audits_it(bank, client_for):
    response = client_for("coord_a").get(RESOURCES, {"export": "xlsx", "kind": "facility"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    # Recovery time as a number of hours a spreadsheet can sort and sum, the unit in the header.
    header = rows[0]
    assert rows[1][0] == "DC1"
    assert rows[1][header.index("恢复时间（小时）")] == 4  # 240 minutes
    event = AuditEvent.objects.get(action="export", object_type="dependencies.resource")
    assert event.changes["rows"] == 2 and event.changes["filters"] == {"kind": "facility"}


def test_it_exports_activities_as_csv_without_other_departments(bank, client_for):
    response = client_for("coord_a").get(ACTIVITIES, {"export": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "PAY" in text and "YIB-OPS" not in text
    assert AuditEvent.objects.filter(action="export", object_type="dependencies.activity").exists()


def test_it_exports_objectives_as_hours_in_the_readers_language(bank, client_for):
    """Durations are kept in minutes and shown as "2 h" on the page; an export gives numbers
    of hours under a header naming the unit, in the reader's language (issue 7: exports wrote
    durations as text, which a spreadsheet cannot sort or sum)."""
    client = client_for("coord_a")
    rows = list(
        load_workbook(
            io.BytesIO(client.get(ACTIVITIES, {"export": "xlsx"}).content)
        ).active.iter_rows(values_only=True)
    )
    header = rows[0]
    pay = next(row for row in rows if row[0] == "PAY")
    assert pay[header.index("恢复时间目标（RTO）（小时）")] == 2  # 120 minutes
    assert pay[header.index("最大可容忍中断时间（MTPD）（小时）")] == 8
    assert pay[header.index("恢复点目标（RPO）（小时）")] == 0
    page = client.get(ACTIVITIES).content.decode()
    assert "2 小时" in page and "（小时）" not in page


def test_it_lists_without_n_plus_one(bank, client_for, django_assert_max_num_queries):
    for i in range(30):
        deps.resource_create(
            actor=bank["actor"],
            code=f"R{i}",
            name=f"资源{i}",
            kind="data",
            unit=bank["pay"].unit,
            owner=bank["core"].owner,
        )
        deps.activity_create(
            actor=bank["actor"], code=f"A{i}", name=f"活动{i}", unit=bank["pay"].unit
        )
    client = client_for("coord_a")
    client.get(RESOURCES)
    with django_assert_max_num_queries(14):
        assert client.get(RESOURCES, {"per_page": 100}).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(ACTIVITIES, {"per_page": 100}).status_code == 200
    # A constant number: one query per guarded column (site, owner) checks the reader may see
    # the names it prints, whatever the number of rows.
    with django_assert_max_num_queries(12):
        assert client.get(RESOURCES, {"export": "csv"}).status_code == 200


def test_it_shows_a_resource_with_its_capability_and_links(bank, client_for):
    deps.resource_update(
        actor=bank["actor"],
        resource=bank["core"],
        recovery_time=150,
        capability_tested_on=dt.date(2025, 3, 1),
        capability_evidence="https://drill/2025-03",
        alternates=[bank["dc2"]],
    )
    response = client_for("coord_a").get(bank["core"].get_absolute_url())
    text = response.content.decode()
    assert response.status_code == 200
    assert "2 小时 30 分钟" in text or "2 h 30 min" in text
    assert "2025-03-01" in text and 'href="https://drill/2025-03"' in text
    assert "主数据中心" in text and "支付清算" in text
    assert "Primary DC" in text or "主数据中心" in text


def test_it_creates_a_resource_with_units_typed_durations_and_audits_it(bank, client_for, org_tree):
    client = client_for("coord_a")
    response = client.post(
        reverse("dependencies:resource_create"),
        {
            "code": "MQ",
            "name": "消息队列",
            "kind": "infrastructure",
            "unit": org_tree["team_a"].pk,
            "criticality": "high",
            "redundancy": "active_standby",
            "recovery_time": "2h30m",
            "recovery_point": "15分钟",
            "alternates": [bank["dc1"].pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    resource = Resource.objects.get(code="MQ")
    assert (resource.recovery_time, resource.recovery_point) == (150, 15)
    assert list(resource.alternates.all()) == [bank["dc1"]]
    assert AuditEvent.objects.filter(
        action="create", object_type="dependencies.resource", object_id=str(resource.pk)
    ).exists()


def test_it_refuses_an_absurd_capability_with_a_translated_message(bank, client_for, org_tree):
    client = client_for("coord_a")
    response = client.post(
        reverse("dependencies:resource_create"),
        {
            "code": "MQ",
            "name": "消息队列",
            "kind": "data",
            "unit": org_tree["dept_a"].pk,
            "criticality": "high",
            "redundancy": "none",
            "recovery_time": "20000d",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "10 年" in response.context["form"].errors["recovery_time"][0]
    assert not Resource.objects.filter(code="MQ").exists()


def test_it_refuses_an_rto_longer_than_the_mtpd(bank, client_for):
    client = client_for("coord_a")
    response = client.post(
        reverse("dependencies:activity_edit", args=[bank["pay"].pk]),
        {"code": "PAY", "name": "支付清算", "unit": bank["pay"].unit.pk, "mtpd": "4h", "rto": "5h"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["rto"] == [
        "恢复时间目标（RTO）必须短于最大可容忍中断时间（MTPD）。"
    ]
    bank["pay"].refresh_from_db()
    assert (bank["pay"].mtpd, bank["pay"].rto) == (480, 120)


def test_it_edits_an_activity_and_audits_the_change(bank, client_for):
    client = client_for("coord_a")
    response = client.post(
        reverse("dependencies:activity_edit", args=[bank["pay"].pk]),
        {
            "code": "PAY",
            "name": "支付清算",
            "unit": bank["pay"].unit.pk,
            "mtpd": "1d",
            "rto": "4小时",
            "rpo": "0",
            "products": "跨行支付",
        },
    )
    assert response.status_code == 302
    bank["pay"].refresh_from_db()
    assert (bank["pay"].mtpd, bank["pay"].rto, bank["pay"].products) == (1440, 240, "跨行支付")
    event = AuditEvent.objects.filter(action="update", object_id=str(bank["pay"].pk)).latest("seq")
    assert "rto" in event.changes


def test_it_keeps_coordinators_out_of_other_departments(bank, client_for, org_tree):
    client = client_for("coord_a")
    assert client.get(bank["ops"].get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("dependencies:activity_edit", args=[bank["ops"].pk])).status_code == 404
    )
    response = client.post(
        reverse("dependencies:activity_create"),
        {"code": "X", "name": "越权", "unit": org_tree["dept_b"].pk},
    )
    assert response.status_code == 200 and not Activity.objects.filter(code="X").exists()
    # The shared network is readable but not writable by a coordinator.
    assert client.get(bank["net"].get_absolute_url()).status_code == 200
    assert (
        client.get(reverse("dependencies:resource_edit", args=[bank["net"].pk])).status_code == 403
    )


def test_it_lists_the_links_that_go_with_a_deleted_resource(bank, client_for):
    client = client_for("coord_a")
    url = reverse("dependencies:resource_delete", args=[bank["core"].pk])
    page = client.get(url).content.decode()
    assert "主数据中心" in page and "支付清算" in page and "3" in page
    link_ids = list(
        Dependency.objects.filter(dependent_resource=bank["core"]).values_list("pk", flat=True)
    ) + list(
        Dependency.objects.filter(dependency_resource=bank["core"]).values_list("pk", flat=True)
    )
    assert client.post(url).status_code == 302
    assert not Resource.objects.filter(pk=bank["core"].pk).exists()
    assert not Dependency.objects.filter(pk__in=link_ids).exists()
    deleted = AuditEvent.objects.filter(action="delete", object_type="dependencies.dependency")
    assert deleted.count() == 3
    assert AuditEvent.objects.filter(
        action="delete", object_type="dependencies.resource", object_id=str(bank["core"].pk)
    ).exists()


def test_it_finds_activities_and_resources_in_the_global_search(bank, client_for):
    response = client_for("coord_a").get(reverse("core:search"), {"q": "支付"})
    assert "支付清算" in response.content.decode()
    response = client_for("coord_a").get(reverse("core:search"), {"q": "乙部门"})
    assert "乙部门专属" not in response.content.decode()


def test_it_shows_the_navigation_to_readers_only(bank, client_for):
    page = client_for("coord_a").get(reverse("site:home")).content.decode()
    for url in (
        ACTIVITIES,
        RESOURCES,
        reverse("dependencies:graph"),
        reverse("dependencies:checks"),
    ):
        assert f'href="{url}"' in page
    page = client_for("executive").get(reverse("site:home")).content.decode()
    assert f'href="{RESOURCES}"' not in page


def test_it_names_the_empty_filter_choice_all(bank, client_for):
    """A filter left empty means every value: the select says so in the user's language."""
    body = client_for("manager").get(RESOURCES, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "---------" not in body
    assert '<option value="" selected>全部</option>' in body


def test_the_model_checks_list_a_few_rows_each_and_open_the_rest_in_the_register(
    bank, client_for, django_assert_max_num_queries
):
    """A summary, whatever the model's size: 30 resources without a recovery capability show
    their first 20 with the count and a link to the filtered register, which lists all 30;
    the queries do not grow with the rows."""
    from resilia.dependencies.models import Resource
    from resilia.dependencies.views_checks import SHOWN

    before = Resource.objects.filter(recovery_time__isnull=True).count()
    Resource.objects.bulk_create(
        [Resource(code=f"UNT-{i:02}", name=f"未演练{i}", kind="application") for i in range(30)]
    )
    client = client_for("manager")
    with django_assert_max_num_queries(20):
        page = client.get(reverse("dependencies:checks"))
    assert SHOWN == 20
    assert page.context["no_capability_count"] == before + 30
    assert len(page.context["no_capability"]) == SHOWN
    body = page.content.decode()
    assert f'href="{RESOURCES}?untested=true"' in body
    register = client.get(RESOURCES, {"untested": "true", "per_page": 100})
    codes = {row.obj.code for row in register.context["rows"]}
    assert {f"UNT-{i:02}" for i in range(30)} <= codes
