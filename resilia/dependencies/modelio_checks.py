"""Validation of a continuity model file before anything is written: the JSON Schema, then the
rules a schema cannot express (duplicates, references, unit cycles, RTO within MTPD, self-links,
OR groups of one). Every problem names its path in the file, e.g. ``dependencies[12].dependency``.

Paths count list items from 0, like JSONPath and jq.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from resilia.dependencies.models import MAX_MINUTES

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "model-v1.schema.json"
SECTIONS = ("units", "sites", "people", "resources", "activities", "dependencies")
CODE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$"


@dataclass(frozen=True)
class Problem:
    """One reason why a file cannot be imported, at a path in the file."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ModelFileError(Exception):
    """The file cannot be imported; `problems` says where and why. Nothing was saved."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def path_of(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _type_name(name: str) -> str:
    return {
        "string": _("text"),
        "integer": _("a whole number"),
        "object": _("a mapping of fields"),
        "array": _("a list"),
        "null": _("empty (null)"),
    }.get(name, name)


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _schema_message(error) -> tuple[list, str]:
    """(extra path parts, translated message) for one jsonschema error."""
    kind, value, limit = error.validator, error.instance, error.validator_value
    if kind == "anyOf":  # "null or X": explain why it is not X
        inner = [e for e in error.context if e.validator_value != "null"] or list(error.context)
        deepest = max(inner, key=lambda e: len(e.relative_path))
        extra, message = _schema_message(deepest)
        return list(deepest.relative_path) + extra, message
    if kind == "required":
        missing = next(name for name in limit if name not in value)
        return [missing], _("this field is required")
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = sorted(set(value) - known)[0]
        return [extra], _("unknown field")
    if kind == "type":
        return [], _("must be %(expected)s, not %(value)s") % {
            "expected": _type_name(limit),
            "value": _shown(value),
        }
    if kind == "enum":
        return [], _("%(value)s is not one of: %(choices)s") % {
            "value": _shown(value),
            "choices": ", ".join(limit),
        }
    if kind == "const":
        return [], _("unsupported format version %(value)s; this Resilia reads version %(v)s") % {
            "value": _shown(value),
            "v": limit,
        }
    if kind == "minimum":
        return [], _("%(value)s is negative") % {"value": value}
    if kind == "maximum" and limit == MAX_MINUTES:
        return [], _("%(value)s minutes is more than ten years") % {"value": value}
    if kind == "maximum":
        return [], _("%(value)s is more than %(limit)s") % {"value": value, "limit": limit}
    if kind == "minLength":
        return [], _("must not be empty")
    if kind == "maxLength":
        return [], _("is longer than %(limit)s characters") % {"limit": limit}
    if kind == "pattern" and limit == CODE_PATTERN:
        return [], _(
            "%(value)s is not a valid code: use letters, digits, dots, hyphens and underscores"
        ) % {"value": _shown(value)}
    if kind == "pattern" and limit.startswith("^(activity|resource)"):
        return [], _("%(value)s is not a node: write activity:CODE or resource:CODE") % {
            "value": _shown(value)
        }
    if kind == "pattern" and limit.startswith("^\\S"):
        return [], _("must not start or end with a space")
    if kind == "pattern":
        return [], _("%(value)s is not a date (YYYY-MM-DD)") % {"value": _shown(value)}
    return [], error.message


def schema_problems(data: Any) -> list[Problem]:
    """Problems of the file against the shipped JSON Schema, in file order."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    problems = []
    for error in validator.iter_errors(data):
        extra, message = _schema_message(error)
        parts = list(error.absolute_path) + extra
        problems.append((parts, Problem(path_of(parts), message)))

    def order(item):
        parts = item[0]
        head = SECTIONS.index(parts[0]) if parts and parts[0] in SECTIONS else -1
        return [head] + [(p, "") if isinstance(p, int) else (0, str(p)) for p in parts[1:]]

    return [p for _parts, p in sorted(problems, key=order)]


