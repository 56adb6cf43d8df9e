"""The continuity model as code: export to and import from one YAML/JSON format.

The format is described in docs/model-format.md.

Export is deterministic (sorted by code, fixed key order), so a file diffs well in Git and
export → import into an empty database → export gives the same bytes.

Import is all or nothing (one transaction), goes through the services (each created, changed
or deleted object audited as usual, plus one ``import`` summary event), and is idempotent: a
file that matches the database changes nothing and writes no audit event at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from resilia.audit.services import audit_record
from resilia.core import safeparse
from resilia.dependencies import rules
from resilia.dependencies.modelio_apply import (
    ACTIVITY_KEYS,
    OBJECTIVE_KEYS,
    RESOURCE_KEYS,
    SITE_KEYS,
    UNIT_KEYS,
    Applier,
)
from resilia.dependencies.modelio_checks import ModelFileError, Problem, check, size_problems
from resilia.dependencies.models import Activity, Dependency, Resource
from resilia.org.models import Person, Site, Unit

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Section:
    """A section of the model file contributed by an app above the dependency model (the
    BIA's `bia`), registered from its AppConfig.ready(), so this module never imports it.

    export() -> the section's plain data, or None to leave it out;
    check(data, file) -> [Problem] (paths start with the section's name), before anything is
    saved; apply(data, actor, report) -> writes, in the import's transaction, after the
    model's own sections (counts go into report.created/updated).
    """

    export: Any
    check: Any
    apply: Any


SECTIONS: dict[str, Section] = {}


def register_section(name: str, section: Section) -> None:
    SECTIONS[name] = section


FORMATS = ("yaml", "json")
# A model file is read whole and applied through the services (each change validated and
# audited), so its size is bounded: a bank's whole model is a few thousand items.
MAX_FILE_BYTES = 10 * 1024 * 1024


# ---------------------------------------------------------------------------------- export


def export_model() -> dict[str, Any]:
    """The whole model as plain data in file order, with a handful of queries."""
    units = list(Unit.objects.order_by("code").values("pk", "parent_id", *UNIT_KEYS[:-1]))
    unit_code = {u["pk"]: u["code"] for u in units}
    sites = list(Site.objects.order_by("code").values("pk", "unit_id", *SITE_KEYS[:-1]))
    site_code = {s["pk"]: s["code"] for s in sites}
    res_fields = [k for k in RESOURCE_KEYS if k not in ("unit", "owner", "site", "person")]
    res_fields.remove("alternates")
    resources = list(
        Resource.objects.order_by("code").values(
            "pk", "unit_id", "owner_id", "site_id", "person_id", *res_fields
        )
    )
    res_code = {r["pk"]: r["code"] for r in resources}
    alternates: dict[int, list[str]] = {}
    for src, dst in Resource.alternates.through.objects.values_list(
        "from_resource_id", "to_resource_id"
    ):
        alternates.setdefault(src, []).append(res_code[dst])
    activities = list(
        Activity.objects.order_by("code").values(
            "pk", "unit_id", "owner_id", *ACTIVITY_KEYS[:3], "products", "description",
            *OBJECTIVE_KEYS,
        )
    )  # fmt: skip
    act_code = {a["pk"]: a["code"] for a in activities}
    person_ids = {r[k] for r in resources for k in ("owner_id", "person_id") if r[k]}
    person_ids |= {a["owner_id"] for a in activities if a["owner_id"]}
    people = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "employee_no"))
    nameless = sorted(pk for pk, number in people.items() if not number)
    if nameless:
        raise ModelFileError(
            [
                Problem(
                    "people",
                    _(
                        "person %(id)s owns or holds a resource or activity but has no employee"
                        " number; give them one before exporting"
                    )
                    % {"id": pk},
                )
                for pk in nameless
            ]
        )

    def person(pk):
        return people[pk] if pk else None

    links = []
    for da, dr, na, nr, group, tolerance, note in Dependency.objects.values_list(
        "dependent_activity_id",
        "dependent_resource_id",
        "dependency_activity_id",
        "dependency_resource_id",
        "group",
        "tolerance",
        "note",
    ):
        link = {
            "dependent": f"activity:{act_code[da]}" if da else f"resource:{res_code[dr]}",
            "dependency": f"activity:{act_code[na]}" if na else f"resource:{res_code[nr]}",
        }
        if group:
            link["group"] = group
        link.update(tolerance=tolerance, note=note)
        links.append(link)
    links.sort(key=lambda link: (link["dependent"], link["dependency"]))
    return {
        "version": FORMAT_VERSION,
        "units": [
            {**{k: u[k] for k in UNIT_KEYS[:-1]}, "parent": unit_code.get(u["parent_id"])}
            for u in units
        ],
        "sites": [
            {**{k: s[k] for k in SITE_KEYS[:-1]}, "unit": unit_code.get(s["unit_id"])}
            for s in sites
        ],
        "people": [{"employee_no": number} for number in sorted(people.values())],
        "resources": [
            {
                **{k: r[k] for k in RESOURCE_KEYS[:4]},
                "unit": unit_code.get(r["unit_id"]),
                "owner": person(r["owner_id"]),
                "criticality": r["criticality"],
                "site": site_code.get(r["site_id"]),
                "person": person(r["person_id"]),
                "recovery_time": r["recovery_time"],
                "recovery_point": r["recovery_point"],
                "capability_tested_on": (
                    r["capability_tested_on"].isoformat() if r["capability_tested_on"] else None
                ),
                "capability_evidence": r["capability_evidence"],
                "redundancy": r["redundancy"],
                "alternates": sorted(alternates.get(r["pk"], [])),
                "description": r["description"],
            }
            for r in resources
        ],
        "activities": [
            {
                **{k: a[k] for k in ACTIVITY_KEYS[:3]},
                "unit": unit_code[a["unit_id"]],
                "owner": person(a["owner_id"]),
                "products": a["products"],
                "description": a["description"],
                "objectives": {k: a[k] for k in OBJECTIVE_KEYS},
            }
            for a in activities
        ],
        "dependencies": links,
        **{
            name: value
            for name, section in SECTIONS.items()
            if (value := section.export()) is not None
        },
    }


def dumps(data: dict[str, Any], fmt: str = "yaml") -> str:
    """Serialise in a stable, Git-friendly way (UTF-8 text, keys in file order)."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )


def export_text(fmt: str = "yaml") -> str:
    return dumps(export_model(), fmt)


# ----------------------------------------------------------------------------------- parse


def _plain(value: Any) -> Any:
    """YAML reads 2024-05-01 as a date: give the schema the text the file holds."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def loads(text: str, fmt: str | None = None) -> Any:
    """Parse YAML or JSON (by `fmt`, else JSON when the text starts with "{").

    Through the kit's bounded readers (`core.safeparse`): a malformed file, a key given
    twice, nesting beyond its depth or aliases beyond its expansion limits raise
    ModelFileError naming the line and column, in bounded time and memory.
    """
    if fmt is None:
        fmt = "json" if text.lstrip().startswith("{") else "yaml"
    try:
        if fmt == "json":
            return safeparse.load_json(text)
        return _plain(safeparse.load_yaml(text))
    except safeparse.ParseError as exc:
        raise ModelFileError([Problem("", exc.where())]) from None


def read_file(file) -> str:
    """The text of a model file (a path or a binary file object), at most MAX_FILE_BYTES of
    UTF-8; ModelFileError if it is larger or not UTF-8. Reads no more than the limit."""
    try:
        data = safeparse.read_bounded(file, MAX_FILE_BYTES)
    except safeparse.ParseError as exc:
        raise ModelFileError([Problem("", exc.message)]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFileError(
            [Problem("", _("the file is not UTF-8 text (byte %(at)s)") % {"at": exc.start})]
        ) from None


# ---------------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    """What an import changed (or, in a dry run, would change), and what it warns about."""

    dry_run: bool = False
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def change_count(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.deleted.values())

    def summary(self) -> dict[str, Any]:
        return {
            "created": dict(sorted(self.created.items())),
            "updated": dict(sorted(self.updated.items())),
            "deleted": dict(sorted(self.deleted.items())),
        }


class ModelChanged(Exception):
    """The model changed between the prepare and the apply phase of an import."""


def _rows(queryset) -> tuple:
    """Every column of every row, in pk order: any edit of a row changes it."""
    columns = [f.attname for f in queryset.model._meta.concrete_fields]
    return tuple(queryset.order_by("pk").values_list(*columns))


def _stamp(data: dict) -> tuple:
    """What an import's plan was computed against, read again in the write transaction.

    The model revision covers resources, activities and links (every change bumps it). The
    plan also read the units and sites (it compares the file's with them and resolves
    references to them) and the people the file names (by employee number): those rows,
    every column, so that an edit of one (a unit renamed, a person's number changed) is
    noticed, not only a row created or deleted. Units and sites are the organisation's tree
    (hundreds of rows), the people as many as the file names: a few milliseconds."""
    from resilia.dependencies.models import ModelRevision

    revision = ModelRevision.objects.filter(pk=1).values_list("revision", "changed_at").first()
    numbers = [p["employee_no"] for p in data.get("people") or []]
    return (
        revision,
        _rows(Unit._base_manager.all()),
        _rows(Site._base_manager.all()),
        _rows(Person._base_manager.filter(employee_no__in=numbers)),
    )


def import_model(
    data: Any,
    *,
    actor=None,
    dry_run: bool = False,
    prune: bool = False,
    source: str = "",
    on_prepared=None,
) -> ImportReport:
    """Make the database hold the model in `data` (parsed file), all or nothing.

    Raises ModelFileError (nothing saved) listing every problem with its path. With `prune`,
    links, resources and activities missing from a section the file has are deleted; without
    it they are kept and reported as warnings. Units and sites are never deleted (other
    registers use them). A dry run does the whole import and rolls it back.

    Two phases, so that other writers do not wait on a long import: *prepare* parses, checks
    and computes the plan (which items change) with reads only, no write transaction open;
    *apply* then opens one write transaction, checks that the model is still the one the plan
    was computed against, and writes only the planned changes. If the model changed in
    between, the import prepares again once; if it changed again, it prepares a third time
    inside the write transaction (nobody can change the model meanwhile), so that an import
    lands even while others keep editing. A file that changes nothing opens no write
    transaction at all. `on_prepared()` is called between the phases of the first two
    attempts (tests use it to write from elsewhere meanwhile).
    """
    too_big = size_problems(data)
    if too_big:
        raise ModelFileError(too_big)
    # Read defensively: this runs before the checks, on a file that may be malformed anywhere.
    people = data.get("people") if isinstance(data, dict) else None
    numbers = [
        p["employee_no"]
        for p in (people if isinstance(people, list) else [])
        if isinstance(p, dict) and isinstance(p.get("employee_no"), str)
    ]
    existing = set(
        Person.objects.filter(employee_no__in=numbers).values_list("employee_no", flat=True)
    )
    problems = check(data, existing)
    for name, section in SECTIONS.items():
        if not problems and isinstance(data, dict) and name in data:
            problems += section.check(data[name], data)
    if problems:
        raise ModelFileError(problems)
    sections = [(s, data[n]) for n, s in SECTIONS.items() if n in data]
    # Twice optimistically (reads only, then a short write transaction); should the model
    # change under both, a third time inside the write transaction, where nobody else can
    # change it: the import then always lands, holding the lock longer only that once.
    for attempt in range(3):
        locked = attempt == 2
        with transaction.atomic() if locked else contextlib.nullcontext():
            try:
                return _attempt(data, actor, prune, dry_run, source, sections, on_prepared, locked)
            except ModelChanged:
                continue
    raise AssertionError("unreachable: the locked attempt cannot see a change")


def _attempt(data, actor, prune, dry_run, source, sections, on_prepared, locked) -> ImportReport:
    stamp, plan = _prepare(data, actor, prune)
    if on_prepared is not None and not locked:
        on_prepared()
    if not plan.planned:
        report = plan.report
        report.dry_run = dry_run
        report.warnings += objective_warnings(data)
        if sections:
            _apply_sections(sections, actor, report, dry_run, source, prune)
        _warn_cycles(report)
        return report
    return _apply(data, actor, prune, dry_run, source, stamp, plan)


def _prepare(data: dict, actor, prune: bool):
    """The plan of an import, from reads only: which items create, update or delete."""
    stamp = _stamp(data)
    plan = Applier(data, actor, ImportReport(dry_run=True), prune, planning=True)
    # The checks found every person the file names; one may have gone since (a second
    # prepare after a change): refused as the checks would, not resolved to nobody.
    gone = [
        Problem(
            f"people[{i}].employee_no",
            _("no person has the employee number %(value)s in the database")
            % {"value": p["employee_no"]},
        )
        for i, p in enumerate(data.get("people") or [])
        if p["employee_no"] not in plan.people
    ]
    if gone:
        raise ModelFileError(gone)
    plan.run()
    if plan.problems:
        raise ModelFileError(plan.problems)
    return stamp, plan


def _apply_sections(sections, actor, report, dry_run, source, prune) -> None:
    """The apps' sections alone, in one transaction (the model itself did not change)."""
    with transaction.atomic():
        for section, value in sections:
            section.apply(value, actor, report)
        if report.change_count:
            audit_record(
                actor=actor,
                action="import",
                object_type="dependencies.model",
                object_repr=source or _("continuity model"),
                changes={"file": source, "prune": prune, **report.summary()},
            )
        if dry_run:
            transaction.set_rollback(True)


def _apply(data, actor, prune, dry_run, source, stamp, plan) -> ImportReport:
    """Write the planned changes in one transaction, if the model is still as prepared."""
    report = ImportReport(dry_run=dry_run)
    report.warnings += objective_warnings(data)
    with transaction.atomic():
        if _stamp(data) != stamp:
            raise ModelChanged
        applier = Applier(data, actor, report, prune, only=plan.planned, reuse=plan)
        applier.run()
        if applier.problems:
            raise ModelFileError(applier.problems)
        for name, section in SECTIONS.items():
            if name in data:
                section.apply(data[name], actor, report)
        if report.change_count:
            audit_record(
                actor=actor,
                action="import",
                object_type="dependencies.model",
                object_repr=source or _("continuity model"),
                changes={"file": source, "prune": prune, **report.summary()},
            )
        if dry_run:
            _warn_cycles(report)
            transaction.set_rollback(True)
    if not dry_run:
        _warn_cycles(report)  # reads the committed model, after the write lock is released
    return report


def objective_warnings(data: dict) -> list[str]:
    """Doubtful but accepted objectives of a checked file, each naming its item."""
    out = []
    for i, item in enumerate(data.get("activities") or []):
        objectives = item.get("objectives") or {}
        for message in rules.objectives_warnings(
            mtpd=objectives.get("mtpd"), rpo=objectives.get("rpo")
        ):
            out.append(str(Problem(f"activities[{i}].objectives", message)))
    return out


def _warn_cycles(report: ImportReport) -> None:
    from resilia.dependencies.selectors import compile_from_database
    from resilia.engine.order import cycles

    graph, _index = compile_from_database()
    for members in cycles(graph):
        keys = [graph.key(v) for v in members]
        shown = ", ".join(keys[:10]) + (" …" if len(keys) > 10 else "")
        report.warnings.append(
            _("dependency cycle of %(count)s nodes: %(nodes)s")
            % {"count": len(keys), "nodes": shown}
        )
