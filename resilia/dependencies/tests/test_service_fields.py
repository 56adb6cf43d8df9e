"""The dependency-model services name the fields they accept; updates change only those passed."""

import pytest

from resilia.dependencies import services as deps
from resilia.dependencies.models import Activity, Dependency, Resource


@pytest.mark.parametrize("service", [deps.resource_create, deps.activity_create])
def test_it_refuses_a_field_a_create_service_does_not_accept(db, service):
    with pytest.raises(TypeError, match="no_such_field"):
        service(actor=None, code="X", no_such_field="x")


def test_it_refuses_a_field_an_update_service_does_not_accept(bank):
    resource = Resource.objects.get(code="DC1")
    activity = Activity.objects.get(code="PAY")
    link = Dependency.objects.first()
    with pytest.raises(TypeError, match="alternates"):
        deps.activity_update(actor=None, activity=activity, alternates=[])
    with pytest.raises(TypeError, match="node_key"):
        deps.resource_update(actor=None, resource=resource, node_key="x")
    with pytest.raises(TypeError, match="dependent_activity"):
        deps.dependency_update(actor=None, dependency=link, dependent_activity=activity)


def test_it_changes_only_the_fields_passed(bank):
    activity = Activity.objects.get(code="PAY")
    before = Activity.objects.values().get(pk=activity.pk)
    deps.activity_update(actor=None, activity=activity, rpo=5)
    after = Activity.objects.values().get(pk=activity.pk)
    assert {k for k in after if after[k] != before[k]} == {"rpo"}


def test_it_strips_the_group_only_when_passed(bank):
    link = Dependency.objects.first()
    deps.dependency_update(actor=None, dependency=link, group="  dc  ")
    link.refresh_from_db()
    assert link.group == "dc"
    deps.dependency_update(actor=None, dependency=link, note="manual workaround")
    link.refresh_from_db()
    assert (link.group, link.note) == ("dc", "manual workaround")
