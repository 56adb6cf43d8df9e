"""Deleting an object never changes another one without an audit event."""

from django.core.files.uploadedfile import SimpleUploadedFile

from resilia.audit.models import AuditEvent
from resilia.evidence.models import Attachment
from resilia.evidence.services import attachment_upload
from resilia.org import services as org
from resilia.org.models import Person, Unit


def test_it_audits_the_people_released_when_their_site_is_deleted(personas, people, org_tree):
    manager = personas["manager"]
    site = org.site_create(actor=manager, code="DC1", name="主数据中心", kind="data_centre")
    org.person_update(actor=manager, person=people["alice"], site=site)
    site_pk = site.pk
    org.site_delete(actor=manager, site=site)
    alice = Person.objects.get(pk=people["alice"].pk)
    assert alice.site_id is None
    event = AuditEvent.objects.for_object(alice).filter(action="update").first()
    assert event.changes["site_id"] == [site_pk, None]


def test_it_audits_deputies_and_unit_heads_released_by_a_person_delete(personas, people):
    manager = personas["manager"]
    alice, carol = people["alice"], people["carol"]
    org.person_update(actor=manager, person=alice, deputy=carol)
    unit = carol.unit
    org.unit_update(actor=manager, unit=unit, head=carol)
    org.person_delete(actor=manager, person=carol)
    assert Person.objects.get(pk=alice.pk).deputy_id is None
    assert Unit.objects.get(pk=unit.pk).head_id is None
    assert AuditEvent.objects.for_object(alice).filter(changes__has_key="deputy_id").count() == 2
    assert AuditEvent.objects.for_object(unit).filter(changes__has_key="head_id").count() == 2


def test_it_deletes_the_evidence_of_a_deleted_object(personas, people):
    manager = personas["manager"]
    carol = people["carol"]
    pdf = SimpleUploadedFile(
        "plan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    )
    attachment_upload(actor=manager, target=carol, file=pdf, description="")
    assert Attachment.objects.count() == 1
    carol_pk = carol.pk
    org.person_delete(actor=manager, person=carol)
    assert Attachment.objects.count() == 0
    # The file's removal is recorded on the person, before the person's own delete event.
    actions = list(
        AuditEvent.objects.filter(object_type="org.person", object_id=str(carol_pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "upload", "delete", "delete"]
