"""A unit tree is at most Unit.MAX_LEVELS levels deep, refused with a message by the service
and so by every caller: the form, the API, the import and the model file. On PostgreSQL a
deeper tree used to fail with a 500 (the path column is bounded) while SQLite stored it."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import Workbook
from rest_framework.test import APIClient

from resilia.core.context import request_context
from resilia.dependencies.modelio import ModelFileError, import_model
from resilia.org import services
from resilia.org.importing import org_import
from resilia.org.models import Unit

pytestmark = pytest.mark.django_db
MAX = Unit.MAX_LEVELS
MESSAGE = f"A unit tree may be at most {MAX} levels deep; this would make it {MAX + 1}."


def chain(top: Unit, levels: int, prefix: str = "L") -> list[Unit]:
    """`levels` units, each under the one before, the first under `top`."""
    units, parent = [], top
    with request_context(source="test"):
        for i in range(levels):
            parent = services.unit_create(
                actor=None, code=f"{prefix}{i}", name=f"层级{i}", kind="team", parent=parent
            )
            units.append(parent)
    return units


@pytest.fixture
def deepest(org_tree) -> Unit:
    """The deepest unit a tree may hold: depth MAX - 1 under GRP (depth 0)."""
    units = chain(org_tree["group"], MAX - 1)
    assert units[-1].depth == MAX - 1
    return units[-1]


def test_it_stores_the_deepest_allowed_tree_on_every_database(deepest):
    deepest.refresh_from_db()
    assert deepest.depth == MAX - 1
    assert Unit.objects.filter(path__startswith=deepest.path).get() == deepest


def test_it_refuses_one_level_more_through_the_service(deepest):
    count = Unit.objects.count()
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        services.unit_create(actor=None, code="TOO-DEEP", name="太深", kind="team", parent=deepest)
    assert exc.value.message_dict == {"parent": [MESSAGE]}
    assert Unit.objects.count() == count


def test_it_refuses_moving_a_subtree_that_would_end_too_deep(org_tree):
    """DEPT-A (depth 2) has A-TEAM below it: moving it under a unit of depth MAX - 2 would put
    A-TEAM at depth MAX."""
    target = chain(org_tree["dept_b"], MAX - 4)[-1]
    assert target.depth == MAX - 2
    dept_a = org_tree["dept_a"]
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        services.unit_update(actor=None, unit=dept_a, parent=target)
    assert exc.value.message_dict == {"parent": [MESSAGE]}
    dept_a.refresh_from_db()
    assert dept_a.parent == org_tree["company"] and dept_a.depth == 2
    # One level higher fits: A-TEAM lands at depth MAX - 1.
    services.unit_update(actor=None, unit=dept_a, parent=target.parent)
    assert Unit.objects.get(code="A-TEAM").depth == MAX - 1


def test_it_refuses_one_level_more_through_the_form(client_for, deepest):
    data = {"code": "TOO-DEEP", "name": "太深", "kind": "team", "parent": deepest.pk}
    response = client_for("admin").post("/org/units/new/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["parent"] == [f"组织单元树最多 {MAX} 层；此操作将使其达到 {MAX + 1} 层。"]
    assert not Unit.objects.filter(code="TOO-DEEP").exists()


def test_it_refuses_one_level_more_through_the_api(personas, deepest):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["admin"])
    body = {"code": "TOO-DEEP", "name": "太深", "kind": "team", "parent": deepest.pk}
    response = client.post("/api/units/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"parent": [MESSAGE]}
    assert not Unit.objects.filter(code="TOO-DEEP").exists()


def test_it_refuses_one_level_more_through_the_import(personas, deepest):
    workbook = Workbook()
    for row in (
        ["code", "name", "kind", "parent_code"],
        ["TOO-DEEP", "太深", "team", deepest.code],
    ):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "units.xlsx"
    with translation.override("en"):
        result = org_import(actor=personas["admin"], kind="units", file=buffer, dry_run=False)
    assert not result.applied
    assert MESSAGE in " ".join(str(e) for e in result.errors)
    assert not Unit.objects.filter(code="TOO-DEEP").exists()


def test_it_refuses_a_too_deep_tree_in_a_model_file(personas, org_tree):
    """A file that builds the whole chain itself, one level too deep."""
    units = [{"code": "M0", "name": "层级0", "kind": "group", "parent": None}]
    units += [
        {"code": f"M{i}", "name": f"层级{i}", "kind": "team", "parent": f"M{i - 1}"}
        for i in range(1, MAX + 1)
    ]
    count = Unit.objects.count()
    with request_context(source="test"), translation.override("en"):
        with pytest.raises(ModelFileError) as exc:
            import_model({"version": 1, "units": units}, actor=personas["admin"])
    assert MESSAGE in "\n".join(str(p) for p in exc.value.problems)
    assert Unit.objects.count() == count
