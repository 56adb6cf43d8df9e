"""The generated persona × page × object-scope table of the dependency pages.

Expected outcomes come from the access rules written once below as data (RULES), never from
observed responses; refused requests must change nothing and write no audit event. Every URL
of the `dependencies` namespace must appear in CELLS (resilia/core/tests/permission_table.py
exempts the namespace from its own table and points here).

Objects (from the `bank` fixture), named from coord_a's point of view:
in_scope PAY (DEPT-A), assigned CORE (DEPT-A, owned by contrib_a's person), out_of_scope
YIB-OPS (DEPT-B), shared NET (no unit).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.core.tests.permission_table import url_names
from resilia.dependencies.models import Dependency

# The page table's decisions by role are Python; the scope rules' queries run on PostgreSQL
# too, in the API permission table and the leak tests (resilia/conftest.py, one_database).
pytestmark = [pytest.mark.django_db, pytest.mark.one_database]

OK, FORBIDDEN, NOT_FOUND, LOGIN = "ok", "403", "404", "login"
PERSONAS = (
    "admin",
    "manager",
    "coord_a",
    "coord_b",
    "contrib_a",
    "auditor",
    "executive",
    "outsider",
)
ALL = frozenset({"in_scope", "assigned", "out_of_scope", "shared"})


@dataclass(frozen=True)
class Rule:
    reads: bool = False
    read: frozenset = frozenset()
    write: frozenset = frozenset()
    creates: bool = False
    deletes: bool = True  # may delete what it may write (contributors may not)


RULES = {
    "admin": Rule(True, ALL, ALL, True),
    "manager": Rule(True, ALL, ALL, True),
    "coord_a": Rule(True, ALL - {"out_of_scope"}, frozenset({"in_scope", "assigned"}), True),
    "coord_b": Rule(True, frozenset({"out_of_scope", "shared"}), frozenset({"out_of_scope"}), True),
    "contrib_a": Rule(True, ALL - {"out_of_scope"}, frozenset({"assigned"}), deletes=False),
    "auditor": Rule(True, ALL),
    "executive": Rule(),
}

OBJECTS = {"in_scope": "pay", "assigned": "core", "out_of_scope": "ops", "shared": "net"}
# The link each scope's object needs (its dependent decides access); NET needs nothing.
LINKS = {"in_scope": "pay", "assigned": "core", "out_of_scope": "ops"}

KIND_READ = {"list", "export", "graph", "graph_data", "checks", "autocomplete"}
KIND_CREATE = {"create_get", "import_get", "import_template", "import_result"}
OBJECT_WRITE = {"edit_get", "link_add", "link_edit_get", "link_remove"}


@dataclass(frozen=True)
class Cell:
    action: str
    scope: str
    urls: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.action}-{self.scope}"


def expected(persona: str, cell: Cell) -> str:
    if persona == "outsider":
        return LOGIN
    rule = RULES[persona]
    if not rule.reads:
        return FORBIDDEN
    if cell.action in KIND_READ:
        return OK
    if cell.action in KIND_CREATE:
        return OK if rule.creates else FORBIDDEN
    if cell.scope not in rule.read:
        return NOT_FOUND
    if cell.action == "detail":
        return OK
    if cell.scope not in rule.write:
        return FORBIDDEN
    if cell.action == "delete_get" and not rule.deletes:
        return FORBIDDEN
    return OK


def _cells() -> list[Cell]:
    d = "dependencies:"
    cells = [
        Cell("list", "any", (f"{d}resource_list", f"{d}activity_list")),
        Cell("export", "any", (f"{d}resource_list", f"{d}activity_list")),
        Cell("graph", "any", (f"{d}graph",)),
        Cell("graph_data", "any", (f"{d}graph_data",)),
        Cell("checks", "any", (f"{d}checks",)),
        Cell("autocomplete", "any", (f"{d}autocomplete",)),
        Cell("create_get", "any", (f"{d}resource_create", f"{d}activity_create")),
        Cell("import_get", "any", (f"{d}import", f"{d}import_confirm")),
        Cell("import_template", "any", (f"{d}import_template",)),
        Cell("import_result", "any", (f"{d}import_result",)),
    ]
    for scope in OBJECTS:
        cells += [
            Cell("detail", scope, (f"{d}resource_detail", f"{d}activity_detail")),
            Cell("edit_get", scope, (f"{d}resource_edit", f"{d}activity_edit")),
            Cell("delete_get", scope, (f"{d}resource_delete", f"{d}activity_delete")),
        ]
        if scope in LINKS:
            cells += [
                Cell("link_add", scope, (f"{d}link_add",)),
                Cell("link_edit_get", scope, (f"{d}link_edit",)),
                Cell("link_remove", scope, (f"{d}link_remove",)),
            ]
    return cells


CELLS = _cells()
TABLE = [(p, c, expected(p, c)) for c in CELLS for p in PERSONAS]


def _request(client, bank, cell: Cell):
    """(response, success statuses, whether a success changes the database)."""
    obj = bank[OBJECTS.get(cell.scope, "pay")]
    kind = obj._meta.model_name
    simple = {
        "list": reverse("dependencies:resource_list"),
        "export": reverse("dependencies:activity_list") + "?export=csv",
        "graph": reverse("dependencies:graph"),
        "graph_data": reverse("dependencies:graph_data") + f"?node=activity:{bank['pay'].pk}",
        "checks": reverse("dependencies:checks"),
        "autocomplete": reverse("dependencies:autocomplete", args=["node"]) + "?q=",
        "create_get": reverse("dependencies:activity_create"),
        "import_get": reverse("dependencies:import"),
        "import_template": reverse("dependencies:import_template", args=["resources", "csv"]),
        "detail": obj.get_absolute_url(),
        "edit_get": reverse(f"dependencies:{kind}_edit", args=[obj.pk]),
        "delete_get": reverse(f"dependencies:{kind}_delete", args=[obj.pk]),
    }
    if cell.action == "import_result":
        return client.get(reverse("dependencies:import_result")), (302,), False
    if cell.action in simple:
        return client.get(simple[cell.action]), (200,), False
    link = Dependency.objects.filter(**{f"dependent_{kind}": obj}).first()
    if cell.action == "link_add":
        url = reverse("dependencies:link_add", args=[kind, obj.pk, "needs"])
        target = f"resource:{bank['net'].pk}"
        return client.post(url, {"needs-target": target, "needs-tolerance": "0"}), (302,), True
    if cell.action == "link_edit_get":
        return client.get(reverse("dependencies:link_edit", args=[link.pk])), (200,), False
    return client.post(reverse("dependencies:link_remove", args=[link.pk])), (302,), True


def _fingerprint():
    return list(Dependency.objects.order_by("pk").values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("persona", "cell", "outcome"), TABLE, ids=[f"{p}-{c.id}" for p, c, _o in TABLE]
)
def test_it_enforces_the_role_rules(persona, cell, outcome, bank, client_for):
    client = client_for(persona)
    before, events = _fingerprint(), AuditEvent.objects.count()
    response, ok_statuses, changes = _request(client, bank, cell)
    if outcome == OK:
        assert response.status_code in ok_statuses, response.status_code
        if changes:
            assert _fingerprint() != before and AuditEvent.objects.count() > events
        return
    if outcome == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == int(outcome), response.status_code
    assert _fingerprint() == before
    assert AuditEvent.objects.count() == events


def test_it_covers_every_dependencies_url():
    covered = {name for cell in CELLS for name in cell.urls}
    names = {name for name, _route in url_names() if name.startswith("dependencies:")}
    assert names - covered == set()
    assert covered - names == set()


def test_it_derives_every_kind_of_outcome():
    by_id = {f"{p}-{c.id}": o for p, c, o in TABLE}
    assert by_id["coord_a-detail-out_of_scope"] == NOT_FOUND
    assert by_id["coord_a-edit_get-shared"] == FORBIDDEN
    assert by_id["contrib_a-link_remove-assigned"] == OK
    assert by_id["contrib_a-delete_get-assigned"] == FORBIDDEN
    assert by_id["coord_b-link_add-out_of_scope"] == OK
    assert by_id["executive-list-any"] == FORBIDDEN
