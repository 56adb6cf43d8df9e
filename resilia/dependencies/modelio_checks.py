"""Validation of a continuity model file before anything is written: the JSON Schema and the
rules a schema cannot express (duplicates, references, unit cycles, RTO shorter than MTPD,
tests dated in the future, self-links, OR groups of one), reported together in file order.
Every problem names its path in the file, e.g. ``dependencies[12].dependency``.

Paths count list items from 0, like JSONPath and jq.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from resilia.core.durations import MAX_MINUTES
from resilia.dependencies import rules

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "model-v1.schema.json"
SECTIONS = ("units", "sites", "people", "resources", "activities", "dependencies")
CODE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$"
PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
# Items (units, sites, people, resources, activities and links together) one file may hold.
# Each is validated and applied through its service with its audit event (about 15 ms each),
# so this keeps an import, or a dry run, within minutes.
MAX_ITEMS = 20_000


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


def _schema_messages(error) -> list[tuple[list, str]]:
    """(extra path parts, translated message) for one jsonschema error: one per field for
    missing and unknown fields, so that each is named."""
    kind, value, limit = error.validator, error.instance, error.validator_value
    if kind == "anyOf":  # "null or X": explain why it is not X
        inner = [e for e in error.context if e.validator_value != "null"] or list(error.context)
        deepest = max(inner, key=lambda e: len(e.relative_path))
        return [
            (list(deepest.relative_path) + extra, message)
            for extra, message in _schema_messages(deepest)
        ]
    if kind == "required":  # jsonschema repeats this error once per missing field
        return [([name], _("this field is required")) for name in limit if name not in value]
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        return [([name], _("unknown field")) for name in sorted(set(value) - known)]
    return [([], _schema_message(error))]


def _schema_message(error) -> str:
    """The translated message of one jsonschema error about the value at its path."""
    kind, value, limit = error.validator, error.instance, error.validator_value
    if kind == "type":
        return _("must be %(expected)s, not %(value)s") % {
            "expected": _type_name(limit),
            "value": _shown(value),
        }
    if kind == "enum":
        return _("%(value)s is not one of: %(choices)s") % {
            "value": _shown(value),
            "choices": ", ".join(limit),
        }
    if kind == "const":
        return _("unsupported format version %(value)s; this Resilia reads version %(v)s") % {
            "value": _shown(value),
            "v": limit,
        }
    if kind == "minimum":
        return _("%(value)s is negative") % {"value": value}
    if kind == "maximum" and limit == MAX_MINUTES:
        return _("%(value)s minutes is more than ten years") % {"value": value}
    if kind == "maximum":
        return _("%(value)s is more than %(limit)s") % {"value": value, "limit": limit}
    if kind == "minLength":
        return _("must not be empty")
    if kind == "maxLength":
        return _("is longer than %(limit)s characters") % {"limit": limit}
    if kind == "pattern" and limit == CODE_PATTERN:
        return _(
            "%(value)s is not a valid code: use letters, digits, dots, hyphens and underscores"
        ) % {"value": _shown(value)}
    if kind == "pattern" and limit.startswith("^(activity|resource)"):
        return _("%(value)s is not a node: write activity:CODE or resource:CODE") % {
            "value": _shown(value)
        }
    if kind == "pattern" and limit.startswith("^\\S"):
        return _("must not start or end with a space")
    if kind == "pattern":
        return _("%(value)s is not a date (YYYY-MM-DD)") % {"value": _shown(value)}
    return error.message


def parts_of(path: str) -> list:
    """The parts of a path written by path_of: "a[1].b" -> ["a", 1, "b"]."""
    return [int(index) if index else name for index, name in PATH_PART.findall(path)]


def _order(parts: list) -> list:
    """Sort key of a location: sections in file order, then items, then fields."""
    head = SECTIONS.index(parts[0]) if parts and parts[0] in SECTIONS else -1
    return [head] + [(p, "") if isinstance(p, int) else (0, str(p)) for p in parts[1:]]


def _schema_errors(data: Any) -> list[tuple[tuple, Problem]]:
    """(location, problem) of every difference between the file and the shipped schema."""
    from jsonschema import Draft202012Validator

    found: dict[tuple, Problem] = {}  # a dict: one problem each, in the validator's order
    for error in Draft202012Validator(schema()).iter_errors(data):
        for extra, message in _schema_messages(error):
            parts = (*error.absolute_path, *extra)
            found.setdefault((parts, message), Problem(path_of(parts), message))
    return [(parts, problem) for (parts, _message), problem in found.items()]


def schema_problems(data: Any) -> list[Problem]:
    """Problems of the file against the shipped JSON Schema, in file order."""
    errors = _schema_errors(data)
    return [p for _parts, p in sorted(errors, key=lambda item: _order(list(item[0])))]


class _Checker:
    """The cross-reference rules, over the parts of a file the schema accepted.

    `broken` holds every location where the schema found a problem. A rule that reads a value
    at or below one of them skips it: the schema already named that problem, and the value may
    not even have the expected type. Everything else is still checked, so one run reports all.
    """

    def __init__(self, data: Any, existing_people: set[str], broken: set[tuple] = frozenset()):
        self.data = data
        self.existing_people = existing_people
        self.broken = broken
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def ok(self, *parts) -> bool:
        """Whether the schema accepted the value at `parts` (and what contains it)."""
        return not any(parts[:k] in self.broken for k in range(len(parts) + 1))

    def items(self, section: str) -> list[tuple[int, dict]]:
        """(index, item) of the items of `section` that are mappings of fields."""
        if not self.ok(section):
            return []
        return [
            (i, item) for i, item in enumerate(self.data.get(section) or []) if self.ok(section, i)
        ]

    def get(self, section: str, i: int, item: dict, *keys: str | int):
        """The value at `keys` in the item, or None when absent or refused by the schema."""
        if not self.ok(section, i, *keys):
            return None
        value = item
        for key in keys:
            if isinstance(key, int):
                value = value[key] if isinstance(value, list) and key < len(value) else None
            else:
                value = value.get(key) if isinstance(value, dict) else None
        return value

    def codes(self, section: str, key: str = "code") -> dict[str, int] | None:
        """Code -> index of the first item with it, reporting duplicates; None when some
        item of the section has no readable code, so that references into it cannot be
        checked (they might name that item)."""
        seen: dict[str, int] = {}
        complete = self.ok(section)
        for i, item in enumerate(self.data.get(section) or [] if complete else []):
            # A malformed code (too long, say) still names its item: references to it must
            # not be reported as unknown on top of the schema's problem.
            code = item.get(key) if isinstance(item, dict) else None
            if not isinstance(code, str):
                complete = False
            elif code not in seen:
                seen[code] = i
            elif self.ok(section, i, key):
                self.add(
                    f"{section}[{i}].{key}",
                    _("duplicate %(code)s (first at %(section)s[%(first)s])")
                    % {"code": code, "section": section, "first": seen[code]},
                )
        return seen if complete else None

    def ref(self, path: str, value, known, message: str) -> None:
        if value is not None and known is not None and value not in known:
            self.add(path, message % {"value": value})

    def run(self) -> list[Problem]:
        if not self.ok():  # not even a mapping of sections
            return self.problems
        units = self.codes("units")
        sites = self.codes("sites")
        people = self.codes("people", "employee_no")
        resources = self.codes("resources")
        activities = self.codes("activities")
        unknown_unit = _("unknown unit %(value)s: declare it under units")
        unknown_person = _("unknown person %(value)s: list the employee number under people")
        for i, person in self.items("people"):
            self.ref(
                f"people[{i}].employee_no",
                self.get("people", i, person, "employee_no"),
                self.existing_people,
                _("no person has the employee number %(value)s in the database"),
            )
        self.unit_parents(units, unknown_unit)
        for i, site in self.items("sites"):
            self.ref(f"sites[{i}].unit", self.get("sites", i, site, "unit"), units, unknown_unit)
        for i, res in self.items("resources"):
            base, field = f"resources[{i}]", partial(self.get, "resources", i, res)
            self.ref(f"{base}.unit", field("unit"), units, unknown_unit)
            self.ref(f"{base}.site", field("site"), sites, _("unknown site %(value)s: declare it"))
            self.ref(f"{base}.owner", field("owner"), people, unknown_person)
            self.ref(f"{base}.person", field("person"), people, unknown_person)
            self.tested_on(base, field("capability_tested_on"))
            for j in range(len(field("alternates") or [])):
                alt = field("alternates", j)
                if alt is None:
                    continue
                if alt == res.get("code"):
                    self.add(f"{base}.alternates[{j}]", _("a resource is not its own alternate"))
                self.ref(
                    f"{base}.alternates[{j}]",
                    alt,
                    resources,
                    _("unknown resource %(value)s: declare it under resources"),
                )
        for i, act in self.items("activities"):
            base = f"activities[{i}]"
            self.ref(f"{base}.unit", self.get("activities", i, act, "unit"), units, unknown_unit)
            self.ref(
                f"{base}.owner", self.get("activities", i, act, "owner"), people, unknown_person
            )
            rto = self.get("activities", i, act, "objectives", "rto")
            mtpd = self.get("activities", i, act, "objectives", "mtpd")
            message = rules.objectives_error(mtpd=mtpd, rto=rto)
            if message:
                self.add(f"{base}.objectives.rto", message)
        self.links({"activity": activities, "resource": resources})
        return self.problems

    def tested_on(self, base: str, value) -> None:
        if value is None:
            return
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            self.add(
                f"{base}.capability_tested_on", _("%(value)s is not a date") % {"value": value}
            )
            return
        message = rules.tested_on_error(date)
        if message:
            self.add(f"{base}.capability_tested_on", message)

    def unit_parents(self, units: dict[str, int] | None, unknown: str) -> None:
        items = [
            (i, u, u.get("code"), self.get("units", i, u, "parent")) for i, u in self.items("units")
        ]
        parent = {code: up for _i, _u, code, up in items if isinstance(code, str)}
        reported: set[str] = set()
        for i, _unit, own, up in items:
            self.ref(f"units[{i}].parent", up, units, unknown)
            if not isinstance(own, str):
                continue
            chain, code = [own], up
            while code is not None and code in parent and code not in chain:
                chain.append(code)
                code = parent[code]
            if code == own and own not in reported:
                reported.update(chain)
                self.add(
                    f"units[{i}].parent",
                    _("the unit tree has a cycle: %(chain)s")
                    % {"chain": " → ".join(chain + [code])},
                )

    def links(self, nodes: dict[str, dict[str, int] | None]) -> None:
        seen: dict[tuple[str, str], int] = {}
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        # Groups named by a link whose dependent is malformed: which node it meant is
        # unknown, so a group of that name is not called one member short.
        uncertain: set[str] = set()
        for i, link in self.items("dependencies"):
            base = f"dependencies[{i}]"
            dependent = self.get("dependencies", i, link, "dependent")
            dependency = self.get("dependencies", i, link, "dependency")
            group = self.get("dependencies", i, link, "group")
            if group and dependent is None:
                uncertain.add(group)
            elif group:
                groups[(dependent, group)].append(i)
            known = True
            for end, node in (("dependent", dependent), ("dependency", dependency)):
                if node is None:  # missing or malformed: the schema said so
                    known = False
                    continue
                kind, code = node.split(":", 1)
                if nodes[kind] is not None and code not in nodes[kind]:
                    self.add(f"{base}.{end}", _("unknown node %(node)s") % {"node": node})
                    known = False
            if dependent is None or dependency is None:
                continue
            pair = (dependent, dependency)
            ends = [tuple(key.split(":", 1)) for key in pair]
            message = rules.link_end_error(*ends)
            if message and (known or ends[0] == ends[1]):
                self.add(base, message)
            if pair in seen:
                self.add(base, rules.duplicate_link(f"dependencies[{seen[pair]}]"))
            seen.setdefault(pair, i)
        for (dependent, group), members in groups.items():
            if len(members) == 1 and group not in uncertain:
                self.add(f"dependencies[{members[0]}].group", rules.lonely_group(group, dependent))


def size_problems(data: Any) -> list[Problem]:
    """A problem if the file holds more than MAX_ITEMS items: checked before anything else."""
    if not isinstance(data, dict):
        return []
    count = sum(len(data[s]) for s in SECTIONS if isinstance(data.get(s), list))
    if count <= MAX_ITEMS:
        return []
    message = _(
        "the file holds %(count)s items; at most %(max)s can be imported at once: split the"
        " model into several files and import them one after the other (without --prune)"
    )
    return [Problem("", message % {"count": f"{count:,}", "max": f"{MAX_ITEMS:,}"})]


def check(data: Any, existing_people: set[str]) -> list[Problem]:
    """All problems of a parsed file, in file order; an empty list means it can be imported.

    The schema's problems and the rules' come in one list: the rules run over every part of
    the file the schema accepted and skip only what it refused (already reported).
    """
    errors = _schema_errors(data)
    found = _Checker(data, existing_people, {parts for parts, _p in errors}).run()
    located = errors + [(tuple(parts_of(p.path)), p) for p in found]
    return [p for _parts, p in sorted(located, key=lambda item: _order(list(item[0])))]
