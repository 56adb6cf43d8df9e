"""Import of resources, activities and dependency links from XLSX or CSV: all or nothing.

Built on the kit's import engine (resilia.core.importing: file reading, columns, row errors,
plans, results, the all-or-nothing run): this module only declares the columns and validates
the rows of its three kinds against the database and the rest of the file, then applies the
plan through resilia.dependencies.services (each object audited, plus one "import" event).
Every refused row names its row number, column and, for links, the link.
"""

from __future__ import annotations

import copy

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.durations import DurationError, parse_minutes
from resilia.core.importing import (
    Column,
    ImportFileError,
    ImportResult,
    RowError,
    RowPlan,
    apply_row,
    changes,
    chunked_pks,
    clean_errors,
    lookup,
    name_columns,
    out_of_scope,
    parse_cells,
    parse_table,
    run_import,
    sort_errors,
)
from resilia.dependencies import rules, services
from resilia.dependencies.models import Activity, Criticality, Dependency, Resource
from resilia.org.importing import no_such, person_column, site_column, unit_column
from resilia.org.models import Person, Site, Unit

__all__ = ["COLUMNS", "KINDS", "KIND_LABELS", "ImportFileError", "dependencies_import"]

KINDS = ("resources", "activities", "links")
KIND_LABELS = {"resources": _("Resources"), "activities": _("Activities"), "links": _("Links")}
MODELS = {"resources": Resource, "activities": Activity, "links": Dependency}


def minutes(text: str) -> int | None:
    """A duration cell: minutes, or with units (4h, 2h30m, 2d, 4小时); empty is None."""
    try:
        return parse_minutes(text)
    except DurationError as exc:
        raise ValidationError(str(exc.message)) from None


RESOURCE_KIND_ALIASES = (
    ("application", ("应用", "应用系统", "系统", "app")),
    ("infrastructure", ("基础设施", "IT基础设施", "服务器", "数据库", "网络")),
    ("data", ("数据",)),
    ("facility", ("设施", "场所", "机房", "数据中心")),
    ("supplier", ("供应商", "第三方", "外包")),
    ("equipment", ("设备",)),
    ("key_person", ("关键人员", "岗位", "人员")),
    ("utility", ("公用设施", "电力", "通信", "供水")),
)
NODE_KINDS = (("activity", _("activity")), ("resource", _("resource")))
NODE_KIND_ALIASES = (("activity", ("活动", "业务活动", "流程")), ("resource", ("资源",)))
_DURATION_HELP = _("minutes, or with units: 4h, 2h30m, 2d, 4小时")

RESOURCE_COLUMNS = (
    *name_columns(code_aliases=("资源编码",), name_aliases=("资源名称",)),
    Column(
        "kind",
        _("kind"),
        "kind",
        True,
        "choice",
        help=_("the key or the label of a kind"),
        aliases=("类型", "类别"),
        choices=tuple(Resource.Kind.choices),
        choice_aliases=RESOURCE_KIND_ALIASES,
    ),
    unit_column(
        required=False,
        help=_("a unit in the system; empty for a resource shared by the whole organisation"),
    ),
    person_column(
        "owner_employee_no", _("owner employee number"), "owner", aliases=("owner", "负责人工号")
    ),
    Column(
        "criticality",
        _("criticality"),
        "criticality",
        parse="choice",
        aliases=("重要性", "关键程度"),
        choices=tuple(Criticality.choices),
    ),
    Column("description", _("description"), "description", aliases=("描述", "说明")),
    site_column(),
    person_column(
        "key_person_employee_no",
        _("key person employee number"),
        "person",
        aliases=("关键人员工号",),
    ),
    Column(
        "recovery_time",
        _("achievable recovery time"),
        "recovery_time",
        parse=minutes,
        help=_DURATION_HELP,
        aliases=("可实现恢复时间",),
    ),
    Column(
        "recovery_point",
        _("achievable recovery point"),
        "recovery_point",
        parse=minutes,
        help=_DURATION_HELP,
        aliases=("可实现恢复点",),
    ),
    Column(
        "capability_tested_on",
        _("capability tested on"),
        "capability_tested_on",
        parse="date",
        help=_("a date, 2025-06-30"),
        aliases=("测试日期",),
    ),
    Column(
        "capability_evidence",
        _("evidence of the test"),
        "capability_evidence",
        aliases=("测试证据",),
    ),
    Column(
        "redundancy",
        _("redundancy"),
        "redundancy",
        parse="choice",
        aliases=("冗余",),
        choices=tuple(Resource.Redundancy.choices),
    ),
)

