"""Contributors edit what is assigned to them but never delete it (access.py's role rules)."""

import pytest

from resilia.audit.models import AuditEvent
from resilia.org.models import Person


def test_it_lets_a_contributor_edit_but_not_delete_their_own_person_record(client_for, people):
    bob = people["bob"]  # the person linked to contrib_a
    client = client_for("contrib_a")
    detail = client.get(f"/org/people/{bob.pk}/")
    assert detail.status_code == 200
    assert f"/org/people/{bob.pk}/edit/".encode() in detail.content
    assert f"/org/people/{bob.pk}/delete/".encode() not in detail.content
    before = AuditEvent.objects.count()
    assert client.get(f"/org/people/{bob.pk}/delete/").status_code == 403
    assert client.post(f"/org/people/{bob.pk}/delete/").status_code == 403
    assert Person.objects.filter(pk=bob.pk).exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("persona", ["manager", "coord_a"])
def test_it_lets_writers_delete_in_scope(client_for, people, persona):
    bob = people["bob"]
    response = client_for(persona).post(f"/org/people/{bob.pk}/delete/")
    assert response.status_code == 302
    assert not Person.objects.filter(pk=bob.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="org.person", object_id=str(bob.pk), action="delete"
    ).exists()


def test_it_refuses_a_contributor_delete_through_the_api(client_for, people):
    bob = people["bob"]
    response = client_for("contrib_a").delete(f"/api/people/{bob.pk}/")
    assert response.status_code == 403
    assert Person.objects.filter(pk=bob.pk).exists()
