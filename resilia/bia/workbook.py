"""The BIA as Excel: the campaign's full export and the per-unit offline questionnaire that
owners fill without the server and import back (issue 9 item 9).

One layout serves both. Sheets, in the reader's language:
- Ratings (影响评级): a row per activity × category, a column per time point, the framework's
  1..n scale enforced by a data validation;
- Objectives (恢复目标): a row per activity: RTO, time to restore all functions, RPO, MBCO,
  workaround, the important-business attributes (and, in the full export, status and derived
  MTPD);
- Losses (预计损失): a row per activity, a column per time point;
- a hidden Meta sheet: campaign, framework version, language, layout signature and the
  assessments it covers with their version.

The import is all or nothing: a workbook of another framework version or whose layout was
changed is refused as a whole; each bad cell is reported by sheet, row and column; when every
cell reads, the answers go through services.assessment_save (the same checks as the
questionnaire page) in one transaction, and any refusal rolls everything back.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from resilia.bia import access as bia_access
from resilia.bia import services
from resilia.bia.models import Assessment, local_name
from resilia.core import safeparse
from resilia.core.durations import DurationError, compact, human_minutes, parse_minutes
from resilia.core.exports import safe_cell
from resilia.core.importfiles import MAX_BYTES, cell_text

META = "meta"
YES = ("是", "yes", "y", "true", "1", "√", "✓", "x")
NO = ("否", "no", "n", "false", "0", "")
FLAGS = ("customer_facing", "accounting", "time_critical", "severe_impact")


def signature(framework) -> str:
    """What the layout depends on: categories, time points and their scales."""
    parts = [str(framework.number), *map(str, framework.time_points)]
    parts += [f"{c['code']}:{len(c['levels'])}" for c in framework.categories]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _sheet_names() -> dict[str, str]:
    return {"ratings": _("Ratings"), "objectives": _("Objectives"), "losses": _("Losses")}


def _objective_headers(full: bool) -> list[str]:
    headers = [
        _("Activity code"),
        _("Activity"),
        _("RTO"),
        _("Time to restore all functions"),
        _("RPO"),
        _("MBCO service level"),
        _("MBCO description"),
        _("Manual workaround"),
        _("Workaround lasts"),
        _("Customer-facing"),
        _("Involves accounting"),
        _("Time-critical"),
        _("Severe impact"),
    ]
    if full:
        headers += [_("Unit"), _("Status"), _("Derived MTPD"), _("Approved MTPD"), _("Tier")]
    return headers


def _rating_headers(framework) -> list[str]:
    return [
        _("Activity code"),
        _("Activity"),
        _("Category code"),
        _("Category"),
        _("Threshold"),
        *[human_minutes(m) for m in framework.time_points],
    ]


def _loss_headers(framework) -> list[str]:
    return [_("Activity code"), _("Activity"), *[human_minutes(m) for m in framework.time_points]]


def build(assessments: list[Assessment], framework, *, campaign, full: bool = False) -> bytes:
    """The workbook of these assessments (all of one framework version)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from resilia.engine.bia import tier_for

    names = _sheet_names()
    book = Workbook()
    bold = Font(bold=True)
    ratings = book.active
    ratings.title = names["ratings"]
    ratings.append(_rating_headers(framework))
    n = len(framework.time_points)
    scale = DataValidation(type="whole", operator="between", formula1="1", allow_blank=True)
    for a in assessments:
        for cat in framework.categories:
            row = (a.ratings or {}).get(cat["code"]) or [None] * n
            ratings.append(
                [safe_cell(a.activity.code), safe_cell(a.activity.display_name), cat["code"],
                 local_name(cat), cat["threshold"], *row]
            )  # fmt: skip
    levels = max((len(c["levels"]) for c in framework.categories), default=5)
    scale.formula2 = str(levels)
    scale.error = _("A rating is a whole number from 1 to %(max)d.") % {"max": levels}
    scale.showErrorMessage = True
    ratings.add_data_validation(scale)
    if ratings.max_row > 1:
        first, last = ratings.cell(2, 6).coordinate, ratings.cell(ratings.max_row, 5 + n).coordinate
        scale.add(f"{first}:{last}")

    objectives = book.create_sheet(names["objectives"])
    objectives.append(_objective_headers(full))
    tiers = framework.engine_tiers()
    for a in assessments:
        values = [
            a.activity.code,
            a.activity.display_name,
            compact(a.rto) if a.rto is not None else None,
            compact(a.rto_all) if a.rto_all is not None else None,
            compact(a.rpo) if a.rpo is not None else None,
            a.mbco_level,
            a.mbco,
            a.workaround,
            compact(a.workaround_minutes) if a.workaround_minutes is not None else None,
            *[_("yes") if getattr(a, f) else _("no") for f in FLAGS],
        ]
        if full:
            tier = framework.tier(tier_for(a.rto, tiers))
            values += [
                a.activity.unit.display_name,
                a.get_status_display(),
                human_minutes(a.derived_mtpd) if a.derived_mtpd is not None else "",
                human_minutes(a.mtpd_override) if a.mtpd_override is not None else "",
                local_name(tier) if tier else "",
            ]
        objectives.append([safe_cell(v) if isinstance(v, str) else v for v in values])

    losses = book.create_sheet(names["losses"])
    losses.append(_loss_headers(framework))
    for a in assessments:
        amounts = list(a.losses) if a.losses else [None] * n
        losses.append([safe_cell(a.activity.code), safe_cell(a.activity.display_name), *amounts])

    fill = PatternFill("solid", fgColor="DCE6F1")
    for sheet in (ratings, objectives, losses):
        for cell in sheet[1]:
            cell.font = bold
            cell.fill = fill
        sheet.freeze_panes = "C2"
        sheet.column_dimensions["B"].width = 24
    meta = book.create_sheet(META)
    meta.sheet_state = "hidden"
    meta.append(["campaign", campaign.code])
    meta.append(["framework", framework.number])
    meta.append(["signature", signature(framework)])
    meta.append(["language", translation.get_language() or "zh-hans"])
    meta.append(["full", 1 if full else 0])
    for a in assessments:
        meta.append(["assessment", a.pk, a.version])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    saved: list[Assessment] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Refused(Exception):
    pass


