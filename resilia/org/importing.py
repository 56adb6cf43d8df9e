"""Import of units and people from XLSX or CSV: every row valid, or nothing saved.

`org_import()` is the one entry point for the web page, the API and the CLI. It reads the
file into text rows (`read_table`), validates every row against the database and the rest of
the file (`plan_units` / `plan_people`), and only when no row is bad applies the plan through
the org services in one transaction, so each created or updated object has its own audit
event, plus one "import" event summarising the file.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from resilia.audit.services import audit_record
from resilia.core import access
from resilia.org import services
from resilia.org.importing_files import ImportFileError, Table, normalise_header, read_table
from resilia.org.models import Person, Site, Unit, UnitKind

__all__ = ["COLUMNS", "ImportFileError", "ImportResult", "RowError", "RowPlan", "org_import"]

KINDS = ("units", "people")
_WHOLE_FLOAT_RE = re.compile(r"^[0-9]+\.0+$")


# ---------------------------------------------------------------------------------------------
# Columns


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: its stable key, translated header and how to read a cell."""

    key: str
    label: Promise
    field: str
    required: bool = False
    parse: str = "text"  # text, identifier, choice, bool, ref
    help: Promise | str = ""
    aliases: tuple[str, ...] = ()

    def headers(self) -> set[str]:
        """Every header text accepted for this column, in every language, normalised."""
        names = {self.key, *self.aliases}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(str(self.label))
        return {normalise_header(n) for n in names}


UNIT_KIND_ALIASES = {
    "group": ("集团",),
    "company": ("公司", "分公司", "子公司"),
    "department": ("部门", "部"),
    "team": ("科室", "处室", "小组", "section"),
}

