"""Applying a checked model file: the plan (which items change) and the writes.

`modelio.import_model` runs an `Applier` twice: first planning (reads only: which items
create, update or delete), then, in the write transaction, applying just the planned items.
Creates go through the bulk services (`resource_create_many`, ...): each item is validated
by the same rules and audited with its own event, in a few queries per batch; updates and
deletes go through the per-object services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from resilia.core.services import BulkValidationError
from resilia.dependencies import rules
from resilia.dependencies import services as deps
from resilia.dependencies.modelio_checks import Problem
from resilia.dependencies.models import Activity, Dependency, Resource
from resilia.org import services as org
from resilia.org.models import Person, Site, Unit

# Key order of each section's items: the order in the file.
UNIT_KEYS = ("code", "name", "name_en", "kind", "parent")
SITE_KEYS = ("code", "name", "name_en", "kind", "address", "seat_capacity", "unit")
RESOURCE_KEYS = (
    "code", "name", "name_en", "kind", "unit", "owner", "criticality", "site", "person",
    "recovery_time", "recovery_point", "capability_tested_on", "capability_evidence",
    "redundancy", "alternates", "description",
)  # fmt: skip
ACTIVITY_KEYS = ("code", "name", "name_en", "unit", "owner", "products", "description")
OBJECTIVE_KEYS = ("mtpd", "rto", "rpo", "mbco")


def _fk_equal(obj, name: str, value) -> bool:
    field_ = obj._meta.get_field(name)
    if field_.is_relation:
        return getattr(obj, field_.attname) == (value.pk if value is not None else None)
    return getattr(obj, name) == value


class Applier:
    """Applies a checked file through the services, in dependency order."""

    def __init__(
        self,
        data: dict,
        actor,
        report,
        prune: bool,
        *,
        planning: bool = False,
        only: set[str] | None = None,
        reuse: Applier | None = None,
    ):
        self.data, self.actor, self.report, self.prune = data, actor, report, prune
        self.problems: list[Problem] = []
        # planning: record in `planned` the paths of the items that would change, write
        # nothing. only: apply just those paths (the plan), the rest matching the database.
        self.planning, self.only = planning, only
        self.planned: set[str] = set()
        # Creates waiting for their section's bulk service: kind -> [(path, code, fields)].
        self.pending: dict[str, list[tuple[str, str, dict]]] = {"resource": [], "activity": []}
        self.link_map: dict[tuple[str, str], Dependency] | None = None
        self.alt_current: dict[int, set[int]] | None = None
        if reuse is not None:
            # The plan's reads, still valid: the apply checked the model is unchanged since.
            # The write transaction then reads nothing but that check.
            self.units, self.sites = dict(reuse.units), dict(reuse.sites)
            self.resources, self.activities = dict(reuse.resources), dict(reuse.activities)
            self.people = reuse.people
            self.link_map = dict(reuse.link_map) if reuse.link_map is not None else None
            self.alt_current = reuse.alt_current
            return
        self.units: dict[str, Unit] = {u.code: u for u in Unit.objects.all()}
        self.sites: dict[str, Site] = {s.code: s for s in Site.objects.all()}
        self.resources: dict[str, Resource] = {r.code: r for r in Resource.objects.all()}
        self.activities: dict[str, Activity] = {a.code: a for a in Activity.objects.all()}
        numbers = [p["employee_no"] for p in data.get("people") or []]
        self.people = {p.employee_no: p for p in Person.objects.filter(employee_no__in=numbers)}

    def run(self) -> None:
        self.apply_units()
        for i, item in enumerate(self.data.get("sites") or []):
            fields = self.fields(item, SITE_KEYS, unit=self.units.get(item.get("unit")))
            self.upsert("site", f"sites[{i}]", self.sites, item["code"], fields)
        for i, item in enumerate(self.data.get("resources") or []):
            fields = self.fields(
                item,
                [k for k in RESOURCE_KEYS if k != "alternates"],
                unit=self.units.get(item.get("unit")),
                site=self.sites.get(item.get("site")),
                owner=self.people.get(item.get("owner")),
                person=self.people.get(item.get("person")),
                capability_tested_on=_date(item.get("capability_tested_on")),
            )
            existing = self.resources.get(item["code"])
            message = rules.resource_sharing_error(
                self.actor,
                unit=fields["unit"],
                was_shared=existing is not None and existing.unit_id is None,
            )
            if message:
                # Reported, and the whole import rolled back; later sections still checked.
                self.problems.append(Problem(f"resources[{i}].unit", message))
            self.upsert("resource", f"resources[{i}]", self.resources, item["code"], fields)
        self.flush("resource", self.resources, deps.resource_create_many)
        self.apply_alternates()
        for i, item in enumerate(self.data.get("activities") or []):
            objectives = item.get("objectives") or {}
            fields = self.fields(
                item,
                ACTIVITY_KEYS,
                unit=self.units.get(item["unit"]),
                owner=self.people.get(item.get("owner")),
                **{k: objectives.get(k, "" if k == "mbco" else None) for k in OBJECTIVE_KEYS},
            )
            self.upsert("activity", f"activities[{i}]", self.activities, item["code"], fields)
        self.flush("activity", self.activities, deps.activity_create_many)
        if "dependencies" in self.data:
            self.apply_links()
        self.extra_nodes("resource", "resources", self.resources, deps.resource_delete)
        self.extra_nodes("activity", "activities", self.activities, deps.activity_delete)

    @staticmethod
    def fields(item: dict, keys, **resolved) -> dict[str, Any]:
        """The model fields an item sets; omitted optional keys take the model's default."""
        defaults = {"name_en": "", "address": "", "capability_evidence": "", "description": ""}
        defaults.update(products="", criticality="medium", redundancy="none")
        out = {k: item.get(k, defaults.get(k)) for k in keys if k != "code"}
        out.update(resolved)
        return out

    def fail(self, path: str, exc: ValidationError, objectives: bool = False) -> None:
        if not hasattr(exc, "error_dict"):
            self.problems += [Problem(path, m) for m in exc.messages]
            return
        for name, errors in exc.message_dict.items():
            if name == NON_FIELD_ERRORS:
                where = path
            elif objectives and name in OBJECTIVE_KEYS:
                where = f"{path}.objectives.{name}"
            else:
                where = f"{path}.{name}"
            self.problems += [Problem(where, m) for m in errors]

    def upsert(self, kind: str, path: str, known: dict, code: str, fields: dict):
        services = {
            "unit": (org.unit_create, lambda o, f: org.unit_update(actor=self.actor, unit=o, **f)),
            "site": (org.site_create, lambda o, f: org.site_update(actor=self.actor, site=o, **f)),
            "resource": (
                deps.resource_create,
                lambda o, f: deps.resource_update(actor=self.actor, resource=o, **f),
            ),
            "activity": (
                deps.activity_create,
                lambda o, f: deps.activity_update(actor=self.actor, activity=o, **f),
            ),
        }
        create, update = services[kind]
        obj = known.get(code)
        if self.only is not None and path not in self.only:
            return
        if self.planning:
            if obj is None or any(not _fk_equal(obj, k, v) for k, v in fields.items()):
                self.planned.add(path)
            return
        if obj is None and kind in self.pending:
            self.pending[kind].append((path, code, fields))  # created by flush()
            self.report.changes.append(_("create %(kind)s %(code)s") % _kc(kind, code))
            return
        try:
            if obj is None:
                known[code] = create(actor=self.actor, code=code, **fields)
                self.report.created[kind] += 1
                self.report.changes.append(_("create %(kind)s %(code)s") % _kc(kind, code))
                return
            changed = {k: v for k, v in fields.items() if not _fk_equal(obj, k, v)}
            if changed:
                update(obj, changed)
                self.report.updated[kind] += 1
                self.report.changes.append(
                    _("update %(kind)s %(code)s: %(fields)s")
                    % {**_kc(kind, code), "fields": ", ".join(sorted(changed))}
                )
        except ValidationError as exc:
            self.fail(path, exc, objectives=kind == "activity")

    def flush(self, kind: str, known: dict, create_many) -> None:
        """Create the section's new items with its bulk service: each validated and audited
        as its per-object service would, in a few queries per batch. Invalid items are
        reported at their paths (nothing of the section is saved; the import rolls back)."""
        pending, self.pending[kind] = self.pending[kind], []
        if not pending:
            return
        try:
            created = create_many(
                actor=self.actor,
                items=[{"code": code, **fields} for _path, code, fields in pending],
            )
        except BulkValidationError as exc:
            for i, error in exc.errors.items():
                self.fail(pending[i][0], error, objectives=kind == "activity")
            return
        for (_path, code, _fields), obj in zip(pending, created, strict=True):
            known[code] = obj
        self.report.created[kind] += len(created)

    def apply_units(self) -> None:
        items = {u["code"]: (i, u) for i, u in enumerate(self.data.get("units") or [])}
        done: set[str] = set()

        def visit(code: str) -> None:  # parents first; the checker refused cycles
            if code in done:
                return
            done.add(code)
            i, item = items[code]
            if item.get("parent") in items:
                visit(item["parent"])
            fields = self.fields(item, UNIT_KEYS, parent=self.units.get(item.get("parent")))
            self.upsert("unit", f"units[{i}]", self.units, code, fields)

        for code in items:
            visit(code)

    def apply_alternates(self) -> None:
        if self.alt_current is None:
            through = Resource.alternates.through.objects.values_list(
                "from_resource_id", "to_resource_id"
            )
            self.alt_current = {}
            for src, dst in through:
                self.alt_current.setdefault(src, set()).add(dst)
        current = self.alt_current
        changing: list[tuple[Resource, list[Resource]]] = []
        for i, item in enumerate(self.data.get("resources") or []):
            resource = self.resources.get(item["code"])
            wanted = [
                self.resources[c] for c in item.get("alternates") or [] if c in self.resources
            ]
            path = f"resources[{i}].alternates"
            if self.only is not None and path not in self.only:
                continue
            if self.planning:
                # A resource created by the file, or alternates that differ: planned.
                if resource is None and item.get("alternates"):
                    self.planned.add(path)
                elif resource is not None and {r.pk for r in wanted} != current.get(
                    resource.pk, set()
                ):
                    self.planned.add(path)
                continue
            if resource is None or {r.pk for r in wanted} == current.get(resource.pk, set()):
                continue
            changing.append((resource, wanted))
            self.report.changes.append(
                _("update %(kind)s %(code)s: %(fields)s")
                % {**_kc("resource", item["code"]), "fields": "alternates"}
            )
        if changing:
            self.report.updated["resource"] += deps.resource_set_alternates_many(
                actor=self.actor, alternates=changing
            )

    def node(self, key: str):
        kind, code = key.split(":", 1)
        return (self.activities if kind == "activity" else self.resources).get(code)

    def apply_links(self) -> None:
        act_code = {a.pk: c for c, a in self.activities.items()}
        res_code = {r.pk: c for c, r in self.resources.items()}
        if self.link_map is None:
            self.link_map = {}
            for link in Dependency.objects.all():
                a = f"activity:{act_code[link.dependent_activity_id]}" if (
                    link.dependent_activity_id
                ) else f"resource:{res_code[link.dependent_resource_id]}"  # fmt: skip
                b = f"activity:{act_code[link.dependency_activity_id]}" if (
                    link.dependency_activity_id
                ) else f"resource:{res_code[link.dependency_resource_id]}"  # fmt: skip
                self.link_map[(a, b)] = link
        existing = dict(self.link_map)
        creating: list[tuple[str, tuple, dict]] = []  # (path, (dependent, dependency), fields)
        for i, item in enumerate(self.data["dependencies"]):
            pair = (item["dependent"], item["dependency"])
            label = {"a": pair[0], "b": pair[1]}
            fields = {
                "group": item.get("group") or "",
                "tolerance": item.get("tolerance", 0),
                "note": item.get("note", ""),
            }
            link = existing.pop(pair, None)
            path = f"dependencies[{i}]"
            if self.only is not None and path not in self.only:
                continue
            if self.planning:
                if link is None or any(getattr(link, k) != v for k, v in fields.items()):
                    self.planned.add(path)
                continue
            try:
                if link is None:
                    dependent, dependency = self.node(pair[0]), self.node(pair[1])
                    if dependent is None or dependency is None:
                        continue  # its node failed to save: already reported
                    creating.append((path, (dependent, dependency), fields))
                    self.report.changes.append(_("create link %(a)s → %(b)s") % label)
                    continue
                changed = {k: v for k, v in fields.items() if getattr(link, k) != v}
                if changed:
                    deps.dependency_update(actor=self.actor, dependency=link, **changed)
                    self.report.updated["dependency"] += 1
                    self.report.changes.append(
                        _("update link %(a)s → %(b)s: %(fields)s")
                        % {**label, "fields": ", ".join(sorted(changed))}
                    )
            except ValidationError as exc:
                self.fail(f"dependencies[{i}]", exc)
        self.create_links(creating)
        for (a, b), link in sorted(existing.items()):
            if self.prune and self.planning:
                self.planned.add(f"delete:{a}:{b}")
            elif self.prune:
                deps.dependency_delete(actor=self.actor, dependency=link)
                self.report.deleted["dependency"] += 1
                self.report.changes.append(_("delete link %(a)s → %(b)s") % {"a": a, "b": b})
            else:
                self.report.warnings.append(
                    _("link %(a)s → %(b)s is not in the file; kept (--prune deletes it)")
                    % {"a": a, "b": b}
                )

    def create_links(self, creating: list[tuple[str, tuple, dict]]) -> None:
        if not creating:
            return
        try:
            created = deps.dependency_create_many(
                actor=self.actor, links=[(*ends, fields) for _path, ends, fields in creating]
            )
        except BulkValidationError as exc:
            for i, error in exc.errors.items():
                self.fail(creating[i][0], error)
            return
        self.report.created["dependency"] += len(created)

    def extra_nodes(self, kind: str, section: str, known: dict, delete) -> None:
        if section not in self.data:
            return
        listed = {item["code"] for item in self.data[section]}
        for code in sorted(set(known) - listed):
            if self.prune and self.planning:
                self.planned.add(f"delete:{kind}:{code}")
            elif self.prune:
                delete(actor=self.actor, **{kind: known.pop(code)})
                self.report.deleted[kind] += 1
                self.report.changes.append(_("delete %(kind)s %(code)s") % _kc(kind, code))
            else:
                self.report.warnings.append(
                    _("%(kind)s %(code)s is not in the file; kept (--prune deletes it)")
                    % _kc(kind, code)
                )


def _kc(kind: str, code: str) -> dict[str, str]:
    labels = {
        "unit": _("unit"),
        "site": _("site"),
        "resource": _("resource"),
        "activity": _("activity"),
    }
    return {"kind": labels[kind], "code": code}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
