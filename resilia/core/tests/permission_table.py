"""The role × page × object-scope table of the web UI, derived from the access rules.

The rules of resilia.core.access, written once as data (RULES), decide the expected outcome
of every cell: `expected(persona, cell)` → OK | FORBIDDEN | NOT_FOUND | LOGIN | REJECTED.
Nothing here is copied from observed responses.

Object scopes are named from coord_a's point of view (coord_a coordinates DEPT-A):
- in_scope: an object of DEPT-A's subtree;
- assigned: an object of DEPT-A's subtree assigned to contrib_a (through the person bob:
  the unit bob heads, bob's own record, the team bob leads);
- out_of_scope: an object of DEPT-B (its names carry the marker "乙部门专属" and codes "YIB-");
- shared: a site or team with no unit, shared by the whole organisation;
- any: objects of unscoped kinds (user accounts).

The world is built once per test module (`perm_world`) inside a transaction that is rolled
back at the end of the module; each test runs in a savepoint of it, so tests stay isolated
and the whole table runs in seconds. Tests load objects fresh from the database by key.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from resilia.accounts.models import LoginLock, Role, User
from resilia.core.context import request_context
from resilia.evidence.models import Attachment
from resilia.evidence.services import attachment_upload
from resilia.org import services as org
from resilia.org.models import Person, Site, Team, TeamMembership, Unit

# Outcomes -----------------------------------------------------------------------------------

OK = "ok"  # 200 for pages; the success redirect (302) for POSTs, with the change and its event
FORBIDDEN = "403"
NOT_FOUND = "404"
LOGIN = "login"  # anonymous: redirected to the sign-in page, nothing done
REJECTED = "rejected"  # the form is shown again with an error; nothing saved, nothing audited

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
ROLES = {
    "admin": Role.ADMIN,
    "manager": Role.BCM_MANAGER,
    "coord_a": Role.COORDINATOR,
    "coord_b": Role.COORDINATOR,
    "contrib_a": Role.CONTRIBUTOR,
    "auditor": Role.AUDITOR,
    "executive": Role.EXECUTIVE,
}

# The rules ----------------------------------------------------------------------------------

ALL_SCOPES = frozenset({"in_scope", "assigned", "out_of_scope", "shared"})


@dataclass(frozen=True)
class Rule:
    """What one persona may do, by family of kinds (org registers, users, audit trail).

    reads/writes/creates: families the persona reads, changes, creates at all;
    read/write: object scopes read/changed inside the org registers;
    delete: scopes deleted (None: the same as write);
    create: scopes a new org object may be placed in;
    verify: runs the audit chain verification.
    """

    reads: frozenset = frozenset()
    writes: frozenset = frozenset()
    creates: frozenset = frozenset()
    read: frozenset = frozenset()
    write: frozenset = frozenset()
    create: frozenset = frozenset()
    delete: frozenset | None = None
    verify: bool = False

    @property
    def deletes(self) -> frozenset:
        return self.write if self.delete is None else self.delete


_ORG = frozenset({"org"})
RULES = {
    # Reads and writes everything; the only role that manages accounts.
    "admin": Rule(
        reads=frozenset({"org", "users", "audit"}),
        writes=frozenset({"org", "users"}),
        creates=frozenset({"org", "users"}),
        read=ALL_SCOPES,
        write=ALL_SCOPES,
        create=frozenset({"in_scope", "out_of_scope", "shared"}),
        verify=True,
    ),
    # The BCM office: every register and the trail; no accounts; does not verify its own trail.
    "manager": Rule(
        reads=frozenset({"org", "audit"}),
        writes=_ORG,
        creates=_ORG,
        read=ALL_SCOPES,
        write=ALL_SCOPES,
        create=frozenset({"in_scope", "out_of_scope", "shared"}),
    ),
    # Coordinators: their department's subtree, plus reading shared sites and teams.
    "coord_a": Rule(
        reads=_ORG,
        writes=_ORG,
        creates=_ORG,
        read=frozenset({"in_scope", "assigned", "shared"}),
        write=frozenset({"in_scope", "assigned"}),
        create=frozenset({"in_scope"}),
    ),
    "coord_b": Rule(
        reads=_ORG,
        writes=_ORG,
        creates=_ORG,
        read=frozenset({"out_of_scope", "shared"}),
        write=frozenset({"out_of_scope"}),
        create=frozenset({"out_of_scope"}),
    ),
    # Contributors read their department; edit only what is assigned to them, never delete it
    # (the members of a team they lead excepted); create nothing.
    "contrib_a": Rule(
        reads=_ORG,
        writes=_ORG,
        read=frozenset({"in_scope", "assigned", "shared"}),
        write=frozenset({"assigned"}),
        delete=frozenset(),
    ),
    # Auditors read everything, the trail included, and change nothing.
    "auditor": Rule(reads=frozenset({"org", "audit"}), read=ALL_SCOPES, verify=True),
    # Executives: dashboards and reports only, no registers.
    "executive": Rule(),
}

# What each action needs.
KIND_READ = {"list", "export_csv", "export_xlsx", "autocomplete"}
KIND_CREATE = {"create_get", "import_get", "import_template", "import_result"}
SCOPED_CREATE = {"create_post", "import_post"}
OBJECT_READ = {"detail", "history", "evidence_list", "evidence_download"}
OBJECT_WRITE = {
    "edit_get",
    "edit_post",
    "delete_get",
    "delete_post",
    "evidence_upload",
    "evidence_delete",
    "member_add",
    "member_edit_get",
    "member_edit_post",
    "member_remove",
    "unlock",
    "reset_2fa",
}
# Field-level moves across scopes: an edit that changes only where the object sits (its unit,
# a unit's parent), to the destination scope after "move_" (see MOVE_TO). Besides write
# access to the object, the destination must be one the persona may create in (`create`;
# "shared" is no unit: the top of the tree, or shared by the whole organisation).
MOVES = {f"move_{dest}" for dest in ("in_scope", "out_of_scope", "shared")}
OBJECT_WRITE |= MOVES
# Deleting the object itself (removing a team member is a change of the team's roster).
OBJECT_DELETE = {"delete_get", "delete_post"}
FAMILY = {
    "unit": "org",
    "person": "org",
    "site": "org",
    "team": "org",
    "import": "org",
    "user": "users",
    "audit": "audit",
}


@dataclass(frozen=True)
class Cell:
    """One page or endpoint, one action, one object scope; `urls` names what it exercises."""

    kind: str
    action: str
    scope: str
    urls: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.action}-{self.scope}"

    @property
    def family(self) -> str | None:
        return FAMILY.get(self.kind)  # None: a page of every signed-in user


def expected(persona: str, cell: Cell) -> str:
    """The outcome the rules promise for this persona in this cell."""
    if persona == "outsider":
        return LOGIN
    rule = RULES[persona]
    family, action, scope = cell.family, cell.action, cell.scope
    if family is None:
        return OK
    if action == "verify":
        return OK if rule.verify else FORBIDDEN
    if family not in rule.reads:
        return FORBIDDEN
    scoped = family == "org"
    if action in KIND_READ:
        return OK
    if action in KIND_CREATE:
        return OK if family in rule.creates else FORBIDDEN
    if action in SCOPED_CREATE:
        if family not in rule.creates:
            return FORBIDDEN
        return OK if not scoped or scope in rule.create else REJECTED
    if scoped and scope not in rule.read:
        return NOT_FOUND
    if action in OBJECT_READ:
        return OK
    if action in OBJECT_WRITE:
        allowed = rule.deletes if action in OBJECT_DELETE else rule.write
        if family not in rule.writes or (scoped and scope not in allowed):
            return FORBIDDEN
        if action in MOVES and action.removeprefix("move_") not in rule.create:
            return REJECTED
        return OK
    raise ValueError(f"no rule for action {action!r}")


# The pages ----------------------------------------------------------------------------------

# Object scopes that exist per org kind (a person or unit is never shared).
SCOPES = {
    "unit": ("in_scope", "assigned", "out_of_scope"),
    "person": ("in_scope", "assigned", "out_of_scope"),
    "site": ("in_scope", "out_of_scope", "shared"),
    "team": ("in_scope", "assigned", "out_of_scope", "shared"),
}
CREATE_SCOPES = {
    "unit": ("in_scope", "out_of_scope"),
    "person": ("in_scope", "out_of_scope"),
    "site": ("in_scope", "out_of_scope", "shared"),
    "team": ("in_scope", "out_of_scope", "shared"),
}
EVIDENCE = ("evidence:object_files",)
# Where a move sends an object of each kind, by destination scope: a unit code, None for no
# unit. Each differs from every target's current place (a person cannot be left unit-less).
MOVE_TO = {
    "unit": {"in_scope": "A-TEAM", "out_of_scope": "YIB-DEPT", "shared": None},
    "person": {"in_scope": "A-LEAF", "out_of_scope": "YIB-LEAF"},
    "site": {"in_scope": "A-TEAM", "out_of_scope": "YIB-LEAF", "shared": None},
    "team": {"in_scope": "A-TEAM", "out_of_scope": "YIB-LEAF", "shared": None},
}
# The field that places each kind.
PLACED_BY = {"unit": "parent", "person": "unit", "site": "unit", "team": "unit"}


def _move_cells(kind: str, scope: str) -> list[Cell]:
    cells = []
    for dest in MOVE_TO[kind]:
        if scope == dest == "shared" or (kind, scope, dest) == (
            "unit",
            "out_of_scope",
            "out_of_scope",
        ):
            continue  # already there: no move
        cells.append(Cell(kind, f"move_{dest}", scope, (f"org:{kind}_edit",)))
    return cells


def _org_cells() -> list[Cell]:
    cells = []
    for kind, scopes in SCOPES.items():
        lst, new = f"org:{kind}_list", f"org:{kind}_create"
        detail, edit, delete = f"org:{kind}_detail", f"org:{kind}_edit", f"org:{kind}_delete"
        for action in ("list", "export_csv", "export_xlsx"):
            cells.append(Cell(kind, action, "any", (lst,)))
        cells.append(Cell(kind, "autocomplete", "any", ("org:autocomplete",)))
        cells.append(Cell(kind, "create_get", "any", (new,)))
        cells += [Cell(kind, "create_post", s, (new,)) for s in CREATE_SCOPES[kind]]
        for scope in scopes:
            cells += [
                Cell(kind, "detail", scope, (detail,)),
                Cell(kind, "edit_get", scope, (edit,)),
                Cell(kind, "edit_post", scope, (edit,)),
                Cell(kind, "delete_get", scope, (delete,)),
                Cell(kind, "delete_post", scope, (delete,)),
                Cell(kind, "history", scope, ("audit:object_history",)),
                Cell(kind, "evidence_list", scope, EVIDENCE),
                Cell(kind, "evidence_upload", scope, EVIDENCE),
                Cell(kind, "evidence_download", scope, ("evidence:download",)),
                Cell(kind, "evidence_delete", scope, ("evidence:delete",)),
                *_move_cells(kind, scope),
            ]
    for scope in SCOPES["team"]:
        cells += [
            Cell("team", "member_add", scope, ("org:membership_add",)),
            Cell("team", "member_edit_get", scope, ("org:membership_edit",)),
            Cell("team", "member_edit_post", scope, ("org:membership_edit",)),
            Cell("team", "member_remove", scope, ("org:membership_remove",)),
        ]
    return cells


CELLS: list[Cell] = [
    *_org_cells(),
    Cell("import", "import_get", "any", ("org:import",)),
    Cell("import", "import_template", "any", ("org:import_template",)),
    Cell("import", "import_result", "any", ("org:import_result",)),
    # Upload → dry-run preview → confirmation, rows placed in the scope.
    Cell("import", "import_post", "in_scope", ("org:import", "org:import_confirm")),
    Cell("import", "import_post", "out_of_scope", ("org:import", "org:import_confirm")),
    *[Cell("user", a, "any", ("accounts:user_list",)) for a in ("list", "export_csv")],
    Cell("user", "export_xlsx", "any", ("accounts:user_list",)),
    Cell("user", "create_get", "any", ("accounts:user_create",)),
    Cell("user", "create_post", "any", ("accounts:user_create",)),
    Cell("user", "edit_get", "any", ("accounts:user_edit",)),
    Cell("user", "edit_post", "any", ("accounts:user_edit",)),
    Cell("user", "unlock", "any", ("accounts:user_unlock",)),
    Cell("user", "reset_2fa", "any", ("accounts:user_reset_totp",)),
    Cell("user", "history", "any", ("audit:object_history",)),
    *[Cell("audit", a, "any", ("audit:log",)) for a in ("list", "export_csv", "export_xlsx")],
    Cell("audit", "verify", "any", ("audit:verify",)),
    # Pages of every signed-in user (their own profile and settings, home, search).
    Cell("home", "page", "any", ("site:home",)),
    Cell("search", "page", "any", ("core:search",)),
    Cell("self", "profile", "any", ("accounts:profile",)),
    Cell("self", "security", "any", ("accounts:security",)),
    Cell("self", "password_change", "any", ("accounts:password_change",)),
    Cell("self", "api_token", "any", ("accounts:api_token",)),
    # The analysis is a report every role reads (scoped to what it may read): the pages, the
    # failed-node autocomplete, and the audited exports.
    Cell("analysis", "whatif", "any", ("analysis:whatif",)),
    Cell("analysis", "node_search", "any", ("analysis:node_search",)),
    *[Cell("analysis", page, "any", (f"analysis:{page}",)) for page in ("order", "gaps", "spof")],
    Cell("analysis", "cycles", "any", ("analysis:cycles",)),
    *[
        Cell("analysis", f"{page}_export", "any", (f"analysis:{page}",))
        for page in ("order", "gaps", "spof")
    ],
]

TABLE = [(persona, cell, expected(persona, cell)) for cell in CELLS for persona in PERSONAS]
TABLE_IDS = [f"{persona}-{cell.id}" for persona, cell, _outcome in TABLE]

# URL patterns deliberately outside the table, each with the reason.
NOT_IN_TABLE = {
    # Public: reachable before signing in, by design.
    "healthz": "health check for load balancers",
    "site:favicon": "the site icon",
    "accounts:login": "sign-in page",
    "accounts:second_factor": "second sign-in step; gated by the session, not by a role",
    "accounts:logout": "signing out",
    "accounts:set_language": "language switch, also offered on the sign-in page",
    "set_language": "Django's language switch",
    "accounts:password_reset": "password reset request",
    "accounts:password_reset_done": "password reset request sent",
    "accounts:password_reset_confirm": "password reset link (its token is the credential)",
    "accounts:password_reset_complete": "password reset done",
    # The REST API has its own generated table: resilia/api/tests/test_api_permissions.py.
    "api:*": "API; see resilia/api/tests/test_api_permissions.py and test_api_auth_and_docs.py",
    # Resources, activities, links, graph, checks and their import have their own generated
    # persona × page × scope table: resilia/dependencies/tests/test_views_permissions.py.
    "dependencies:*": "see resilia/dependencies/tests/test_views_permissions.py",
    # The BIA's campaigns, questionnaire and workflow: resilia/bia/tests/test_views_permissions.py.
    "bia:*": "see resilia/bia/tests/test_views_permissions.py",
    # The risk register, matrix, assessments and their import: resilia/risk/tests/.
    "risk:*": "see resilia/risk/tests/test_views_permissions.py and test_importing.py",
    # Hazard inspection and rectification: resilia/hazards/tests/test_views_permissions.py.
    "hazards:*": "see resilia/hazards/tests/test_views_permissions.py",
    # Plans, their versions and sign-off: resilia/plans/tests/test_views_permissions.py.
    "plans:*": "see resilia/plans/tests/test_views_permissions.py",
    # Incidents, their task board and anomaly reports: their own persona table.
    "incidents:*": "see resilia/incidents/tests/test_views_permissions.py",
    # The reporting link anyone may use without an account (its signature is the credential).
    "report_anomaly": "public; see resilia/incidents/tests/test_intake.py",
    # Notification: its pages' table and the two signed public endpoints (acknowledgement
    # link, SMS reply receiver): resilia/notify/tests/test_views_permissions.py.
    "notify:*": "see resilia/notify/tests/test_views_permissions.py",
    # Strategy options, their decision, test and comparison pages.
    "strategies:*": "see resilia/strategies/tests/test_views_permissions.py",
    # The Word template (admin and BCM manager) and report jobs (their requester alone) have
    # their own persona tables: resilia/ops/tests/test_report_template.py, test_report_jobs.py.
    "ops:*": "see resilia/ops/tests/test_report_template.py and test_report_jobs.py",
    # One dependency cycle's page (by its number among the reader's cycles): the order page's
    # guard and scope, tested in resilia/analysis/tests/test_cycles_pages.py.
    "analysis:cycle": "see resilia/analysis/tests/test_cycles_pages.py",
    # A log row's changes and its object's link: the log's readers only.
    "audit:event_changes": "see resilia/audit/tests/test_audit_views.py (every persona)",
    "audit:open_object": "see resilia/audit/tests/test_audit_views.py (every persona)",
    # Saved what-ifs (their author's; the BCM office's too): their own persona × owner table.
    **{
        f"analysis:{name}": "see resilia/analysis/tests/test_saved_permissions.py"
        for name in (
            "saved_create",
            "saved_list",
            "saved_compare",
            "saved_detail",
            "saved_rerun",
            "saved_delete",
        )
    },
}


def url_names(resolver=None, namespace: str = "") -> list[tuple[str, str]]:
    """(qualified name, route) of every URL pattern, walking included resolvers."""
    from django.urls import URLResolver, get_resolver

    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found += [
                (name, f"{pattern.pattern}{route}") for name, route in url_names(pattern, inner)
            ]
        else:
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            found.append((f"{namespace}:{name}" if namespace else name, str(pattern.pattern)))
    return found


def is_exempt(name: str) -> bool:
    return name in NOT_IN_TABLE or f"{name.split(':', 1)[0]}:*" in NOT_IN_TABLE


# The world ----------------------------------------------------------------------------------

B = "乙部门专属"  # every DEPT-B name carries it; lists, exports and search must never show it
B_CODE = "YIB-"  # every DEPT-B code starts with it
B_EN = "DeptBOnly"  # every DEPT-B English name carries it
B_MOBILE = "1399900"  # every DEPT-B mobile number starts with it
B_MARKERS = (B, B_CODE, B_EN, B_MOBILE)
PASSWORD = "Correct-Horse-42!"

# Key of each target object: (kind, scope) → (model, lookup).
TARGETS = {
    ("unit", "in_scope"): (Unit, {"code": "A-LEAF"}),
    ("unit", "assigned"): (Unit, {"code": "A-OWN"}),
    ("unit", "out_of_scope"): (Unit, {"code": "YIB-LEAF"}),
    ("person", "in_scope"): (Person, {"employee_no": "A-101"}),
    ("person", "assigned"): (Person, {"employee_no": "E002"}),
    ("person", "out_of_scope"): (Person, {"employee_no": "YIB-201"}),
    ("site", "in_scope"): (Site, {"code": "SITE-A"}),
    ("site", "out_of_scope"): (Site, {"code": "YIB-SITE"}),
    ("site", "shared"): (Site, {"code": "SITE-SHARED"}),
    ("team", "in_scope"): (Team, {"code": "TEAM-A"}),
    ("team", "assigned"): (Team, {"code": "TEAM-OWN"}),
    ("team", "out_of_scope"): (Team, {"code": "YIB-TEAM"}),
    ("team", "shared"): (Team, {"code": "TEAM-SHARED"}),
}
# The unit a new object of each scope is placed in (None: shared, no unit).
HOME_UNIT = {"in_scope": "DEPT-A", "out_of_scope": "YIB-DEPT", "shared": None}
# The person added to a team of each scope (readable by whoever may write that team).
FREE_PERSON = {
    "in_scope": "A-101",
    "assigned": "A-101",
    "shared": "A-101",
    "out_of_scope": "YIB-201",
}
TARGET_USER = "locked_clerk"


def target(kind: str, scope: str):
    model, lookup = TARGETS[(kind, scope)]
    return model.objects.get(**lookup)


def unit(code: str | None) -> Unit | None:
    return Unit.objects.get(code=code) if code else None


def pdf_upload(name: str = "应急预案.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _user(username: str, role: str, unit_obj=None, person=None, **extra) -> User:
    account = User(
        username=username,
        role=role,
        unit=unit_obj,
        person=person,
        email=f"{username}@example.com",
        **extra,
    )
    account.set_password(PASSWORD)
    account.save()
    return account


def build_world() -> None:
    """The organisation of resilia/conftest.py, plus objects of every scope and their files."""
    grp = org.unit_create(
        actor=None, code="GRP", name="示例集团", name_en="Demo Group", kind="group"
    )
    co = org.unit_create(actor=None, code="CO", name="示例银行", kind="company", parent=grp)
    dept_a = org.unit_create(
        actor=None, code="DEPT-A", name="信息科技部", name_en="IT", kind="department", parent=co
    )
    a_team = org.unit_create(actor=None, code="A-TEAM", name="运维科", kind="team", parent=dept_a)
    dept_b = org.unit_create(
        actor=None,
        code="YIB-DEPT",
        name=f"{B}运营管理部",
        name_en=f"{B_EN} Operations",
        kind="department",
        parent=co,
    )
    people = {
        "alice": org.person_create(
            actor=None, full_name="张伟", employee_no="E001", unit=dept_a, is_key_person=True
        ),
        "bob": org.person_create(
            actor=None, full_name="李娜", employee_no="E002", unit=a_team, mobile="13800000002"
        ),
        "pa": org.person_create(actor=None, full_name="周敏", employee_no="A-101", unit=dept_a),
        "carol": org.person_create(
            actor=None,
            full_name=f"{B}王芳",
            employee_no="YIB-200",
            unit=dept_b,
            mobile=f"{B_MOBILE}0003",
        ),
        "pb": org.person_create(
            actor=None,
            full_name=f"{B}赵强",
            employee_no="YIB-201",
            unit=dept_b,
            mobile=f"{B_MOBILE}0004",
        ),
    }
    org.unit_create(actor=None, code="A-LEAF", name="甲部门科室", kind="team", parent=dept_a)
    org.unit_create(
        actor=None,
        code="A-OWN",
        name="甲部门自管科",
        kind="team",
        parent=dept_a,
        head=people["bob"],
    )
    org.unit_create(
        actor=None,
        code="YIB-LEAF",
        name=f"{B}科室",
        name_en=f"{B_EN} Section",
        kind="team",
        parent=dept_b,
    )
    org.site_create(actor=None, code="SITE-A", name="甲部门办公楼", kind="office", unit=dept_a)
    org.site_create(
        actor=None,
        code="YIB-SITE",
        name=f"{B}数据中心",
        name_en=f"{B_EN} Data Centre",
        kind="data_centre",
        unit=dept_b,
        address=f"{B}地址",
    )
    org.site_create(actor=None, code="SITE-SHARED", name="同城灾备中心", kind="dr_site")
    team_a = org.team_create(
        actor=None, code="TEAM-A", name="甲部门应急小组", kind="emergency", unit=dept_a
    )
    team_own = org.team_create(
        actor=None, code="TEAM-OWN", name="甲部门恢复小组", kind="recovery", unit=dept_a
    )
    team_b = org.team_create(
        actor=None,
        code="YIB-TEAM",
        name=f"{B}应急小组",
        name_en=f"{B_EN} Response Team",
        kind="emergency",
        unit=dept_b,
        responsibilities=f"{B}职责",
    )
    team_shared = org.team_create(actor=None, code="TEAM-SHARED", name="领导小组", kind="steering")
    org.membership_create(actor=None, team=team_a, person=people["alice"], role="member")
    org.membership_create(actor=None, team=team_own, person=people["bob"], role="leader")
    org.membership_create(actor=None, team=team_b, person=people["carol"], role="leader")
    org.membership_create(actor=None, team=team_shared, person=people["alice"], role="member")

    _user("admin", Role.ADMIN)
    _user("manager", Role.BCM_MANAGER)
    _user("coord_a", Role.COORDINATOR, dept_a)
    _user("coord_b", Role.COORDINATOR, dept_b)
    _user("contrib_a", Role.CONTRIBUTOR, dept_a, people["bob"])
    _user("auditor", Role.AUDITOR)
    _user("executive", Role.EXECUTIVE)
    _user(
        TARGET_USER,
        Role.CONTRIBUTOR,
        dept_b,
        people["pb"],
        totp_enabled=True,
        totp_secret="JBSWY3DPEHPK3PXP",
    )
    LoginLock.objects.create(
        username=TARGET_USER.lower(),
        address="203.0.113.9",
        locked_until=timezone.now() + dt.timedelta(hours=1),
    )
    for kind, scope in TARGETS:
        attachment_upload(
            actor=None,
            target=target(kind, scope),
            file=pdf_upload(f"{kind}-{scope}.pdf"),
            description="证据文件",
        )


@pytest.fixture(scope="module")
def perm_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Build the world once per module, in a transaction rolled back when the module ends."""
    root = tmp_path_factory.mktemp("permission-table")
    from django.conf import settings

    storages = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root / "evidence"), "base_url": None},
        },
    }
    with override_settings(STORAGES=storages, MEDIA_ROOT=str(root / "media")):
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                with request_context(source="test"):
                    build_world()
                yield root
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)


def fingerprint() -> tuple:
    """Everything a page could change, as comparable values (tiny tables: a few queries)."""
    return (
        list(Unit.objects.order_by("pk").values_list()),
        list(Person.objects.order_by("pk").values_list()),
        list(Site.objects.order_by("pk").values_list()),
        list(Team.objects.order_by("pk").values_list()),
        list(TeamMembership.objects.order_by("pk").values_list()),
        list(Attachment.objects.order_by("pk").values_list("pk", "object_id", "stored_name")),
        list(LoginLock.objects.order_by("pk").values_list("username", "address", "locked_until")),
        list(
            User.objects.order_by("pk").values_list(
                "pk",
                "username",
                "role",
                "unit",
                "person",
                "first_name",
                "is_active",
                "totp_enabled",
            )
        ),
    )


def import_file(scope: str) -> SimpleUploadedFile:
    """A people CSV with one row placed in the scope's home unit."""
    text = f"employee_no,full_name,unit_code\nIMP-1,导入人员,{HOME_UNIT[scope]}\n"
    return SimpleUploadedFile("people.csv", io.BytesIO(text.encode("utf-8")).getvalue())