UNIT_COLUMNS = (
    Column("code", _("unit code"), "code", True, "identifier", aliases=("code", "编码")),
    Column("name", _("name"), "name", True, aliases=("名称", "单元名称", "部门名称")),
    Column("name_en", _("English name"), "name_en", aliases=("英文名称",)),
    Column(
        "kind",
        _("kind"),
        "kind",
        True,
        "choice",
        help=_("group, company, department or section (the key or the label)"),
        aliases=("类型", "类别", "单元类型"),
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
    Column("title", _("title"), "title", aliases=("职务", "职位")),
    Column(
        "unit_code",
        _("unit code"),
        "unit",
        True,
        "ref",
        help=_("a unit already in the system"),
        aliases=("unit", "部门编码", "单元编码"),
    ),
    Column(
        "site_code",
        _("site code"),
        "site",
        parse="ref",
        help=_("a site already in the system"),
        aliases=("site", "场所编码"),
    ),
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
_TRUE = {"1", "是", "y", "yes", "true", "t", "√", "✓", "x"}
_FALSE = {"0", "否", "n", "no", "false", "f", ""}


# ---------------------------------------------------------------------------------------------
# The plan


@dataclass
class RowError:
    """A bad row: spreadsheet row number, column header (translated) and reason."""

    row: int
    column: str
    message: str

    def __str__(self):
        if self.column:
            return gettext("Row %(row)s, %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return gettext("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class RowPlan:
    """What one valid row does: create, update (with the changed fields) or nothing."""

    row: int
    key: str
    label: str
    action: str = "create"  # create, update, unchanged
    values: dict[str, Any] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)  # field -> key defined in this file
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old, new)
    instance: models.Model | None = None


@dataclass
class ImportResult:
    """The outcome of an import (or of its dry run)."""

    kind: str
    file_name: str
    dry_run: bool
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def _parse_choice(text: str, choices) -> str:
    wanted = normalise_header(text)
    for value, label in choices:
        names = {value, *UNIT_KIND_ALIASES.get(value, ())}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(str(label))
        if wanted in {normalise_header(n) for n in names}:
            return value
    raise ValidationError(
        gettext("“%(value)s” is not one of: %(choices)s.")
        % {"value": text[:50], "choices": gettext(", ").join(str(label) for _v, label in choices)}
    )


def _parse_bool(text: str) -> bool:
    folded = text.casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValidationError(gettext("Enter yes or no (是/否, true/false, 1/0)."))


def _parse_cells(row: int, values: dict[str, str], columns, present, errors) -> dict[str, Any]:
    """Typed values of the present columns; appends a RowError per bad or missing cell."""
    parsed: dict[str, Any] = {}
    for column in columns:
        if column.key not in present:
            continue
        text = values.get(column.key, "")
        if column.parse in ("identifier", "ref") and _WHOLE_FLOAT_RE.match(text):
            text = text.split(".", 1)[0]
        if column.required and not text:
            errors.append(RowError(row, str(column.label), gettext("This field is required.")))
            continue
        try:
            if column.parse == "choice":
                parsed[column.key] = _parse_choice(text, UnitKind.choices)
            elif column.parse == "bool":
                parsed[column.key] = _parse_bool(text)
            else:
                parsed[column.key] = text
        except ValidationError as exc:
            errors.append(RowError(row, str(column.label), " ".join(exc.messages)))
    return parsed


def _clean_errors(row: int, instance, exclude, columns, parsed, present, errors) -> None:
    """Run the model's own validation (types, lengths, validators) without database queries.

    Cells that already failed to parse are left out, so that each gets one message.
    """
    failed = [c.field for c in columns if c.key in present and c.key not in parsed]
    try:
        instance.full_clean(
            exclude=[*exclude, *failed], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        by_field = {c.field: str(c.label) for c in columns}
        for name, messages in exc.message_dict.items():
            column = "" if name == NON_FIELD_ERRORS else by_field.get(name, name)
            errors.append(RowError(row, column, " ".join(messages)))


def _sort_errors(errors: list[RowError], columns) -> None:
    """By row, then in the order of the columns, as the user reads the sheet."""
    order = {str(c.label): index for index, c in enumerate(columns)}
    errors.sort(key=lambda e: (e.row, order.get(e.column, -1)))


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return str(value)


def _changes(instance, plan: RowPlan, columns, present) -> None:
    """Fill plan.changes and plan.values with only the fields that differ from the database."""
    changed = {}
    for column in columns:
        if column.key not in present or column.field not in plan.values:
            continue
        new = plan.values[column.field]
        old = getattr(instance, column.field)
        if column.parse == "ref":
            if column.field in plan.pending:
                changed[column.field] = new
                plan.changes.append((str(column.label), _display(old), plan.pending[column.field]))
                continue
            if (old.pk if old else None) == (new.pk if new else None):
                continue
        elif old == new:
            continue
        changed[column.field] = new
        if column.parse == "choice":
            old_label = dict(UnitKind.choices).get(old, old)
            new_label = dict(UnitKind.choices).get(new, new)
            plan.changes.append((str(column.label), str(old_label), str(new_label)))
        else:
            plan.changes.append((str(column.label), _display(old), _display(new)))
    if changed or plan.pending:
        plan.action = "update"
        plan.values = changed
    else:
        plan.action = "unchanged"
        plan.values = {}


def _duplicate_keys(table: Table, key: str, column, errors) -> None:
    first: dict[str, int] = {}
    for row, values in table.rows:
        value = values.get(key, "")
        if _WHOLE_FLOAT_RE.match(value):
            value = value.split(".", 1)[0]
        if value and value in first:
            errors.append(
                RowError(
                    row,
                    str(column.label),
                    gettext("“%(value)s” is already on row %(first)s of this file.")
                    % {"value": value, "first": first[value]},
                )
            )
        first.setdefault(value, row)


def _out_of_scope() -> str:
    return gettext(
        "This is outside your scope: you may only change your own unit and its sub-units."
    )


def _lookup(queryset, field_name: str, keys) -> dict[str, models.Model]:
    keys = [k for k in set(keys) if k]
    found = {}
    # Chunked so that SQLite's limit on query parameters is never reached.
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for obj in queryset.filter(**{f"{field_name}__in": chunk}):
            found[getattr(obj, field_name)] = obj
    return found


def _chunked_pks(queryset, pks) -> set[int]:
    pks = list(pks)
    found: set[int] = set()
    for start in range(0, len(pks), 500):
        found.update(queryset.filter(pk__in=pks[start : start + 500]).values_list("pk", flat=True))
    return found


def _plain_values(parsed: dict[str, Any], columns, present) -> dict[str, Any]:
    return {
        c.field: parsed[c.key]
        for c in columns
        if c.key in present and c.parse != "ref" and c.key in parsed
    }


def _first_rows(table: Table, key: str) -> dict[str, int]:
    first: dict[str, int] = {}
    for row, values in table.rows:
        value = values.get(key, "")
        if _WHOLE_FLOAT_RE.match(value):
            value = value.split(".", 1)[0]
        if value:
            first.setdefault(value, row)
    return first


def _no_such(kind: str, value: str) -> str:
    messages = {
        "unit": gettext("There is no unit with code “%(value)s” in the system or in this file."),
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
                    ok = access.role_of(self.actor) in access.WRITE_ALL
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


class ParsedTable(NamedTuple):
    """What every register's import plan starts from (see `parse_table`)."""

    col: dict
    errors: list
    rows: list  # (spreadsheet row number, parsed cells)
    existing: dict  # key -> the saved object it names
    writable: set  # pks of those the actor may change
    first: dict  # key -> the first row that names it

    def values(self, name: str) -> list:
        """Every row's parsed value of one column ("" where empty)."""
        return [parsed.get(name, "") for _row, parsed in self.rows]


def parse_table(actor, table: Table, model, key: str, parse_cells=None) -> ParsedTable:
    """The first steps of every import plan: refuse duplicate keys, parse each row's cells
    (with the register's own `parse_cells`, by default this module's), find the saved
    objects the keys name and which of them the actor may change."""
    parse_cells = parse_cells or _parse_cells
    col = {c.key: c for c in table.columns}
    errors: list[RowError] = []
    _duplicate_keys(table, key, col[key], errors)
    rows = [(r, parse_cells(r, v, table.columns, table.present, errors)) for r, v in table.rows]
    existing = _lookup(model.objects.all(), key, [p.get(key, "") for _r, p in rows])
    writable = _chunked_pks(
        model.objects.for_user(actor, write=True), [o.pk for o in existing.values()]
    )
    return ParsedTable(col, errors, rows, existing, writable, _first_rows(table, key))


def plan_units(actor, table: Table) -> tuple[list[RowPlan], list[RowError]]:
    """Validate a units file; parents come before their children in the returned plan."""
    columns, present = table.columns, table.present
    col, errors, parsed_rows, existing, writable, first = prepared = parse_table(
        actor, table, Unit, "code"
    )
    tree = _UnitTree(actor, parsed_rows, present)
    parents = _lookup(Unit.objects.all(), "code", prepared.values("parent_code"))
    heads = _lookup(
        Person.objects.for_user(actor), "employee_no", prepared.values("head_employee_no")
    )
    plans = []
    for row, parsed in parsed_rows:
        code = parsed.get("code", "")
        if not code or first.get(code) != row:
            continue
        unit = existing.get(code)
        plan = RowPlan(row=row, key=code, label=parsed.get("name", ""), instance=unit)
        plan.values = _plain_values(parsed, columns, present)
        candidate = copy.copy(unit) if unit else Unit()
        for name, value in plan.values.items():
            setattr(candidate, name, value)
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
                errors.append(RowError(row, parent_label, _no_such("unit", parent_code)))
        if unit is not None and unit.pk not in writable:
            errors.append(RowError(row, str(col["code"].label), _out_of_scope()))
        elif tree.moved(code) and not tree.cycle(code) and not tree.in_scope(code):
            column = parent_label if "parent_code" in present else str(col["code"].label)
            errors.append(RowError(row, column, _out_of_scope()))
        if "head_employee_no" in present:
            head_no = parsed.get("head_employee_no", "")
            plan.values["head"] = candidate.head = heads.get(head_no)
            if head_no and head_no not in heads:
                errors.append(
                    RowError(row, str(col["head_employee_no"].label), _no_such("person", head_no))
                )
        _clean_errors(
            row, candidate, ["path", "depth", "parent", "head"], columns, parsed, present, errors
        )
        if unit is not None:
            _changes(unit, plan, columns, present)
        plans.append(plan)
    plans.sort(key=lambda p: (tree.depth(p.key), p.row))
    _sort_errors(errors, columns)
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
    units = _lookup(Unit.objects.all(), "code", keys("unit_code"))
    sites = _lookup(Site.objects.for_user(actor), "code", keys("site_code"))
    deputies = _lookup(Person.objects.for_user(actor), "employee_no", keys("deputy_employee_no"))
    plans = []
    for row, parsed in parsed_rows:
        number = parsed.get("employee_no", "")
        if not number or first.get(number) != row:
            continue
        person = existing.get(number)
        plan = RowPlan(row=row, key=number, label=parsed.get("full_name", ""), instance=person)
        plan.values = _plain_values(parsed, columns, present)
        candidate = copy.copy(person) if person else Person()
        for name, value in plan.values.items():
            setattr(candidate, name, value)
        if person is not None and person.pk not in writable:
            errors.append(RowError(row, str(col["employee_no"].label), _out_of_scope()))
        unit_code = parsed.get("unit_code", "")
        if unit_code:
            unit = units.get(unit_code)
            if unit is None:
                errors.append(
                    RowError(row, str(col["unit_code"].label), _no_such("unit", unit_code))
                )
            elif not access.can_create(actor, Person, unit=unit):
                errors.append(RowError(row, str(col["unit_code"].label), _out_of_scope()))
            plan.values["unit"] = candidate.unit = unit
        if "site_code" in present:
            site_code = parsed.get("site_code", "")
            plan.values["site"] = candidate.site = sites.get(site_code)
            if site_code and site_code not in sites:
                errors.append(
                    RowError(row, str(col["site_code"].label), _no_such("site", site_code))
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
                errors.append(RowError(row, label, _no_such("person", deputy_no)))
        _clean_errors(row, candidate, ["unit", "site", "deputy"], columns, parsed, present, errors)
        if person is not None:
            _changes(person, plan, columns, present)
        plans.append(plan)
    _sort_errors(errors, columns)
    return _deputies_first(plans), errors


PLANNERS: dict[str, Callable] = {"units": plan_units, "people": plan_people}


# ---------------------------------------------------------------------------------------------
# Applying


class _ApplyFailed(Exception):
    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


def _apply_row(plan: RowPlan, call: Callable) -> models.Model:
    try:
        return call()
    except ValidationError as exc:
        # The database changed since validation (another user's edit): report, roll back.
        raise _ApplyFailed(RowError(plan.row, "", " ".join(exc.messages))) from exc


def _apply_units(actor, result: ImportResult) -> None:
    created: dict[str, Unit] = {}
    for plan in result.rows:  # plan_units ordered them parents first
        values = dict(plan.values)
        if "parent" in plan.pending:
            values["parent"] = created.get(plan.pending["parent"]) or Unit.objects.get(
                code=plan.pending["parent"]
            )
        if plan.action == "create":
            created[plan.key] = _apply_row(
                plan, lambda v=values: services.unit_create(actor=actor, **v)
            )
        elif plan.action == "update":
            # Fetched again: an ancestor moved earlier in this import changed its path.
            fresh = Unit.objects.get(pk=plan.instance.pk)
            _apply_row(
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
            person = _apply_row(plan, lambda v=values: services.person_create(actor=actor, **v))
        elif plan.action == "update":
            person = _apply_row(
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
        _apply_row(
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
    file_name = PurePath(name or getattr(file, "name", "") or "").name
    table = read_table(COLUMNS[kind], file_name, file)
    result = ImportResult(kind=kind, file_name=file_name, dry_run=dry_run, notices=table.notices)
    result.rows, result.errors = PLANNERS[kind](actor, table)
    if dry_run or result.errors:
        return result
    try:
        with transaction.atomic():
            (_apply_units if kind == "units" else _apply_people)(actor, result)
            audit_record(
                actor=actor,
                action="import",
                object_type=model._meta.label_lower,
                object_repr=file_name[:300],
                changes={
                    "file": file_name,
                    "kind": kind,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    except _ApplyFailed as exc:
        result.errors = [exc.error]
        return result
    result.applied = True
    return result
