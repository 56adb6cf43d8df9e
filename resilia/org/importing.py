"""Import of units and people from XLSX or CSV: every row valid, or nothing saved.

`org_import()` is the one entry point for the web page, the API and the CLI. It reads the
file into text rows (`read_table`), validates every row against the database and the rest of
the file (`plan_units` / `plan_people`), and only when no row is bad applies the plan through
the org services in one transaction, so each created or updated object has its own audit
event, plus one "import" event summarising the file.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.importfiles import Table
from resilia.core.importing import (
    Column,
    ImportFileError,
    ImportResult,
    RowError,
    RowPlan,
    apply_row,
    changes,
    clean_errors,
    lookup,
    name_columns,
    out_of_scope,
    parse_table,
    run_import,
    sort_errors,
)
from resilia.org import services
from resilia.org.models import Person, Site, Unit, UnitKind

__all__ = ["COLUMNS", "ImportFileError", "ImportResult", "RowError", "RowPlan", "org_import"]

KINDS = ("units", "people")


def unit_column(*, required: bool, help) -> Column:
    """The column naming a row's unit by its code (a reference the planner resolves)."""
    return Column(
        "unit_code",
        _("unit code"),
        "unit",
        required,
        "ref",
        help=help,
        aliases=("unit", "部门编码", "单元编码"),
    )


def site_column(*, help="") -> Column:
    """The column naming a row's site by its code."""
    return Column(
        "site_code", _("site code"), "site", parse="ref", help=help, aliases=("site", "场所编码")
    )


def person_column(key: str, label, field: str, *, aliases=(), help="") -> Column:
    """A column naming a person by employee number (owner, head, deputy, key person)."""
    return Column(key, label, field, parse="ref", help=help, aliases=aliases)


UNIT_KIND_ALIASES = (
    ("group", ("集团",)),
    ("company", ("公司", "分公司", "子公司")),
    ("department", ("部门", "部")),
    ("team", ("科室", "处室", "小组", "section")),
)

UNIT_COLUMNS = (
    *name_columns(
        code_label=_("unit code"), code_aliases=("code",), name_aliases=("单元名称", "部门名称")
    ),
    Column(
        "kind",
        _("kind"),
        "kind",
        True,
        "choice",
        help=_("group, company, department or section (the key or the label)"),
        aliases=("类型", "类别", "单元类型"),
        choices=tuple(UnitKind.choices),
        choice_aliases=UNIT_KIND_ALIASES,
    ),
    Column(
        "parent_code",
        _("parent unit code"),
        "parent",
        parse="ref",
        help=_("a unit in the system or in this file; empty for a top-level unit"),
        aliases=("parent", "上级编码", "上级部门编码"),
    ),
    Column(
        "head_employee_no",
        _("head employee number"),
        "head",
        parse="ref",
        help=_("a person already in the system"),
        aliases=("head", "负责人工号"),
    ),
    Column("description", _("description"), "description", aliases=("描述", "说明")),
)

PERSON_COLUMNS = (
    Column(
        "employee_no",
        _("employee number"),
        "employee_no",
        True,
        "identifier",
        aliases=("工号", "员工号", "员工编号"),
    ),
    Column("full_name", _("full name"), "full_name", True, aliases=("姓名", "name")),
    Column("title", pgettext_lazy("a person's job", "title"), "title", aliases=("职务", "职位")),
    unit_column(required=True, help=_("a unit already in the system")),
    site_column(help=_("a site already in the system")),
    Column(
        "deputy_employee_no",
        _("deputy employee number"),
        "deputy",
        parse="ref",
        help=_("a person in the system or in this file"),
        aliases=("deputy", "代理人工号", "备份人员工号", "b角工号"),
    ),
    Column("mobile", _("mobile"), "mobile", parse="identifier", aliases=("手机", "手机号码")),
    Column("office_phone", _("office phone"), "office_phone", parse="identifier"),
    Column("email", _("e-mail"), "email", aliases=("email", "邮箱", "电子邮箱")),
    Column("wecom_id", _("WeCom user id"), "wecom_id", parse="identifier", aliases=("企业微信",)),
    Column(
        "dingtalk_id", _("DingTalk user id"), "dingtalk_id", parse="identifier", aliases=("钉钉",)
    ),
    Column("feishu_id", _("Feishu user id"), "feishu_id", parse="identifier", aliases=("飞书",)),
    Column(
        "is_key_person",
        _("key person"),
        "is_key_person",
        parse="bool",
        help=_("yes or no (是/否, true/false, 1/0); empty means no"),
        aliases=("是否关键人员",),
    ),
    Column("notes", _("notes"), "notes", aliases=("备注",)),
)

