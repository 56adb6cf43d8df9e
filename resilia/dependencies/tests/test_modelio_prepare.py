"""A model import prepares its plan with reads only, then writes it in one short transaction,
checking that the model did not change in between (issue 8, finding 3)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import translation

from resilia.audit.models import AuditEvent
from resilia.dependencies import services as deps
from resilia.dependencies.modelio import ModelFileError, export_model, import_model
from resilia.dependencies.models import Activity, Resource
from resilia.org import services as org
from resilia.org.models import Unit

pytestmark = pytest.mark.django_db


def _file_with_pay_rto(rto: int) -> dict:
    data = export_model()
    next(a for a in data["activities"] if a["code"] == "PAY")["objectives"]["rto"] = rto
    return data


def test_it_prepares_outside_any_write_transaction_and_prepares_again_after_a_change(bank):
    data = _file_with_pay_rto(90)
    depth = len(connection.savepoint_ids)  # the test's own transaction
    calls = []

    def meanwhile():
        # No transaction of the import is open: another writer is not kept waiting.
        assert len(connection.savepoint_ids) == depth and connection.in_atomic_block
        calls.append(1)
        if len(calls) == 1:  # someone edits a resource the file also states
            deps.resource_update(actor=bank["actor"], resource=bank["dc1"], recovery_time=5)

    report = import_model(data, actor=bank["actor"], on_prepared=meanwhile)
    assert len(calls) == 2  # the change was noticed and the plan computed again
    assert Activity.objects.get(code="PAY").rto == 90
    # The file wins over the edit made while it was prepared: it was planned again.
    assert Resource.objects.get(code="DC1").recovery_time == 240
    assert report.updated == {"activity": 1, "resource": 1}
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_it_prepares_under_the_write_lock_when_the_model_keeps_changing(bank):
    """Changed under both optimistic attempts, the import prepares a third time inside the
    write transaction, where nobody can change the model, and lands: the file wins."""
    data = _file_with_pay_rto(90)
    minutes = iter(range(10, 20))
    calls = []

    def meanwhile():
        calls.append(connection.in_atomic_block)
        deps.resource_update(actor=bank["actor"], resource=bank["dc1"], recovery_time=next(minutes))

    report = import_model(data, actor=bank["actor"], on_prepared=meanwhile)
    assert len(calls) == 2  # not called in the locked attempt
    assert Activity.objects.get(code="PAY").rto == 90
    assert Resource.objects.get(code="DC1").recovery_time == 240  # the file's, over 10 and 11
    assert report.updated == {"activity": 1, "resource": 1}
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_an_unchanged_file_writes_nothing(bank, django_assert_max_num_queries):
    data = export_model()
    events = AuditEvent.objects.count()
    report = import_model(data, actor=bank["actor"])
    assert report.change_count == 0 and AuditEvent.objects.count() == events


def test_it_notices_a_unit_renamed_between_prepare_and_apply(bank, org_tree):
    """An edit of a unit (not only one created or deleted) makes the import prepare again,
    and the file, which states the unit, wins over the edit."""
    data = _file_with_pay_rto(90)
    stated = next(u for u in data["units"] if u["code"] == org_tree["dept_a"].code)
    calls = []

    def meanwhile():
        calls.append(1)
        if len(calls) == 1:
            org.unit_update(actor=bank["actor"], unit=org_tree["dept_a"], name="改了名的部门")

    report = import_model(data, actor=bank["actor"], on_prepared=meanwhile)
    assert len(calls) == 2
    assert Unit.objects.get(pk=org_tree["dept_a"].pk).name == stated["name"]
    assert report.updated == {"activity": 1, "unit": 1}
    renames = AuditEvent.objects.filter(
        action="update", object_type="org.unit", object_id=str(org_tree["dept_a"].pk)
    )
    assert [e.changes["name"] for e in renames.order_by("seq")] == [
        [stated["name"], "改了名的部门"],
        ["改了名的部门", stated["name"]],
    ]


def test_it_notices_a_site_edited_between_prepare_and_apply(bank, org_tree):
    site = org.site_create(actor=bank["actor"], code="BJ-DC", name="北京机房", kind="data_centre")
    data = _file_with_pay_rto(90)
    calls = []

    def meanwhile():
        calls.append(1)
        if len(calls) == 1:
            org.site_update(actor=bank["actor"], site=site, address="北京市海淀区")

    report = import_model(data, actor=bank["actor"], on_prepared=meanwhile)
    assert len(calls) == 2
    site.refresh_from_db()
    assert site.address == ""  # the file's
    assert report.updated == {"activity": 1, "site": 1}


def test_a_person_whose_number_changed_meanwhile_is_refused_not_dropped(bank, people):
    """The file names Bob (owner of CORE) by employee number; his number is changed between
    prepare and apply: the import prepares again and refuses, as the checks would have,
    rather than leaving CORE without an owner."""
    data = _file_with_pay_rto(90)
    number = people["bob"].employee_no
    position = [p["employee_no"] for p in data["people"]].index(number)
    calls = []

    def meanwhile():
        calls.append(1)
        org.person_update(actor=bank["actor"], person=people["bob"], employee_no="E-NEW-1")

    with translation.override("en"), pytest.raises(ModelFileError) as exc:
        import_model(data, actor=bank["actor"], on_prepared=meanwhile)
    assert len(calls) == 1  # noticed at the apply; the second prepare refuses
    assert [str(p) for p in exc.value.problems] == [
        f"people[{position}].employee_no: no person has the employee number {number} in the"
        " database"
    ]
    assert Resource.objects.get(code="CORE").owner_id == people["bob"].pk
    assert Activity.objects.get(code="PAY").rto == 120


def test_it_notices_an_edit_of_a_named_person_between_prepare_and_apply(bank, people):
    data = _file_with_pay_rto(90)
    calls = []

    def meanwhile():
        calls.append(1)
        if len(calls) == 1:
            org.person_update(actor=bank["actor"], person=people["bob"], mobile="13800138000")

    import_model(data, actor=bank["actor"], on_prepared=meanwhile)
    assert len(calls) == 2
    assert Activity.objects.get(code="PAY").rto == 90