class _Checker:
    """The cross-reference rules, over a file that passed the schema."""

    def __init__(self, data: dict, existing_people: set[str]):
        self.data = data
        self.existing_people = existing_people
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def codes(self, section: str, key: str = "code") -> dict[str, int]:
        seen: dict[str, int] = {}
        for i, item in enumerate(self.data.get(section) or []):
            code = item[key]
            if code in seen:
                self.add(
                    f"{section}[{i}].{key}",
                    _("duplicate %(code)s (first at %(section)s[%(first)s])")
                    % {"code": code, "section": section, "first": seen[code]},
                )
            else:
                seen[code] = i
        return seen

    def ref(self, path: str, value, known, message: str) -> None:
        if value is not None and value not in known:
            self.add(path, message % {"value": value})

    def run(self) -> list[Problem]:
        units = self.codes("units")
        sites = self.codes("sites")
        people = self.codes("people", "employee_no")
        resources = self.codes("resources")
        activities = self.codes("activities")
        unknown_unit = _("unknown unit %(value)s: declare it under units")
        unknown_person = _("unknown person %(value)s: list the employee number under people")
        for i, person in enumerate(self.data.get("people") or []):
            self.ref(
                f"people[{i}].employee_no",
                person["employee_no"],
                self.existing_people,
                _("no person has the employee number %(value)s in the database"),
            )
        self.unit_parents(units, unknown_unit)
        for i, site in enumerate(self.data.get("sites") or []):
            self.ref(f"sites[{i}].unit", site.get("unit"), units, unknown_unit)
        for i, res in enumerate(self.data.get("resources") or []):
            base = f"resources[{i}]"
            self.ref(f"{base}.unit", res.get("unit"), units, unknown_unit)
            self.ref(
                f"{base}.site", res.get("site"), sites, _("unknown site %(value)s: declare it")
            )
            self.ref(f"{base}.owner", res.get("owner"), people, unknown_person)
            self.ref(f"{base}.person", res.get("person"), people, unknown_person)
            self.tested_on(base, res.get("capability_tested_on"))
            for j, alt in enumerate(res.get("alternates") or []):
                if alt == res["code"]:
                    self.add(f"{base}.alternates[{j}]", _("a resource is not its own alternate"))
                self.ref(
                    f"{base}.alternates[{j}]",
                    alt,
                    resources,
                    _("unknown resource %(value)s: declare it under resources"),
                )
        for i, act in enumerate(self.data.get("activities") or []):
            base = f"activities[{i}]"
            self.ref(f"{base}.unit", act["unit"], units, unknown_unit)
            self.ref(f"{base}.owner", act.get("owner"), people, unknown_person)
            objectives = act.get("objectives") or {}
            rto, mtpd = objectives.get("rto"), objectives.get("mtpd")
            if rto is not None and mtpd is not None and rto > mtpd:
                self.add(
                    f"{base}.objectives.rto",
                    _("%(rto)s is longer than the MTPD %(mtpd)s") % {"rto": rto, "mtpd": mtpd},
                )
        self.links({"activity": activities, "resource": resources})
        return self.problems

    def tested_on(self, base: str, value) -> None:
        if value is None:
            return
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            self.add(
                f"{base}.capability_tested_on", _("%(value)s is not a date") % {"value": value}
            )

    def unit_parents(self, units: dict[str, int], unknown: str) -> None:
        items = self.data.get("units") or []
        parent = {u["code"]: u.get("parent") for u in items}
        reported: set[str] = set()
        for i, unit in enumerate(items):
            self.ref(f"units[{i}].parent", unit.get("parent"), units, unknown)
            chain, code = [unit["code"]], unit.get("parent")
            while code is not None and code in parent and code not in chain:
                chain.append(code)
                code = parent[code]
            if code == unit["code"] and unit["code"] not in reported:
                reported.update(chain)
                self.add(
                    f"units[{i}].parent",
                    _("the unit tree has a cycle: %(chain)s")
                    % {"chain": " → ".join(chain + [code])},
                )

    def links(self, nodes: dict[str, dict[str, int]]) -> None:
        seen: dict[tuple[str, str], int] = {}
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, link in enumerate(self.data.get("dependencies") or []):
            base = f"dependencies[{i}]"
            ok = True
            for end in ("dependent", "dependency"):
                kind, code = link[end].split(":", 1)
                if code not in nodes[kind]:
                    self.add(f"{base}.{end}", _("unknown node %(node)s") % {"node": link[end]})
                    ok = False
            pair = (link["dependent"], link["dependency"])
            if pair[0] == pair[1]:
                self.add(base, _("a node cannot depend on itself"))
            elif ok and pair[0].startswith("resource:") and pair[1].startswith("activity:"):
                self.add(base, _("a resource can only depend on another resource"))
            if pair in seen:
                self.add(
                    base,
                    _("duplicate link %(a)s → %(b)s (first at dependencies[%(first)s])")
                    % {"a": pair[0], "b": pair[1], "first": seen[pair]},
                )
            seen.setdefault(pair, i)
            if link.get("group"):
                groups[(link["dependent"], link["group"])].append(i)
        for (dependent, group), members in groups.items():
            if len(members) == 1:
                self.add(
                    f"dependencies[{members[0]}].group",
                    _('OR group "%(group)s" of %(node)s has only one member')
                    % {"group": group, "node": dependent},
                )


def check(data: Any, existing_people: set[str]) -> list[Problem]:
    """All problems of a parsed file; an empty list means it can be imported."""
    problems = schema_problems(data)
    if problems:
        return problems
    return _Checker(data, existing_people).run()
