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


def test_it_refuses_when_the_model_keeps_changing_and_saves_nothing(bank):
    data = _file_with_pay_rto(90)
    minutes = iter(range(10, 20))

    def meanwhile():
        deps.resource_update(actor=bank["actor"], resource=bank["dc1"], recovery_time=next(minutes))

    events = AuditEvent.objects.filter(action="import").count()
    with translation.override("en"), pytest.raises(ModelFileError) as exc:
        import_model(data, actor=bank["actor"], on_prepared=meanwhile)
    assert "changed by someone else while the file was being prepared" in str(exc.value)
    assert Activity.objects.get(code="PAY").rto == 120
    assert AuditEvent.objects.filter(action="import").count() == events


def test_an_unchanged_file_writes_nothing(bank, django_assert_max_num_queries):
    data = export_model()
    events = AuditEvent.objects.count()
    report = import_model(data, actor=bank["actor"])
    assert report.change_count == 0 and AuditEvent.objects.count() == events