ACTIVITY_COLUMNS = (
    *name_columns(code_aliases=("活动编码",), name_aliases=("活动名称",)),
    unit_column(required=True, help=_("a unit in the system")),
    person_column(
        "owner_employee_no", _("owner employee number"), "owner", aliases=("owner", "负责人工号")
    ),
    Column("products", _("products and services"), "products", aliases=("产品和服务",)),
    Column("description", _("description"), "description", aliases=("描述", "说明")),
    Column("mtpd", _("MTPD"), "mtpd", parse=minutes, help=_DURATION_HELP),
    Column("rto", _("RTO"), "rto", parse=minutes, help=_DURATION_HELP),
    Column("rpo", _("RPO"), "rpo", parse=minutes, help=_DURATION_HELP),
    Column("mbco", _("MBCO"), "mbco"),
)


def _end_columns(end: str, code_label, kind_label, help, chinese: str) -> tuple[Column, Column]:
    """The code and kind columns of one end of a link (dependent or dependency)."""
    return (
        Column(
            f"{end}_code",
            code_label,
            end,
            True,
            "identifier",
            help=help,
            aliases=(f"{chinese}编码",),
        ),
        Column(
            f"{end}_kind",
            kind_label,
            f"{end}_kind",
            parse="choice",
            help=_("activity or resource; may be empty when the code is not ambiguous"),
            aliases=(f"{chinese}类型",),
            choices=NODE_KINDS,
            choice_aliases=NODE_KIND_ALIASES,
        ),
    )


LINK_COLUMNS = (
    *_end_columns(
        "dependent",
        _("dependent code"),
        _("dependent kind"),
        _("the activity or resource that needs the other"),
        "依赖方",
    ),
    *_end_columns(
        "dependency",
        _("dependency code"),
        _("dependency kind"),
        _("the activity or resource it needs"),
        "被依赖方",
    ),
    Column(
        "group",
        _("redundancy group"),
        "group",
        help=_("empty: needed (AND); a name: any one of the group will do (OR)"),
        aliases=("冗余组",),
    ),
    Column(
        "tolerance",
        _("tolerance"),
        "tolerance",
        parse=minutes,
        help=_DURATION_HELP,
        aliases=("容忍时间",),
    ),
    Column("note", _("note"), "note", aliases=("备注",)),
)

COLUMNS = {"resources": RESOURCE_COLUMNS, "activities": ACTIVITY_COLUMNS, "links": LINK_COLUMNS}


# Cells ----------------------------------------------------------------------------------------


def _refs(plan, candidate, parsed, present, col, errors, row, refs) -> None:
    """Resolve the reference columns (unit, owner, site, key person) of one row."""
    for key, found_by_key, kind in refs:
        if key not in present:
            continue
        text = parsed.get(key, "")
        found = found_by_key.get(text)
        field = col[key].field
        plan.values[field] = found
        setattr(candidate, field, found)
        if text and found is None:
            errors.append(RowError(row, str(col[key].label), no_such(kind, text, in_file=False)))


# Resources and activities ---------------------------------------------------------------------


def _plan_nodes(actor, table, model) -> tuple[list[RowPlan], list[RowError]]:
    """Validate a resources or activities file, matched by code."""
    columns, present = table.columns, table.present
    prepared = parse_table(actor, table, model, "code")
    col, errors, writable, keys = prepared.col, prepared.errors, prepared.writable, prepared.values
    units = lookup(Unit.objects.all(), "code", keys("unit_code"))
    people = Person.objects.for_user(actor)
    refs = [
        ("unit_code", units, "unit"),
        ("owner_employee_no", lookup(people, "employee_no", keys("owner_employee_no")), "person"),
    ]
    if model is Resource:
        refs += [
            ("site_code", lookup(Site.objects.for_user(actor), "code", keys("site_code")), "site"),
            (
                "key_person_employee_no",
                lookup(people, "employee_no", keys("key_person_employee_no")),
                "person",
            ),
        ]
    plans = []
    for row, parsed, plan, candidate in prepared.plans(table, model, "code", "name"):
        obj = plan.instance
        _refs(plan, candidate, parsed, present, col, errors, row, refs)
        refused = obj is not None and obj.pk not in writable  # said by prepared.plans()
        if not refused and ("unit_code" in present or obj is None):
            unit = plan.values.get("unit") if "unit_code" in present else None
            unit_text = parsed.get("unit_code", "")
            moved = obj is None or (unit.pk if unit else None) != obj.unit_id
            if moved and unit is not None and not access.can_create(actor, model, unit=unit):
                errors.append(RowError(row, str(col["unit_code"].label), out_of_scope()))
            elif moved and unit is None and not unit_text and model is Resource:
                message = rules.resource_sharing_error(actor, unit=None)
                if message:
                    errors.append(RowError(row, str(col["unit_code"].label), message))
        clean_errors(
            row, candidate, ["unit", "owner", "site", "person"], columns, parsed, present, errors
        )
        if obj is not None:
            changes(obj, plan, columns)
        plans.append(plan)
    sort_errors(errors, columns)
    return plans, errors