COLUMNS = {"units": UNIT_COLUMNS, "people": PERSON_COLUMNS}
KIND_LABELS = {"units": _("Units"), "people": _("People")}


def no_such(kind: str, value: str, *, in_file: bool = True) -> str:
    """Why a reference cell names nothing the actor can see (unit, person or site);
    in_file: the file itself could have defined the unit."""
    messages = {
        "unit": gettext("There is no unit with code “%(value)s” in the system or in this file.")
        if in_file
        else gettext("There is no unit with code “%(value)s”."),
        "person": gettext("There is no person with employee number “%(value)s” that you can see."),
        "site": gettext("There is no site with code “%(value)s” that you can see."),
    }
    return messages[kind] % {"value": value[:50]}


class _UnitTree:
    """The unit tree as it will be once the file is applied: parents, cycles and scope."""

    def __init__(self, actor, parsed_rows, present):
        self.actor = actor
        self.db = {
            code: (pk, parent_id, path)
            for pk, code, parent_id, path in Unit.objects.values_list(
                "pk", "code", "parent_id", "path"
            )
        }
        self.code_of = {pk: code for code, (pk, _p, _path) in self.db.items()}
        self.file_parent: dict[str, str | None] = {}
        for _row, parsed in parsed_rows:
            code = parsed.get("code")
            if not code or code in self.file_parent:
                continue
            if "parent_code" in present:
                self.file_parent[code] = parsed.get("parent_code") or None
            elif code not in self.db:
                self.file_parent[code] = None
        self._scope: dict[str, bool] = {}

    def parent(self, code: str) -> str | None:
        if code in self.file_parent:
            return self.file_parent[code]
        parent_id = self.db[code][1] if code in self.db else None
        return self.code_of.get(parent_id)

    def moved(self, code: str) -> bool:
        """New in the file, or given another parent by it."""
        return code not in self.db or (
            code in self.file_parent and self.parent(code) != self.code_of.get(self.db[code][1])
        )

    def cycle(self, code: str) -> list[str] | None:
        chain, current = [code], self.parent(code)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent(current)
        return [*chain[chain.index(current) :], current] if current is not None else None

    def in_scope(self, code: str, seen: frozenset = frozenset()) -> bool:
        """Whether the actor may have a unit at this place of the final tree."""
        if code not in self._scope:
            if code in seen:
                return False
            if self.moved(code):
                parent = self.parent(code)
                if parent is None:
                    # A top-level unit: only those who may create one anywhere may place it.
                    ok = access.may_place_unscoped(self.actor)
                else:
                    ok = self.in_scope(parent, seen | {code})
            else:
                pk, _parent, path = self.db[code]
                ok = access.can_create(self.actor, Unit, unit=Unit(pk=pk, path=path))
            self._scope[code] = ok
        return self._scope[code]

    def depth(self, code: str) -> int:
        depth, current = 0, self.parent(code)
        while current is not None and current in self.file_parent and depth < 10_000:
            depth, current = depth + 1, self.parent(current)
        return depth


