"""The generated permission table of the web UI: persona × page × object scope.

Every cell's expected outcome comes from the declared rules (permission_table.RULES), never
from observed responses. A successful POST must change the database and write its audit
event; a refused request (403, 404, sign-in redirect, rejected form) must change nothing and
write no event. Every URL pattern of the project must be in the table or in the commented
list of deliberate exceptions, so a new page cannot ship without its row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from resilia.accounts.forms import UserCreateForm, UserForm
from resilia.accounts.models import User
from resilia.audit.models import AuditEvent
from resilia.core.tests.permission_table import (
    CELLS,
    FREE_PERSON,
    HOME_UNIT,
    LOGIN,
    MOVE_TO,
    NOT_FOUND,
    NOT_IN_TABLE,
    OK,
    PASSWORD,
    PLACED_BY,
    REJECTED,
    TABLE,
    TABLE_IDS,
    TARGET_USER,
    Cell,
    expected,
    fingerprint,
    import_file,
    is_exempt,
    pdf_upload,
    perm_world,  # noqa: F401 (fixture)
    target,
    unit,
    url_names,
)
from resilia.evidence.models import Attachment
from resilia.org.forms import PersonForm, UnitForm
from resilia.org.forms_sites import SiteForm
from resilia.org.forms_teams import TeamForm
from resilia.org.models import Person, Site, Team, TeamMembership, Unit

# The page table's decisions by role are Python; the scope rules' queries run on PostgreSQL
# too, in the API permission table and the leak tests (resilia/conftest.py, one_database).
pytestmark = pytest.mark.one_database

# The world is built once per module (see permission_table.perm_world).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perm_world")]

MODELS = {"unit": Unit, "person": Person, "site": Site, "team": Team}
FORMS = {"unit": UnitForm, "person": PersonForm, "site": SiteForm, "team": TeamForm}
# The field each edit changes, and the value it sets.
EDITED = {"unit": "description", "person": "title", "site": "address", "team": "responsibilities"}
NEW_TEXT = "权限表修改"


def form_data(form: forms.BaseForm) -> dict[str, Any]:
    """What a browser would post for this form as rendered (unchecked boxes left out)."""
    data: dict[str, Any] = {}
    for name, form_field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(form_field, forms.BooleanField):
            if value:
                data[key] = "on"
        else:
            data[key] = "" if value is None else value
    return data


def created_payload(kind: str, scope: str) -> dict[str, Any]:
    home = unit(HOME_UNIT[scope])
    home_pk = home.pk if home else ""
    if kind == "unit":
        return {"code": "NEW-1", "name": "新建科室", "kind": "team", "parent": home_pk}
    if kind == "person":
        return {"full_name": "新建人员", "employee_no": "NEW-1", "unit": home_pk, "is_active": "on"}
    if kind == "site":
        return {"code": "NEW-1", "name": "新建场所", "kind": "office", "unit": home_pk}
    return {"code": "NEW-1", "name": "新建小组", "kind": "working", "unit": home_pk}


@dataclass
class Outcome:
    """What a cell did: the final response, its success statuses, and what success means."""

    response: Any
    ok_statuses: tuple[int, ...] = (200,)
    audited: tuple[str, ...] = ()  # audit actions a success writes
    effect: Any = None  # callable asserting the change a success made
    extra: dict = field(default_factory=dict)


def _edit(client, admin, cell: Cell) -> Outcome:
    obj = target(cell.kind, cell.scope)
    url = reverse(f"org:{cell.kind}_edit", args=[obj.pk])
    if cell.action == "edit_get":
        return Outcome(client.get(url))
    data = form_data(FORMS[cell.kind](instance=obj, user=admin))
    data[EDITED[cell.kind]] = NEW_TEXT

    def effect():
        obj.refresh_from_db()
        assert getattr(obj, EDITED[cell.kind]) == NEW_TEXT
        assert AuditEvent.objects.filter(action="update", object_id=str(obj.pk)).exists()

    return Outcome(client.post(url, data), (302,), ("update",), effect)


def _move(client, admin, cell: Cell) -> Outcome:
    """Post the edit form as rendered, with only the placing field changed."""
    obj = target(cell.kind, cell.scope)
    field_name = PLACED_BY[cell.kind]
    destination = unit(MOVE_TO[cell.kind][cell.action.removeprefix("move_")])
    data = form_data(FORMS[cell.kind](instance=obj, user=admin))
    data[field_name] = destination.pk if destination else ""

    def effect():
        obj.refresh_from_db()
        assert getattr(obj, f"{field_name}_id") == (destination.pk if destination else None)
        assert AuditEvent.objects.filter(action="update", object_id=str(obj.pk)).exists()

    url = reverse(f"org:{cell.kind}_edit", args=[obj.pk])
    return Outcome(client.post(url, data), (302,), ("update",), effect)


def _delete(client, cell: Cell) -> Outcome:
    obj = target(cell.kind, cell.scope)
    url = reverse(f"org:{cell.kind}_delete", args=[obj.pk])
    if cell.action == "delete_get":
        return Outcome(client.get(url))
    model = MODELS[cell.kind]

    def effect():
        assert not model.objects.filter(pk=obj.pk).exists()
        assert AuditEvent.objects.filter(
            action="delete", object_type=model._meta.label_lower, object_id=str(obj.pk)
        ).exists()

    return Outcome(client.post(url), (302,), ("delete",), effect)


def _create(client, cell: Cell) -> Outcome:
    model = MODELS[cell.kind]
    url = reverse(f"org:{cell.kind}_create")
    if cell.action == "create_get":
        return Outcome(client.get(url))
    payload = created_payload(cell.kind, cell.scope)
    lookup = {"full_name": "新建人员"} if cell.kind == "person" else {"code": "NEW-1"}

    def effect():
        new = model.objects.get(**lookup)
        home = HOME_UNIT[cell.scope]
        placed = new.parent if cell.kind == "unit" else new.unit
        assert (placed.code if placed else None) == home
        assert AuditEvent.objects.filter(
            action="create", object_type=model._meta.label_lower, object_id=str(new.pk)
        ).exists()

    return Outcome(client.post(url, payload), (302,), ("create",), effect)


def _evidence(client, cell: Cell) -> Outcome:
    obj = target(cell.kind, cell.scope)
    label = obj._meta.label_lower
    files_url = reverse("evidence:object_files", args=[label, obj.pk])
    attachment = Attachment.objects.get(object_id=obj.pk, content_type__model=obj._meta.model_name)
    if cell.action == "evidence_list":
        return Outcome(client.get(files_url))
    if cell.action == "evidence_download":
        response = client.get(reverse("evidence:download", args=[attachment.pk]))
        if hasattr(response, "streaming_content"):
            # Consuming the stream closes the file through the test client, which keeps the
            # database connection open (closing the response directly would close it).
            b"".join(response.streaming_content)
        return Outcome(response, (200,), ("download",))
    if cell.action == "evidence_upload":

        def uploaded():
            count = Attachment.objects.filter(
                object_id=obj.pk, content_type__model=obj._meta.model_name
            ).count()
            assert count == 2
            assert AuditEvent.objects.filter(action="upload", object_id=str(obj.pk)).exists()

        response = client.post(files_url, {"file": pdf_upload("演练报告.pdf"), "description": ""})
        return Outcome(response, (302,), ("upload",), uploaded)

    def deleted():
        assert not Attachment.objects.filter(pk=attachment.pk).exists()
        assert AuditEvent.objects.filter(action="delete", object_id=str(obj.pk)).exists()

    response = client.post(reverse("evidence:delete", args=[attachment.pk]))
    return Outcome(response, (302,), ("delete",), deleted)


def _member(client, cell: Cell) -> Outcome:
    team = target("team", cell.scope)
    membership = team.memberships.get()
    if cell.action == "member_add":
        person = Person.objects.get(employee_no=FREE_PERSON[cell.scope])
        data = {"add-person": person.pk, "add-role": "member", "add-responsibilities": "联络员"}

        def added():
            added_row = TeamMembership.objects.get(team=team, person=person)
            assert AuditEvent.objects.filter(
                action="create", object_type="org.teammembership", object_id=str(added_row.pk)
            ).exists()

        url = reverse("org:membership_add", args=[team.pk])
        return Outcome(client.post(url, data), (302,), ("create",), added)
    if cell.action == "member_remove":

        def removed():
            assert not TeamMembership.objects.filter(pk=membership.pk).exists()
            assert AuditEvent.objects.filter(action="delete", object_id=str(membership.pk)).exists()

        url = reverse("org:membership_remove", args=[team.pk, membership.pk])
        return Outcome(client.post(url), (302,), ("delete",), removed)
    url = reverse("org:membership_edit", args=[team.pk, membership.pk])
    if cell.action == "member_edit_get":
        return Outcome(client.get(url))
    data = {"role": membership.role, "responsibilities": NEW_TEXT}

    def edited():
        membership.refresh_from_db()
        assert membership.responsibilities == NEW_TEXT
        assert AuditEvent.objects.filter(action="update", object_id=str(membership.pk)).exists()

    return Outcome(client.post(url, data), (302,), ("update",), edited)


def _user_pages(client, cell: Cell) -> Outcome:
    account = User.objects.get(username=TARGET_USER)
    if cell.action == "create_get":
        return Outcome(client.get(reverse("accounts:user_create")))
    if cell.action == "create_post":
        data = form_data(UserCreateForm())
        data.update(username="new_clerk", email="new_clerk@example.com", role="auditor")
        data.update(password1=PASSWORD, password2=PASSWORD, is_active="on")

        def created():
            new = User.objects.get(username="new_clerk")
            assert new.role == "auditor"
            assert AuditEvent.objects.filter(action="create", object_id=str(new.pk)).exists()

        return Outcome(
            client.post(reverse("accounts:user_create"), data), (302,), ("create",), created
        )
    if cell.action == "history":
        url = reverse("audit:object_history", args=["accounts.user", account.pk])
        return Outcome(client.get(url))
    edit_url = reverse("accounts:user_edit", args=[account.pk])
    if cell.action == "edit_get":
        return Outcome(client.get(edit_url))
    if cell.action == "edit_post":
        data = form_data(UserForm(instance=account))
        data["first_name"] = NEW_TEXT

        def edited():
            account.refresh_from_db()
            assert account.first_name == NEW_TEXT
            assert AuditEvent.objects.filter(action="update", object_id=str(account.pk)).exists()

        return Outcome(client.post(edit_url, data), (302,), ("update",), edited)
    if cell.action == "unlock":

        def unlocked():
            account.refresh_from_db()
            assert account.locked_until is None and account.failed_logins == 0
            assert AuditEvent.objects.filter(action="unlock", object_id=str(account.pk)).exists()

        url = reverse("accounts:user_unlock", args=[account.pk])
        return Outcome(client.post(url), (302,), ("unlock",), unlocked)

    def reset():
        account.refresh_from_db()
        assert not account.totp_enabled
        assert AuditEvent.objects.filter(action="totp_disable", object_id=str(account.pk)).exists()

    url = reverse("accounts:user_reset_totp", args=[account.pk])
    return Outcome(client.post(url), (302,), ("totp_disable",), reset)


def _import(client, cell: Cell) -> Outcome:
    if cell.action == "import_get":
        return Outcome(client.get(reverse("org:import")))
    if cell.action == "import_template":
        return Outcome(client.get(reverse("org:import_template", args=["people", "csv"])))
    if cell.action == "import_result":
        # With no import done in this session, the result page sends back to the upload page.
        return Outcome(client.get(reverse("org:import_result")), (302,))
    preview = client.post(
        reverse("org:import"), {"kind": "people", "file": import_file(cell.scope)}
    )
    token = preview.context["token"] if preview.status_code == 200 and preview.context else None
    if not token:
        return Outcome(preview, (302,))  # a preview with errors is not a success

    def imported():
        person = Person.objects.get(employee_no="IMP-1")
        assert person.unit.code == HOME_UNIT[cell.scope]
        assert AuditEvent.objects.filter(action="import", object_type="org.person").exists()

    response = client.post(reverse("org:import_confirm"), {"token": token})
    return Outcome(response, (302,), ("import", "create"), imported)


def _list_url(cell: Cell) -> str:
    if cell.kind == "user":
        return reverse("accounts:user_list")
    if cell.kind == "audit":
        return reverse("audit:log")
    return reverse(f"org:{cell.kind}_list")


SIMPLE_PAGES = {
    ("home", "page"): ("site:home", ""),
    ("search", "page"): ("core:search", "?q=张"),
    ("self", "profile"): ("accounts:profile", ""),
    ("self", "security"): ("accounts:security", ""),
    ("self", "password_change"): ("accounts:password_change", ""),
    ("self", "api_token"): ("accounts:api_token", ""),
}


def _analysis(client: Client, cell: Cell) -> Outcome:
    """Analysis pages read; their exports write one `export` audit event."""
    page, _sep, export = cell.action.partition("_")
    if cell.action == "node_search":
        return Outcome(client.get(reverse("analysis:node_search"), {"q": "张"}))
    if export:
        response = client.get(reverse(f"analysis:{page}"), {"export": "xlsx"})
        return Outcome(response, (200,), ("export",))
    return Outcome(client.get(reverse(f"analysis:{cell.action}")))


def perform(client: Client, admin: User, cell: Cell) -> Outcome:
    """Send the cell's request(s) as the client's persona."""
    action = cell.action
    if cell.kind == "analysis":
        return _analysis(client, cell)
    if (cell.kind, action) in SIMPLE_PAGES:
        name, query = SIMPLE_PAGES[(cell.kind, action)]
        return Outcome(client.get(reverse(name) + query))
    if action == "list":
        return Outcome(client.get(_list_url(cell)))
    if action.startswith("export_"):
        response = client.get(_list_url(cell), {"export": action.removeprefix("export_")})
        return Outcome(response, (200,), ("export",))
    if action == "verify":
        return Outcome(client.post(reverse("audit:verify")), (302,), ("verify",))
    if cell.kind == "user":
        return _user_pages(client, cell)
    if cell.kind == "import":
        return _import(client, cell)
    if action == "autocomplete":
        return Outcome(client.get(reverse("org:autocomplete", args=[cell.kind]), {"q": ""}))
    if action in ("create_get", "create_post"):
        return _create(client, cell)
    if action == "detail":
        obj = target(cell.kind, cell.scope)
        return Outcome(client.get(obj.get_absolute_url()))
    if action.startswith("move_"):
        return _move(client, admin, cell)
    if action in ("edit_get", "edit_post"):
        return _edit(client, admin, cell)
    if action in ("delete_get", "delete_post"):
        return _delete(client, cell)
    if action == "history":
        obj = target(cell.kind, cell.scope)
        return Outcome(
            client.get(reverse("audit:object_history", args=[obj._meta.label_lower, obj.pk]))
        )
    if action.startswith("evidence_"):
        return _evidence(client, cell)
    if action.startswith("member_"):
        return _member(client, cell)
    raise AssertionError(f"no request for {cell.id}")


def _prepare(cell: Cell) -> None:
    """Make a deletion possible (a person in a team is protected; 409 is not the point here)."""
    if cell.kind == "person" and cell.action == "delete_post":
        TeamMembership.objects.filter(person=target("person", cell.scope)).delete()


@pytest.mark.parametrize(("persona", "cell", "outcome"), TABLE, ids=TABLE_IDS)
def test_it_enforces_the_role_rules(persona, cell, outcome):
    admin = User.objects.get(username="admin")
    client = Client()
    if persona != "outsider":
        client.force_login(User.objects.get(username=persona))
    _prepare(cell)
    before = fingerprint()
    last_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    result = perform(client, admin, cell)
    response = result.response
    new_events = list(AuditEvent.objects.filter(seq__gt=last_seq).values_list("action", flat=True))

    if outcome == OK:
        assert response.status_code in result.ok_statuses, response.status_code
        if result.effect is not None:
            result.effect()
            # A change may audit its side effects too (a deletion releasing references).
            assert set(result.audited) <= set(new_events), new_events
        else:
            assert fingerprint() == before, "a page that only reads changed the database"
            assert set(new_events) == set(result.audited), new_events
        return
    if outcome == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif outcome == REJECTED:
        assert response.status_code in (200, 400), response.status_code
        context = response.context
        shown = context["form"].errors if "form" in context else context["result"].errors
        assert shown, "a rejected request must say why"
    else:
        expected_status = 404 if outcome == NOT_FOUND else 403
        assert response.status_code == expected_status, response.status_code
    assert fingerprint() == before, "a refused request changed the database"
    assert new_events == [], f"a refused request wrote audit events: {new_events}"


def test_it_covers_every_url_pattern():
    """A new page must get its rows in the table (or a commented exemption in NOT_IN_TABLE)."""
    covered = {name for cell in CELLS for name in cell.urls}
    patterns = url_names()
    missing = [f"{name} ({route})" for name, route in patterns if name not in covered]
    missing = [m for m in missing if not is_exempt(m.split(" ", 1)[0])]
    assert missing == [], "URL patterns missing from the permission table: " + ", ".join(missing)
    names = {name for name, _route in patterns}
    stale = sorted(covered - names) + sorted(
        n for n in NOT_IN_TABLE if not n.endswith(":*") and n not in names
    )
    assert stale == [], f"the table names URLs that no longer exist: {stale}"


def test_it_derives_every_kind_of_outcome_from_the_rules():
    """The table is not trivially 'all allowed' or 'all refused': each outcome occurs."""
    outcomes = {outcome for _persona, _cell, outcome in TABLE}
    assert outcomes == {OK, "403", NOT_FOUND, LOGIN, REJECTED}
    by_id = {f"{p}-{c.id}": o for p, c, o in TABLE}
    assert by_id["coord_a-person-detail-out_of_scope"] == NOT_FOUND
    assert by_id["coord_a-person-edit_post-in_scope"] == OK
    assert by_id["contrib_a-person-edit_post-in_scope"] == "403"
    assert by_id["contrib_a-person-edit_post-assigned"] == OK
    assert by_id["contrib_a-person-delete_post-assigned"] == "403"
    assert by_id["contrib_a-team-member_remove-assigned"] == OK
    assert by_id["coord_a-site-edit_post-shared"] == "403"
    assert by_id["coord_a-site-create_post-out_of_scope"] == REJECTED
    assert by_id["auditor-audit-list-any"] == OK and by_id["manager-user-list-any"] == "403"
    assert by_id["executive-team-detail-in_scope"] == "403"
    assert expected("outsider", CELLS[0]) == LOGIN