# Links ----------------------------------------------------------------------------------------


class _Nodes:
    """Activities and resources of the codes a links file names, readable and writable."""

    def __init__(self, actor, codes):
        self.readable = {
            "activity": lookup(Activity.objects.for_user(actor), "code", codes),
            "resource": lookup(Resource.objects.for_user(actor), "code", codes),
        }
        self.writable = {
            "activity": chunked_pks(
                Activity.objects.for_user(actor, write=True),
                [o.pk for o in self.readable["activity"].values()],
            ),
            "resource": chunked_pks(
                Resource.objects.for_user(actor, write=True),
                [o.pk for o in self.readable["resource"].values()],
            ),
        }

    def find(self, code: str, kind: str):
        """(node, error message); kind "" resolves the code when only one kind has it."""
        kinds = [kind] if kind else ["activity", "resource"]
        found = [self.readable[k][code] for k in kinds if code in self.readable[k]]
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, gettext(
                "“%(code)s” is both an activity and a resource: fill in the kind column."
            ) % {"code": code[:50]}
        return None, gettext(
            "There is no activity or resource with code “%(code)s” that you can see."
        ) % {"code": code[:50]}

    def can_write(self, node) -> bool:
        kind = "activity" if isinstance(node, Activity) else "resource"
        return node.pk in self.writable[kind]


def plan_links(actor, table) -> tuple[list[RowPlan], list[RowError]]:
    """Validate a links file, matched by (dependent, dependency)."""
    columns, present = table.columns, table.present
    col = {c.key: c for c in columns}
    errors: list[RowError] = []
    parsed_rows = [(row, parse_cells(row, v, columns, present, errors)) for row, v in table.rows]
    codes = [p.get(k, "") for _r, p in parsed_rows for k in ("dependent_code", "dependency_code")]
    nodes = _Nodes(actor, codes)
    seen: dict[tuple, int] = {}
    plans = []
    for row, parsed in parsed_rows:
        if "dependent_code" not in parsed or "dependency_code" not in parsed:
            continue
        dependent, error = nodes.find(parsed["dependent_code"], parsed.get("dependent_kind", ""))
        if error:
            errors.append(RowError(row, str(col["dependent_code"].label), error))
        dependency, error = nodes.find(parsed["dependency_code"], parsed.get("dependency_kind", ""))
        if error:
            errors.append(RowError(row, str(col["dependency_code"].label), error))
        if dependent is None or dependency is None:
            continue
        name = gettext("%(dependent)s → %(dependency)s") % {
            "dependent": f"{dependent.code}",
            "dependency": f"{dependency.code}",
        }

        def refuse(column_key, message, name=name, row=row):
            errors.append(
                RowError(row, str(col[column_key].label), rules.link_named(name, message))
            )

        ends = services._endpoints(dependent, dependency)
        key = tuple((k, v.pk if v else None) for k, v in ends.items())
        message = rules.link_end_error(rules.node_ref(dependent), rules.node_ref(dependency))
        if message:
            refuse("dependency_code", message)
            continue
        if not nodes.can_write(dependent):
            refuse("dependent_code", out_of_scope())
            continue
        if key in seen:
            where = gettext("row %(row)s of this file") % {"row": seen[key]}
            refuse("dependency_code", rules.duplicate_link(where))
            continue
        seen[key] = row
        existing = Dependency.objects.filter(**ends).first()
        plan = RowPlan(row=row, key=name, label="", instance=existing)
        plan.values = {
            "group": (parsed.get("group") or "").strip(),
            "tolerance": parsed.get("tolerance") or 0,
            "note": parsed.get("note", ""),
        }
        plan.values = {
            k: v for k, v in plan.values.items() if col[k].key in present or existing is None
        }
        candidate = copy.copy(existing) if existing else Dependency(**ends)
        for field, value in plan.values.items():
            setattr(candidate, field, value)
        before = len(errors)
        clean_errors(row, candidate, list(ends), columns, parsed, present, errors)
        for error in errors[before:]:
            error.message = rules.link_named(name, error.message)
        plan.pending = {"dependent": dependent, "dependency": dependency}
        if existing is not None:
            changes(existing, plan, columns)
        plans.append(plan)
    sort_errors(errors, columns)
    return plans, errors


