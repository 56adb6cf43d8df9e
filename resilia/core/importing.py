"""The import engine every register's XLSX/CSV import is built on: all rows valid, or nothing.

A register declares its columns (`Column`), a planner and an applier, and calls
`run_import()`: the file is read into text rows (`resilia.core.importfiles`), the planner
validates every row against the database and the rest of the file and returns one `RowPlan`
per row with the `RowError`s it found, and only when no row is bad does the applier run,
through the register's own services, in one transaction that also records one "import" event
summarising the file. The helpers below are the steps every planner shares: parse the cells
(`parse_table`), check what the model itself enforces (`clean_errors`), keep only what
changes (`changes`), report in reading order (`sort_errors`).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterable
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

from resilia.core.importfiles import ImportFileError, Table, normalise_header, read_table
from resilia.core.trail import record

__all__ = [
    "Column",
    "ImportFileError",
    "ImportResult",
    "ParsedTable",
    "RowError",
    "RowPlan",
    "apply_row",
    "changes",
    "chunked_pks",
    "clean_errors",
    "display",
    "lookup",
    "name_columns",
    "out_of_scope",
    "parse_cells",
    "parse_table",
    "plain_values",
    "run_import",
    "sort_errors",
]

WHOLE_FLOAT_RE = re.compile(r"^[0-9]+\.0+$")
_TRUE = {"1", "是", "y", "yes", "true", "t", "√", "✓", "x"}
_FALSE = {"0", "否", "n", "no", "false", "f", ""}


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: its stable key, translated header and how to read a cell.

    parse: "text", "identifier" (codes, phone numbers: an Excel "12.0" reads "12"), "ref" (a
    key naming another object, resolved by the planner), "choice" (one of `choices`, by value,
    label in any language or one of `choice_aliases`), "bool", "date", or a callable that
    turns the text into a value and raises ValidationError.
    """

    key: str
    label: Promise
    field: str
    required: bool = False
    parse: str | Callable[[str], Any] = "text"
    help: Promise | str = ""
    aliases: tuple[str, ...] = ()
    choices: tuple = ()  # (value, label) for parse="choice"
    choice_aliases: tuple = ()  # ((value, ("alias", ...)), ...)

    def headers(self) -> set[str]:
        """Every header text accepted for this column, in every language, normalised."""
        names = {self.key, *self.aliases}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(str(self.label))
        return {normalise_header(n) for n in names}

    def choice_label(self, value) -> str:
        return str(dict(self.choices).get(value, value))


def name_columns(*, code_label=None, code_aliases=(), name_aliases=()) -> tuple[Column, ...]:
    """The code, name and English name columns of a register of coded, bilingually named
    objects (core.models.BilingualName), in that order."""
    return (
        Column(
            "code",
            code_label or _("code"),
            "code",
            True,
            "identifier",
            aliases=("编码", *code_aliases),
        ),
        Column("name", _("name"), "name", True, aliases=("名称", *name_aliases)),
        Column("name_en", _("English name"), "name_en", aliases=("英文名称",)),
    )


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
    pending: dict[str, Any] = field(default_factory=dict)  # field -> what the file defines
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


# Cells ----------------------------------------------------------------------------------------


def parse_choice(text: str, column: Column) -> str:
    """The value of a choice cell; an empty cell is ""."""
    if not text:
        return ""
    wanted = normalise_header(text)
    aliases = dict(column.choice_aliases)
    for value, label in column.choices:
        names = {value, *aliases.get(value, ())}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(str(label))
        if wanted in {normalise_header(n) for n in names}:
            return value
    raise ValidationError(
        gettext("“%(value)s” is not one of: %(choices)s.")
        % {
            "value": text[:50],
            "choices": gettext(", ").join(str(label) for _v, label in column.choices),
        }
    )


def parse_bool(text: str) -> bool:
    folded = text.casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValidationError(gettext("Enter yes or no (是/否, true/false, 1/0)."))


def parse_date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        raise ValidationError(gettext("Enter a date as 2025-06-30.")) from None


