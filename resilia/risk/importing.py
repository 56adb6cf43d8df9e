"""Import of the risk register from XLSX or CSV through the kit's import engine: every row
valid, or nothing saved; errors name the spreadsheet row and column.

Rows are matched by risk code: new ones are created on the current matrix, existing ones
updated (their ratings re-scored on the current matrix). The ratings are checked against the
matrix's scales, the threat, unit and owner resolved among what the importer may see.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.importing import (
    Column,
    ImportFileError,
    ImportResult,
    RowError,
    apply_row,
    changes,
    clean_errors,
    lookup,
    out_of_scope,
    parse_table,
    run_import,
    sort_errors,
)
from resilia.engine import risk as engine
from resilia.org.models import Person, Unit
from resilia.risk import services, validation
from resilia.risk.models import Risk, Threat, Treatment

__all__ = ["COLUMNS", "ImportFileError", "risk_import"]

KINDS = ("risks",)
RATINGS = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")


def _level(text: str) -> int | None:
    from django.core.exceptions import ValidationError

    if not (text or "").strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(gettext("Write a whole level, such as 3.")) from None
    if value != int(value):
        raise ValidationError(gettext("Write a whole level, such as 3."))
    return int(value)


TREATMENTS = tuple(c for c in Treatment.choices if c[0] != Treatment.ACCEPT)

COLUMNS = {
    "risks": (
        Column("code", _("risk code"), "code", True, "identifier", aliases=("编码", "风险编码")),
        Column("title", _("title"), "title", True, aliases=("风险名称", "名称")),
        Column("title_en", _("English title"), "title_en", aliases=("英文名称",)),
        Column("threat_code", _("threat code"), "threat", True, "ref", aliases=("威胁编码",)),
        Column("unit_code", _("unit code"), "unit", True, "ref", aliases=("部门编码", "单位编码")),
        Column(
            "owner_employee_no",
            _("owner's employee number"),
            "owner",
            parse="ref",
            aliases=("责任人工号",),
        ),
        Column("cause", _("cause"), "cause", aliases=("风险成因",)),
        Column("description", _("description"), "description", aliases=("风险描述",)),
        Column(
            "existing_controls",
            _("existing controls"),
            "existing_controls",
            aliases=("现有控制措施",),
        ),
        Column(
            "inherent_likelihood",
            _("inherent likelihood"),
            "inherent_likelihood",
            True,
            _level,
            aliases=("可能性",),
        ),
        Column(
            "inherent_impact",
            _("inherent impact"),
            "inherent_impact",
            True,
            _level,
            aliases=("影响程度",),
        ),
        Column(
            "residual_likelihood",
            _("residual likelihood"),
            "residual_likelihood",
            parse=_level,
            aliases=("剩余可能性",),
        ),
        Column(
            "residual_impact",
            _("residual impact"),
            "residual_impact",
            parse=_level,
            aliases=("剩余影响程度",),
        ),
        Column(
            "treatment",
            _("treatment"),
            "treatment",
            parse="choice",
            choices=TREATMENTS,
            aliases=("处置方式",),
        ),
        Column(
            "reviewed_on", _("last reviewed"), "reviewed_on", parse="date", aliases=("评审日期",)
        ),
    )  # fmt: skip
}
KIND_LABELS = {"risks": _("Risks")}


def _no_such(what: str, value: str) -> str:
    messages = {
        "threat": gettext("There is no threat with code “%(value)s”."),
        "unit": gettext("There is no unit with code “%(value)s” that you can see."),
        "person": gettext("There is no person with employee number “%(value)s” that you can see."),
    }
    return messages[what] % {"value": value[:50]}


def plan_risks(actor, table):
    """Validate a risk file against the database, the matrix and the rest of the file."""
    columns, present = table.columns, table.present
    prepared = parse_table(actor, table, Risk, "code")
    col, errors = prepared.col, prepared.errors
    threats = lookup(Threat.objects.for_user(actor), "code", prepared.values("threat_code"))
    units = lookup(Unit.objects.for_user(actor), "code", prepared.values("unit_code"))
    owners = lookup(
        Person.objects.for_user(actor), "employee_no", prepared.values("owner_employee_no")
    )
    matrix = services.latest_matrix().engine
    plans = []
    for row, parsed, plan, candidate in prepared.plans(table, Risk, "code", "title"):
        for key, found, what, field in (
            ("threat_code", threats, "threat", "threat"),
            ("unit_code", units, "unit", "unit"),
            ("owner_employee_no", owners, "person", "owner"),
        ):
            if key not in present:
                continue
            value = parsed.get(key, "")
            obj = found.get(value) if value else None
            if value and obj is None:
                errors.append(RowError(row, str(col[key].label), _no_such(what, value)))
            plan.values[field] = obj
            setattr(candidate, field, obj)
        unit = plan.values.get("unit")
        if unit is not None and not access.can_create(actor, Risk, unit=unit):
            errors.append(RowError(row, str(col["unit_code"].label), out_of_scope()))
        for name in RATINGS:
            if name in parsed and parsed[name] == "":
                plan.values[name] = None
                setattr(candidate, name, None)
        _check_ratings(row, matrix, candidate, col, errors)
        clean_errors(
            row, candidate, ["threat", "unit", "owner", "matrix", *RATINGS], columns, parsed,
            present, errors,
        )  # fmt: skip
        if plan.instance is not None:
            changes(plan.instance, plan, columns, present)
        plans.append(plan)
    sort_errors(errors, columns)
    return plans, errors


def _check_ratings(row, matrix, candidate, col, errors) -> None:
    for prefix, which in (("inherent", gettext("inherent")), ("residual", gettext("residual"))):
        lk, im = getattr(candidate, f"{prefix}_likelihood"), getattr(candidate, f"{prefix}_impact")
        if prefix == "residual" and lk is None and im is None:
            continue
        try:
            engine.check_rating(matrix, lk, im)
        except engine.RatingError as exc:
            key = f"{prefix}_{exc.axis}"
            errors.append(RowError(row, str(col[key].label), validation.rating_message(exc, which)))


def _apply(actor, result: ImportResult) -> None:
    for plan in result.rows:
        values = dict(plan.values)
        if plan.action == "create":
            apply_row(plan, lambda v=values: services.risk_create(actor=actor, **v))
        elif plan.action == "update":
            risk = Risk.objects.get(pk=plan.instance.pk)
            if risk.matrix_id != services.current_matrix().pk:
                # Pending re-score: the file's ratings are the new ones, all four of them.
                for name in RATINGS:
                    values.setdefault(name, getattr(plan.instance, name))
            apply_row(plan, lambda r=risk, v=values: services.risk_update(actor=actor, risk=r, **v))


def risk_import(*, actor, kind: str, file, dry_run: bool, name: str | None = None):
    """Validate a risk file and, unless dry_run or any row is bad, apply it in one
    transaction (one audit event per risk, plus one "import" event)."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    if not access.can_create(actor, Risk):
        raise PermissionDenied
    return run_import(
        actor=actor, kind=kind, model=Risk, columns=COLUMNS[kind], plan=plan_risks,
        apply=_apply, file=file, dry_run=dry_run, name=name,
    )  # fmt: skip