def plan_units(actor, table: Table) -> tuple[list[RowPlan], list[RowError]]:
    """Validate a units file; parents come before their children in the returned plan."""
    columns, present = table.columns, table.present
    col, errors, parsed_rows, existing, writable, first = prepared = parse_table(
        actor, table, Unit, "code"
    )
    tree = _UnitTree(actor, parsed_rows, present)
    parents = lookup(Unit.objects.all(), "code", prepared.values("parent_code"))
    heads = lookup(
        Person.objects.for_user(actor), "employee_no", prepared.values("head_employee_no")
    )
    plans = []
    for row, parsed, plan, candidate in prepared.plans(table, Unit, "code", "name"):
        code, unit = plan.key, plan.instance
        parent_label = str(col["parent_code"].label)
        if "parent_code" in present:
            parent_code = parsed.get("parent_code", "")
            plan.values["parent"] = parents.get(parent_code)
            candidate.parent = parents.get(parent_code)
            cycle = tree.cycle(code)
            if cycle:
                candidate.parent = None  # reported once, as a cycle
                errors.append(
                    RowError(
                        row,
                        parent_label,
                        gettext("The parent units form a cycle: %(cycle)s.")
                        % {"cycle": " → ".join(cycle)},
                    )
                )
            elif parent_code and parent_code in first and parent_code not in existing:
                plan.pending["parent"] = parent_code
                candidate.parent = None
            elif parent_code and parent_code not in parents:
                errors.append(RowError(row, parent_label, no_such("unit", parent_code)))
        refused = unit is not None and unit.pk not in writable  # said by prepared.plans()
        if not refused and tree.moved(code) and not tree.cycle(code) and not tree.in_scope(code):
            column = parent_label if "parent_code" in present else str(col["code"].label)
            errors.append(RowError(row, column, out_of_scope()))
        if "head_employee_no" in present:
            head_no = parsed.get("head_employee_no", "")
            plan.values["head"] = candidate.head = heads.get(head_no)
            if head_no and head_no not in heads:
                errors.append(
                    RowError(row, str(col["head_employee_no"].label), no_such("person", head_no))
                )
        clean_errors(
            row, candidate, ["path", "depth", "parent", "head"], columns, parsed, present, errors
        )
        if unit is not None:
            changes(unit, plan, columns, present)
        plans.append(plan)
    plans.sort(key=lambda p: (tree.depth(p.key), p.row))
    sort_errors(errors, columns)
    return plans, errors


def _deputies_first(plans: list[RowPlan]) -> list[RowPlan]:
    """Order rows so that a deputy defined in the file is created before who names them."""
    by_key = {p.key: p for p in plans}
    ordered: list[RowPlan] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    for start in plans:
        stack = [start]
        while stack:
            plan = stack[-1]
            if state.get(plan.key) == 2:
                stack.pop()
                continue
            state[plan.key] = 1
            deputy = by_key.get(plan.pending.get("deputy", ""))
            if deputy is not None and state.get(deputy.key) is None:
                stack.append(deputy)
                continue
            # A cycle of deputies (A ↔ B) stops here; the apply step sets the last link later.
            state[plan.key] = 2
            ordered.append(plan)
            stack.pop()
    return ordered


def plan_people(actor, table: Table) -> tuple[list[RowPlan], list[RowError]]:
    """Validate a people file; deputies defined in the file come first where they can."""
    columns, present = table.columns, table.present
    col, errors, parsed_rows, existing, writable, first = prepared = parse_table(
        actor, table, Person, "employee_no"
    )
    keys = prepared.values
    units = lookup(Unit.objects.all(), "code", keys("unit_code"))
    sites = lookup(Site.objects.for_user(actor), "code", keys("site_code"))
    deputies = lookup(Person.objects.for_user(actor), "employee_no", keys("deputy_employee_no"))
    plans = []
    for row, parsed, plan, candidate in prepared.plans(table, Person, "employee_no", "full_name"):
        number, person = plan.key, plan.instance
        unit_code = parsed.get("unit_code", "")
        if unit_code:
            unit = units.get(unit_code)
            if unit is None:
                errors.append(
                    RowError(row, str(col["unit_code"].label), no_such("unit", unit_code))
                )
            elif not access.may_place(actor, Person, unit, instance=person):
                errors.append(RowError(row, str(col["unit_code"].label), out_of_scope()))
            plan.values["unit"] = candidate.unit = unit
        if "site_code" in present:
            site_code = parsed.get("site_code", "")
            plan.values["site"] = candidate.site = sites.get(site_code)
            if site_code and site_code not in sites:
                errors.append(
                    RowError(row, str(col["site_code"].label), no_such("site", site_code))
                )
        if "deputy_employee_no" in present:
            deputy_no = parsed.get("deputy_employee_no", "")
            deputy = existing.get(deputy_no) or deputies.get(deputy_no)
            plan.values["deputy"] = candidate.deputy = deputy
            label = str(col["deputy_employee_no"].label)
            if deputy_no and deputy_no == number:
                errors.append(RowError(row, label, gettext("A person cannot be their own deputy.")))
            elif deputy is None and deputy_no in first:
                plan.pending["deputy"] = deputy_no
            elif deputy_no and deputy is None:
                errors.append(RowError(row, label, no_such("person", deputy_no)))
        clean_errors(row, candidate, ["unit", "site", "deputy"], columns, parsed, present, errors)
        if person is not None:
            changes(person, plan, columns, present)
        plans.append(plan)
    sort_errors(errors, columns)
    return _deputies_first(plans), errors