def _whole(text: str) -> str:
    return text.split(".", 1)[0] if WHOLE_FLOAT_RE.match(text) else text


def parse_cells(row: int, values: dict[str, str], columns, present, errors) -> dict[str, Any]:
    """Typed values of the present columns; appends a RowError per bad or missing cell."""
    parsed: dict[str, Any] = {}
    for column in columns:
        if column.key not in present:
            continue
        text = values.get(column.key, "")
        if column.parse in ("identifier", "ref"):
            text = _whole(text)
        if column.required and not text:
            errors.append(RowError(row, str(column.label), gettext("This field is required.")))
            continue
        try:
            if callable(column.parse):
                parsed[column.key] = column.parse(text)
            elif column.parse == "choice":
                parsed[column.key] = parse_choice(text, column)
            elif column.parse == "bool":
                parsed[column.key] = parse_bool(text)
            elif column.parse == "date":
                parsed[column.key] = parse_date(text)
            else:
                parsed[column.key] = text
        except ValidationError as exc:
            errors.append(RowError(row, str(column.label), " ".join(exc.messages)))
    return parsed


def plain_values(parsed: dict[str, Any], columns, present) -> dict[str, Any]:
    """Field values of the present non-reference columns; an empty choice keeps the default
    (or the current value)."""
    values = {}
    for column in columns:
        if column.key in present and column.parse != "ref" and column.key in parsed:
            value = parsed[column.key]
            if column.parse == "choice" and value == "":
                continue
            values[column.field] = value
    return values


