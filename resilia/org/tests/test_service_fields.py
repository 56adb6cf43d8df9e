"""The organisation services name the fields they accept; an update changes only those passed."""

import pytest

from resilia.audit.models import AuditEvent
from resilia.org import services
from resilia.org.models import Person


@pytest.mark.parametrize(
    "service",
    [
        services.unit_create,
        services.person_create,
        services.site_create,
        services.team_create,
        services.membership_create,
    ],
)
def test_it_refuses_a_field_a_create_service_does_not_accept(db, service):
    with pytest.raises(TypeError, match="no_such_field"):
        service(actor=None, no_such_field="x")


def test_it_refuses_a_field_an_update_service_does_not_accept(org_tree, people):
    with pytest.raises(TypeError, match="path"):
        services.unit_update(actor=None, unit=org_tree["dept_a"], path="/9/")
    with pytest.raises(TypeError, match="password"):
        services.person_update(actor=None, person=people["alice"], password="x")


def test_it_changes_only_the_fields_passed(org_tree, people):
    alice = people["alice"]
    before = Person.objects.values().get(pk=alice.pk)
    services.person_update(actor=None, person=alice, title="Chief of drills")
    after = Person.objects.values().get(pk=alice.pk)
    assert {k for k in after if after[k] != before[k]} == {"title"}
    event = AuditEvent.objects.filter(object_type="org.person", action="update").latest("seq")
    assert event.changes == {"title": [before["title"], "Chief of drills"]}


def test_it_sets_a_field_to_none_when_none_is_passed(org_tree):
    unit = org_tree["team_a"]
    assert unit.parent_id is not None
    services.unit_update(actor=None, unit=unit, parent=None)
    unit.refresh_from_db()
    assert unit.parent_id is None and unit.depth == 0