PLANNERS: dict[str, Callable] = {"units": plan_units, "people": plan_people}


# ---------------------------------------------------------------------------------------------
# Applying


def _apply_units(actor, result: ImportResult) -> None:
    created: dict[str, Unit] = {}
    for plan in result.rows:  # plan_units ordered them parents first
        values = dict(plan.values)
        if "parent" in plan.pending:
            values["parent"] = created.get(plan.pending["parent"]) or Unit.objects.get(
                code=plan.pending["parent"]
            )
        if plan.action == "create":
            created[plan.key] = apply_row(
                plan, lambda v=values: services.unit_create(actor=actor, **v)
            )
        elif plan.action == "update":
            # Fetched again: an ancestor moved earlier in this import changed its path.
            fresh = Unit.objects.get(pk=plan.instance.pk)
            apply_row(
                plan, lambda f=fresh, v=values: services.unit_update(actor=actor, unit=f, **v)
            )


def _apply_people(actor, result: ImportResult) -> None:
    saved: dict[str, Person] = {}
    deferred: list[tuple[RowPlan, Person]] = []
    for plan in result.rows:  # plan_people ordered deputies first where they can be
        values = dict(plan.values)
        later = None
        if "deputy" in plan.pending:
            later = plan.pending["deputy"]
            values["deputy"] = saved.get(later)
            if values["deputy"] is None:
                values.pop("deputy")
            else:
                later = None
        if plan.action == "create":
            person = apply_row(plan, lambda v=values: services.person_create(actor=actor, **v))
        elif plan.action == "update":
            person = apply_row(
                plan,
                lambda v=values, p=plan.instance: services.person_update(
                    actor=actor, person=p, **v
                ),
            )
        else:
            person = plan.instance
        saved[plan.key] = person
        if later is not None:
            deferred.append((plan, person))
    # Deputies that point at each other: the second of each pair is set once both exist.
    for plan, person in deferred:
        deputy = saved[plan.pending["deputy"]]
        apply_row(
            plan,
            lambda p=person, d=deputy: services.person_update(actor=actor, person=p, deputy=d),
        )


def org_import(*, actor, kind: str, file, dry_run: bool, name: str | None = None) -> ImportResult:
    """Validate a units or people file and, unless dry_run or any row is bad, apply it.

    Raises PermissionDenied when the actor may not create objects of the kind at all, and
    ImportFileError when the file as a whole is unreadable. Row problems are returned in
    `result.errors` (nothing is saved then). Matching is by unit code / employee number, so
    importing the same file twice changes nothing the second time.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    model = Unit if kind == "units" else Person
    if not access.can_create(actor, model):
        raise PermissionDenied
    return run_import(
        actor=actor,
        kind=kind,
        model=model,
        columns=COLUMNS[kind],
        plan=PLANNERS[kind],
        apply=_apply_units if kind == "units" else _apply_people,
        file=file,
        dry_run=dry_run,
        name=name,
    )