def display(value) -> str:
    """A value as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return str(value)


# Rows -----------------------------------------------------------------------------------------


def out_of_scope() -> str:
    return gettext(
        "This is outside your scope: you may only change your own unit and its sub-units."
    )


def clean_errors(row: int, instance, exclude, columns, parsed, present, errors) -> None:
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


def sort_errors(errors: list[RowError], columns) -> None:
    """By row, then in the order of the columns, as the user reads the sheet."""
    order = {str(c.label): index for index, c in enumerate(columns)}
    errors.sort(key=lambda e: (e.row, order.get(e.column, -1)))


def changes(instance, plan: RowPlan, columns, present=None) -> None:
    """Keep in plan.values only what differs from the database, described for the preview.

    A reference the file itself defines (plan.pending) always counts as a change."""
    changed = {}
    for column in columns:
        if (present is not None and column.key not in present) or column.field not in plan.values:
            continue
        new, old = plan.values[column.field], getattr(instance, column.field)
        if column.parse == "ref":
            if column.field in plan.pending:
                changed[column.field] = new
                plan.changes.append(
                    (str(column.label), display(old), str(plan.pending[column.field]))
                )
                continue
            if (old.pk if old else None) == (new.pk if new else None):
                continue
        elif old == new:
            continue
        changed[column.field] = new
        if column.parse == "choice":
            plan.changes.append(
                (str(column.label), column.choice_label(old), column.choice_label(new))
            )
        else:
            plan.changes.append((str(column.label), display(old), display(new)))
    plan.action = "update" if changed or plan.pending else "unchanged"
    plan.values = changed if plan.action == "update" else {}


# The database ---------------------------------------------------------------------------------


def lookup(queryset, field_name: str, keys: Iterable[str]) -> dict[str, models.Model]:
    """The objects of `queryset` whose `field_name` is one of `keys`, by that value."""
    keys = [k for k in set(keys) if k]
    found = {}
    # Chunked so that SQLite's limit on query parameters is never reached.
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for obj in queryset.filter(**{f"{field_name}__in": chunk}):
            found[getattr(obj, field_name)] = obj
    return found


def chunked_pks(queryset, pks) -> set[int]:
    """Which of `pks` are in `queryset` (e.g. the actor's writable rows)."""
    pks = list(pks)
    found: set[int] = set()
    for start in range(0, len(pks), 500):
        found.update(queryset.filter(pk__in=pks[start : start + 500]).values_list("pk", flat=True))
    return found


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

    def plans(self, table: Table, model, key: str, label_key: str):
        """Each row that first names its key, as (row, parsed cells, plan, candidate): the plan
        holds the row's plain values; the candidate is a copy of the saved object (or a new
        one) with those values set, for the planner to finish and validate. A saved object
        the actor may not change gets its out-of-scope error here, on the key column."""
        for row, parsed in self.rows:
            value = parsed.get(key, "")
            if not value or self.first.get(value) != row:
                continue
            obj = self.existing.get(value)
            plan = RowPlan(row=row, key=value, label=parsed.get(label_key, ""), instance=obj)
            plan.values = plain_values(parsed, table.columns, table.present)
            candidate = copy.copy(obj) if obj is not None else model()
            for name, cell in plan.values.items():
                setattr(candidate, name, cell)
            if obj is not None and obj.pk not in self.writable:
                self.errors.append(RowError(row, str(self.col[key].label), out_of_scope()))
            yield row, parsed, plan, candidate


def parse_table(actor, table: Table, model, key: str) -> ParsedTable:
    """The first steps of every import plan: refuse duplicate keys, parse each row's cells,
    find the saved objects the keys name and which of them the actor may change."""
    col = {c.key: c for c in table.columns}
    errors: list[RowError] = []
    first: dict[str, int] = {}
    for row, values in table.rows:
        value = _whole(values.get(key, ""))
        if value and value in first:
            errors.append(
                RowError(
                    row,
                    str(col[key].label),
                    gettext("“%(value)s” is already on row %(first)s of this file.")
                    % {"value": value, "first": first[value]},
                )
            )
        elif value:
            first[value] = row
    rows = [(r, parse_cells(r, v, table.columns, table.present, errors)) for r, v in table.rows]
    existing = lookup(model.objects.all(), key, [p.get(key, "") for _r, p in rows])
    writable = chunked_pks(
        model.objects.for_user(actor, write=True), [o.pk for o in existing.values()]
    )
    return ParsedTable(col, errors, rows, existing, writable, first)


# Applying -------------------------------------------------------------------------------------


class ApplyFailed(Exception):
    """A row that validated but could not be saved; the whole import rolls back."""

    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


def apply_row(plan: RowPlan, call: Callable[[], models.Model]) -> models.Model:
    """Run one row's service call; a ValidationError (the database changed since the plan,
    e.g. another user's edit) becomes ApplyFailed naming the row."""
    try:
        return call()
    except ValidationError as exc:
        raise ApplyFailed(RowError(plan.row, "", " ".join(exc.messages))) from exc


Planner = Callable[[Any, Table], tuple[list[RowPlan], list[RowError]]]


def run_import(
    *,
    actor,
    kind: str,
    model: type[models.Model],
    columns,
    plan: Planner,
    apply: Callable[[Any, ImportResult], None],
    file,
    dry_run: bool,
    name: str | None = None,
    notices: Callable[[list[RowPlan]], list[str]] | None = None,
) -> ImportResult:
    """Read, validate and, unless dry_run or any row is bad, apply one file of one kind.

    Raises ImportFileError when the file as a whole is unreadable. Row problems are returned
    in `result.errors` and nothing is saved. `notices(rows)` adds what is worth saying about
    a valid file. The applied rows and one "import" event on `model` are one transaction.
    """
    file_name = PurePath(name or getattr(file, "name", "") or "").name
    table = read_table(columns, file_name, file)
    result = ImportResult(kind=kind, file_name=file_name, dry_run=dry_run, notices=table.notices)
    result.rows, result.errors = plan(actor, table)
    if notices is not None and not result.errors:
        result.notices = [*result.notices, *notices(result.rows)]
    if dry_run or result.errors:
        return result
    try:
        with transaction.atomic():
            apply(actor, result)
            record(
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
    except ApplyFailed as exc:
        result.errors = [exc.error]
        return result
    result.applied = True
    return result


def require(allowed: bool) -> None:
    """Refuse an import the actor may not run at all (PermissionDenied: a 403 or form error)."""
    if not allowed:
        raise PermissionDenied
