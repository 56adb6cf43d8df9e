"""The audit trail is a hash chain: appends link, any edit behind the app's back is found."""

from django.db import connection

from resilia.audit.models import AuditEvent
from resilia.audit.services import audit_verify


def test_it_records_an_event_per_created_unit_with_the_request_id(org_tree):
    events = AuditEvent.objects.filter(object_type="org.unit", action="create")
    assert events.count() == 5
    grp = events.get(object_id=str(org_tree["group"].pk))
    assert grp.changes["code"] == [None, "GRP"]
    assert grp.request_id


def test_it_verifies_an_untouched_chain(personas):
    result = audit_verify()
    assert result.ok, result
    assert result.checked == AuditEvent.objects.count()


def test_it_names_the_row_edited_behind_the_applications_back(org_tree):
    victim = AuditEvent.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET object_repr = %s WHERE id = %s",
            ["forged", victim.pk],
        )
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == victim.seq
    assert result.reason == "content altered"


def test_it_notices_a_deleted_row(org_tree):
    victim = AuditEvent.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [victim.pk])
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == victim.seq + 1