def _open(data: bytes):
    from openpyxl import load_workbook

    try:
        safeparse.check_zip(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except safeparse.ParseError as exc:
        raise _Refused(exc.message) from None
    except Exception:
        raise _Refused(
            _("The file could not be read as an Excel workbook (.xlsx); it may be damaged.")
        ) from None


def _rows(sheet, limit: int = 50_000):
    sheet.reset_dimensions()
    for n, row in enumerate(sheet.iter_rows(values_only=True), 1):
        if n > limit:
            raise _Refused(_("The workbook has too many rows."))
        yield n, list(row)


def import_workbook(file, *, user, campaign) -> ImportResult:
    """Read an offline questionnaire back; all or nothing (see the module docstring)."""
    result = ImportResult()
    try:
        data = safeparse.read_bounded(file, MAX_BYTES)
        book = _open(data)
        _import(book, result, user=user, campaign=campaign)
    except _Refused as exc:
        result.errors.insert(0, str(exc))
    except safeparse.ParseError as exc:
        result.errors.insert(0, exc.message)
    if result.errors:
        result.saved = []
    return result


def _import(book, result: ImportResult, *, user, campaign) -> None:
    if META not in book.sheetnames:
        raise _Refused(
            _("This is not a questionnaire exported by Resilia: its Meta sheet is missing.")
        )
    meta: dict[str, object] = {}
    covered: dict[int, int] = {}
    for _n, row in _rows(book[META], 10_000):
        key = cell_text(row[0]) if row else ""
        if key == "assessment" and len(row) >= 3:
            try:
                covered[int(row[1])] = int(row[2])
            except (TypeError, ValueError):
                raise _Refused(_("The workbook's Meta sheet was changed.")) from None
        elif key:
            meta[key] = row[1] if len(row) > 1 else None
    if cell_text(meta.get("campaign")) != campaign.code:
        raise _Refused(
            _("This questionnaire belongs to campaign %(code)s, not to %(this)s.")
            % {"code": cell_text(meta.get("campaign")) or "?", "this": campaign.code}
        )
    framework = campaign.framework
    if str(meta.get("framework")) != str(framework.number):
        raise _Refused(
            _(
                "This questionnaire was made with framework version %(old)s; the campaign uses "
                "version %(new)s. Download a new questionnaire."
            )
            % {"old": meta.get("framework"), "new": framework.number}
        )
    if cell_text(meta.get("signature")) != signature(framework):
        raise _Refused(_("The questionnaire's layout was changed; download a new one."))
    assessments = {
        a.activity.code: a
        for a in Assessment.objects.for_user(user)
        .filter(campaign=campaign, pk__in=covered)
        .select_related("activity", "framework")
    }
    language = cell_text(meta.get("language")) or "zh-hans"
    with translation.override(language):
        names = _sheet_names()
        expected = {
            "ratings": _rating_headers(framework),
            "objectives": _objective_headers(bool(meta.get("full"))),
            "losses": _loss_headers(framework),
        }
    sheets = {}
    for key, name in names.items():
        if name not in book.sheetnames:
            raise _Refused(_("The sheet “%(name)s” is missing.") % {"name": name})
        rows = list(_rows(book[name]))
        header = [cell_text(c) for c in (rows[0][1] if rows else [])]
        want = expected[key]
        for col, label in enumerate(want):
            got = header[col] if col < len(header) else ""
            if got != label:
                raise _Refused(
                    _(
                        "Sheet “%(sheet)s”, column %(col)s: “%(got)s” where the questionnaire "
                        "has “%(want)s”; its layout was changed. Download a new one."
                    )
                    % {"sheet": name, "col": _column(col), "got": got, "want": label}
                )
        sheets[key] = (name, rows[1:])

    answers: dict[str, dict] = {}
    n = len(framework.time_points)

    def error(sheet, row, col, message):
        result.errors.append(
            _("Sheet “%(sheet)s”, row %(row)s, column %(col)s: %(message)s")
            % {"sheet": sheet, "row": row, "col": _column(col), "message": message}
        )

    def target(sheet, row_no, code):
        a = assessments.get(code)
        if a is None:
            error(
                sheet,
                row_no,
                0,
                _("%(code)s is not an assessment of this questionnaire you may fill.")
                % {"code": code or "—"},
            )
            return None
        if not bia_access.may_fill(user, a):
            error(
                sheet,
                row_no,
                0,
                _("%(code)s is %(status)s: its answers cannot change.")
                % {"code": code, "status": a.get_status_display()},
            )
            return None
        return answers.setdefault(code, {"ratings": {}, "losses": []})

    codes = {c["code"]: c for c in framework.categories}
    sheet, rows = sheets["ratings"]
    for row_no, row in rows:
        if not any(v not in (None, "") for v in row):
            continue
        code = cell_text(row[0])
        entry = target(sheet, row_no, code)
        cat_code = cell_text(row[2] if len(row) > 2 else "")
        if cat_code not in codes:
            error(sheet, row_no, 2, _("%(code)s is not an impact category.") % {"code": cat_code})
            continue
        values = []
        for i in range(n):
            raw = row[5 + i] if len(row) > 5 + i else None
            if raw in (None, ""):
                values.append(None)
                continue
            try:
                value = int(str(raw).strip().removesuffix(".0"))
            except ValueError:
                error(sheet, row_no, 5 + i, _("“%(value)s” is not a rating.") % {"value": raw})
                values.append(None)
                continue
            values.append(value)
        if entry is not None:
            entry["ratings"][cat_code] = values

    sheet, rows = sheets["objectives"]
    durations = {2: "rto", 3: "rto_all", 4: "rpo", 8: "workaround_minutes"}
    texts = {5: "mbco_level", 6: "mbco", 7: "workaround"}
    for row_no, row in rows:
        if not any(v not in (None, "") for v in row):
            continue
        entry = target(sheet, row_no, cell_text(row[0]))
        if entry is None:
            continue
        row = row + [None] * (13 - len(row))
        for col, name in durations.items():
            try:
                entry[name] = parse_minutes(cell_text(row[col]))
            except DurationError as exc:
                error(sheet, row_no, col, exc.message)
        for col, name in texts.items():
            entry[name] = cell_text(row[col])
        for offset, name in enumerate(FLAGS):
            text = cell_text(row[9 + offset]).strip().casefold()
            if text in YES or text == _("yes").casefold():
                entry[name] = True
            elif text in NO or text == _("no").casefold():
                entry[name] = False
            else:
                error(sheet, row_no, 9 + offset, _("Answer yes or no."))

    sheet, rows = sheets["losses"]
    for row_no, row in rows:
        if not any(v not in (None, "") for v in row):
            continue
        entry = target(sheet, row_no, cell_text(row[0]))
        if entry is None:
            continue
        amounts = []
        for i in range(n):
            raw = row[2 + i] if len(row) > 2 + i else None
            if raw in (None, ""):
                amounts.append(None)
            elif isinstance(raw, int | float) and not isinstance(raw, bool):
                amounts.append(raw)
            else:
                error(sheet, row_no, 2 + i, _("“%(value)s” is not an amount.") % {"value": raw})
        entry["losses"] = amounts if any(v is not None for v in amounts) else []

    if result.errors:
        return
    try:
        with transaction.atomic():
            for code, entry in answers.items():
                a = assessments[code]
                try:
                    services.assessment_save(actor=user, assessment=a, **entry)
                except ValidationError as exc:
                    for messages in exc.message_dict.values():
                        for message in messages:
                            result.errors.append(f"{code}: {message}")
                else:
                    result.saved.append(a)
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.saved = []


class _Rollback(Exception):
    pass


def _column(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name