def _node_ref(node) -> tuple[str, int]:
    return ("activity" if isinstance(node, Activity) else "resource", node.pk)


def _lonely_group_notices(plans: list[RowPlan]) -> list[str]:
    """OR groups of one member once the file is applied: reported, not refused."""
    dependents = {_node_ref(p.pending["dependent"]): p.pending["dependent"] for p in plans}
    groups: dict[tuple, set] = {}
    for kind in ("activity", "resource"):
        pks = [pk for k, pk in dependents if k == kind]
        links = Dependency.objects.filter(**{f"dependent_{kind}_id__in": pks}).exclude(group="")
        for link in links.select_related("dependency_activity", "dependency_resource"):
            key = ((kind, getattr(link, f"dependent_{kind}_id")), link.group)
            groups.setdefault(key, set()).add(_node_ref(link.dependency))
    for plan in plans:
        dependent, member = (
            _node_ref(plan.pending["dependent"]),
            _node_ref(plan.pending["dependency"]),
        )
        if plan.instance is not None and plan.instance.group:
            groups.get((dependent, plan.instance.group), set()).discard(member)
        group = plan.values.get("group", plan.instance.group if plan.instance else "")
        if group:
            groups.setdefault((dependent, group), set()).add(member)
    return [
        rules.lonely_group(group, dependents[dependent].code)
        for (dependent, group), members in sorted(groups.items())
        if len(members) == 1 and dependent in dependents
    ]


# Applying -------------------------------------------------------------------------------------


def _apply_nodes(actor, result: ImportResult, model) -> None:
    create = services.resource_create if model is Resource else services.activity_create
    update = services.resource_update if model is Resource else services.activity_update
    name = "resource" if model is Resource else "activity"
    for plan in result.rows:
        if plan.action == "create":
            apply_row(plan, lambda v=plan.values: create(actor=actor, **v))
        elif plan.action == "update":
            apply_row(
                plan,
                lambda v=plan.values, o=plan.instance: update(actor=actor, **{name: o}, **v),
            )


def _apply_links(actor, result: ImportResult) -> None:
    for plan in result.rows:
        if plan.action == "create":
            apply_row(
                plan,
                lambda p=plan: services.dependency_create(
                    actor=actor,
                    dependent=p.pending["dependent"],
                    dependency=p.pending["dependency"],
                    **p.values,
                ),
            )
        elif plan.action == "update":
            apply_row(
                plan,
                lambda p=plan: services.dependency_update(
                    actor=actor, dependency=p.instance, **p.values
                ),
            )


def dependencies_import(
    *, actor, kind: str, file, dry_run: bool, name: str | None = None
) -> ImportResult:
    """Validate a resources, activities or links file and, unless dry_run or any row is bad,
    apply it in one transaction. Raises PermissionDenied when the actor may create nothing of
    the kind, ImportFileError when the file is unreadable; row problems are in result.errors.
    Importing the same file twice changes nothing the second time."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    if not can_import(actor, kind):
        raise PermissionDenied
    if kind == "links":
        plan, apply, notices = plan_links, _apply_links, _lonely_group_notices
    else:
        model = MODELS[kind]

        def plan(actor, table):
            return _plan_nodes(actor, table, model)

        def apply(actor, result):
            _apply_nodes(actor, result, model)

        notices = None
    return run_import(
        actor=actor,
        kind=kind,
        model=MODELS[kind],
        columns=COLUMNS[kind],
        plan=plan,
        apply=apply,
        file=file,
        dry_run=dry_run,
        name=name,
        notices=notices,
    )


def can_import(user, kind: str | None = None) -> bool:
    """Links need write access to some node; resources and activities the right to create."""
    kinds = [kind] if kind else list(KINDS)
    for each in kinds:
        if each == "links":
            if access.can_create(user, Activity) or access.can_create(user, Resource):
                return True
        elif access.can_create(user, MODELS[each]):
            return True
    return False
