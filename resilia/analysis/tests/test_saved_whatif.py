"""Saved what-ifs on the worked bank model (see conftest): save with a name and a note,
re-run on the current model, compare two side by side, delete — services, audit rows,
access (owner + BCM office, results always through the reader's scope) and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from resilia.analysis import saved as svc
from resilia.analysis.models import SavedWhatIf
from resilia.analysis.tests.conftest import B_MARK
from resilia.audit.models import AuditEvent
from resilia.dependencies import services as dep

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 5, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing
BOTH_DCS = ["site:DC-MAIN", "site:DC-DR"]


def save(personas, who="manager", specs=BOTH_DCS, at=T0, name="两个机房同时失效"):
    return svc.saved_whatif_create(
        actor=personas[who], name=name, note="月末压力测试", specs=specs, at=at
    )


def test_saving_keeps_the_whole_model_result_and_audits_it(personas, bank):
    """Both data centres down (docs/analysis.md worked example): PAY breaches its RTO at 1 h
    and its MTPD at 4 h; the snapshot keeps every affected node, in minutes after T0."""
    saved = save(personas)
    saved.refresh_from_db()
    assert saved.failed == BOTH_DCS
    assert saved.failed_keys == ["resource:DC1", "resource:DC2"]
    assert saved.at == T0 and saved.ran_at == T0
    assert saved.snapshot["activities"]["activity:PAY"] == [0, 300, 60, 240]
    assert set(saved.snapshot["activities"]) == {"activity:PAY", "activity:LOAN", "activity:REPORT"}
    event = AuditEvent.objects.get(action="create", object_type="analysis.savedwhatif")
    assert event.object_id == str(saved.pk)
    assert event.changes["failed"] == BOTH_DCS and event.changes["activities"] == 3
    assert "snapshot" not in event.changes


def test_now_is_kept_as_now(personas, bank):
    saved = save(personas, at=None)
    assert saved.at is None and saved.ran_at is not None
    assert svc.rerun_at(saved) > saved.ran_at


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_a_name_is_required_and_nothing_is_half_saved(personas, bank, name):
    with pytest.raises(ValidationError):
        save(personas, name=name)
    assert not SavedWhatIf.objects.exists()
    assert not AuditEvent.objects.filter(object_type="analysis.savedwhatif").exists()


def test_an_auditor_reads_but_does_not_save(personas, bank):
    with pytest.raises(PermissionDenied):
        save(personas, who="auditor")


def test_compare_lists_what_stops_in_one_only_and_breaches_that_moved(personas, bank):
    """Only DC-MAIN down stops nothing (the standby DC2 carries CORE); both down stops PAY,
    LOAN and REPORT. KP-B alone (no backup, never back) stops LOAN for good: its MTPD is
    breached at 8 h, while with both data centres down it is back at 5 h, before its MTPD."""
    main_only = save(personas, specs=["site:DC-MAIN"], name="主机房")
    both = save(personas)
    changes = svc.compare(main_only.snapshot, both.snapshot)
    assert {c.key: c.status for c in changes} == {
        "activity:PAY": svc.ONLY_B,
        "activity:LOAN": svc.ONLY_B,
        "activity:REPORT": svc.ONLY_B,
    }
    key_person = save(personas, specs=["resource:KP-B"], name="关键人员")
    changes = {c.key: c for c in svc.compare(key_person.snapshot, both.snapshot)}
    assert changes["activity:PAY"].status == svc.ONLY_B
    loan = changes["activity:LOAN"]
    assert loan.status == svc.MOVED and (loan.a[3], loan.b[3]) == (480, None)
    assert loan.shift == {"rto": 0, "mtpd": None}


def test_rerun_shows_what_changed_since_it_was_saved(client_as, personas, bank):
    """Saved at revision r; then PAY's RTO goes from 1 h to 2 h: the re-run says the model
    changed and lists PAY's RTO breach moving from +1 h to +2 h."""
    saved = save(personas)
    dep.activity_update(actor=None, activity=bank["pay"], rto=120)
    response = client_as("manager").get(reverse("analysis:saved_rerun", args=[saved.pk]))
    assert response.status_code == 200
    assert "revision" in response.context["report"].as_json()
    assert response.context["report"].analysis.revision != saved.revision
    [(node, change)] = response.context["changes"]
    assert node["code"] == "PAY" and node["url"] == reverse(
        "dependencies:activity_detail", args=[bank["pay"].pk]
    )
    assert change.status == svc.MOVED and change.shift["rto"] == 60


def test_rerun_on_an_unchanged_model_finds_no_difference(client_as, personas, bank):
    saved = save(personas)
    response = client_as("manager").get(reverse("analysis:saved_rerun", args=[saved.pk]))
    assert response.context["changes"] == []
    assert 'data-testid="no-changes"' in response.content.decode()


def test_the_owner_and_the_office_read_it_others_do_not(client_as, personas, bank):
    saved = save(personas, who="coord_a")
    url = reverse("analysis:saved_detail", args=[saved.pk])
    assert client_as("coord_a").get(url).status_code == 200
    assert client_as("manager").get(url).status_code == 200
    assert client_as("auditor").get(url).status_code == 200
    assert client_as("coord_b").get(url).status_code == 404
    assert client_as("executive").get(url).status_code == 404
    listed = client_as("coord_b").get(reverse("analysis:saved_list"))
    assert saved.name not in listed.content.decode()


def test_a_scoped_reader_sees_only_their_rows_of_an_office_run(client_as, personas, bank):
    """CORE down (30 min recovery) stops PAY and LOAN (DEPT-B); REPORT's 4 h workaround
    covers it. The snapshot keeps LOAN, but coordinator A's page leaves it out, counted."""
    mine = save(personas, who="coord_a", specs=["resource:CORE"], name="核心系统")
    assert "activity:LOAN" in mine.snapshot["activities"]  # the whole model is kept
    response = client_as("coord_a").get(reverse("analysis:saved_detail", args=[mine.pk]))
    html = response.content.decode()
    assert B_MARK not in html
    assert response.context["hidden"] == 1
    assert [n["code"] for n, _t in response.context["rows"]] == ["PAY"]


def test_compare_page_side_by_side(client_as, personas, bank, django_assert_max_num_queries):
    a = save(personas, specs=["site:DC-MAIN"], name="主机房")
    b = save(personas)
    client = client_as("manager")
    client.get(reverse("analysis:saved_list"))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("analysis:saved_compare"), {"pick": [a.pk, b.pk]})
    assert response.status_code == 200
    assert [n["code"] for n, _c in response.context["changes"]] == ["PAY", "LOAN", "REPORT"]
    bad = client.get(reverse("analysis:saved_compare"), {"pick": [a.pk]})
    assert bad.status_code == 302
    junk = client.get(reverse("analysis:saved_compare"), {"a": "x", "b": "y"})
    assert junk.status_code == 302


def test_list_page_query_count(client_as, personas, bank, django_assert_max_num_queries):
    for i in range(5):
        save(personas, name=f"演练 {i}")
    client = client_as("manager")
    client.get(reverse("analysis:saved_list"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("analysis:saved_list"))
    assert len(response.context["page"]) == 5


def test_save_from_the_page_and_delete(client_as, personas, bank):
    client = client_as("coord_a")
    response = client.post(
        reverse("analysis:saved_create"),
        {"fail": ["resource:CORE"], "at": "", "name": "核心系统宕机", "note": "测试"},
    )
    saved = SavedWhatIf.objects.get()
    assert response.status_code == 302 and response.url == saved.get_absolute_url()
    assert saved.at is None and saved.created_by == personas["coord_a"]
    assert (
        client_as("coord_b").post(reverse("analysis:saved_delete", args=[saved.pk])).status_code
        == 404
    )
    response = client.post(reverse("analysis:saved_delete", args=[saved.pk]))
    assert response.status_code == 302
    assert not SavedWhatIf.objects.exists()
    event = AuditEvent.objects.get(action="delete", object_type="analysis.savedwhatif")
    assert event.object_repr == "核心系统宕机" and event.actor_id == personas["coord_a"].pk


def test_saving_bad_input_says_why_and_saves_nothing(client_as, personas, bank):
    client = client_as("manager")
    for data in (
        {"fail": ["resource:NOPE"], "name": "x"},
        {"fail": ["resource:CORE"], "name": ""},
        {"fail": ["resource:CORE"], "name": "x", "at": "not a date"},
        {"name": "x"},
    ):
        response = client.post(reverse("analysis:saved_create"), data, follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"])
    assert not SavedWhatIf.objects.exists()
    assert client.get(reverse("analysis:saved_create")).status_code == 405


def test_analysis_rows_link_to_records_in_scope_only(client_as, personas, bank):
    """Both DCs down: coordinator A's rows link PAY to its page; the cause chain's CORE links
    too; LOAN (DEPT-B) is not listed. An executive has no registers: no links."""
    query = {"fail": BOTH_DCS, "at": "2026-05-01T09:00"}
    response = client_as("coord_a").get("/analysis/whatif/", query)
    pay = response.context["rows"][0]
    assert pay["url"] == reverse("dependencies:activity_detail", args=[bank["pay"].pk])
    assert response.context["timeline"][0]["url"] == pay["url"]
    html = response.content.decode()
    assert reverse("dependencies:resource_detail", args=[bank["core"].pk]) in html
    assert reverse("dependencies:activity_detail", args=[bank["loan"].pk]) not in html
    response = client_as("executive").get("/analysis/whatif/", query)
    assert "url" not in response.context["rows"][0]
    for page in ("order", "gaps", "spof"):
        html = client_as("manager").get(f"/analysis/{page}/").content.decode()
        assert 'data-testid="node-link"' in html, page


def test_the_timeline_pages_beyond_its_limit(client_as, bank, monkeypatch):
    """The timeline draws up to TIMELINE_PER_PAGE activities (200), paged beyond: here with a
    limit of 2, both data centres down stop three activities — two on the first page of the
    timeline (PAY, LOAN), the third on its second page."""
    from resilia.analysis import views

    monkeypatch.setattr(views, "TIMELINE_PER_PAGE", 2)
    query = {"fail": BOTH_DCS, "at": "2026-05-01T09:00"}
    client = client_as("manager")
    first = client.get("/analysis/whatif/", query).context["timeline"]
    assert [t["name"] for t in first] == ["Payment clearing (PAY)", f"Loans {B_MARK} (LOAN)"]
    second = client.get("/analysis/whatif/", {**query, "tpage": 2})
    assert [t["name"] for t in second.context["timeline"]] == ["Regulatory reporting (REPORT)"]
    assert 'data-rows="1"' in second.content.decode()
    assert len(second.context["rows"]) == 3  # the table keeps its own pages
