"""Turning audit events into what a reader understands: labels, field names, links, values.

Every lookup here goes through the access choke point: a foreign key is resolved to its name
only when the reader may read that object, and an object's link checks access when followed.
Queries are batched per model, one per kind of object named, never one per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from resilia.audit.actions import action_label
from resilia.core import access
from resilia.core.durations import MinutesField, human_minutes

# Keys that services put in `changes` without being model fields (uploads, exports).
EXTRA_LABELS = {
    "file": _("file"),
    "sha256": _("SHA-256"),
    "size": _("size"),
    "description": _("description"),
    "format": _("format"),
    "rows": _("rows"),
    "filters": _("filters"),
    "result": _("result"),
    "checked": _("events checked"),
    "kind": _("kind"),
    "created": _("created"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
}

# Readable values of those keys, where a service stores a code (the import's kind of rows).
EXTRA_VALUES = {
    "kind": {"units": _("units"), "people": _("people")},
    "result": {"ok": _("intact"), "broken": _("broken")},
}


def resolve_model(label: str) -> type[models.Model] | None:
    """The model of an 'app_label.model' string, or None for anything malformed or unknown."""
    if not isinstance(label, str) or label.count(".") != 1:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def clean_pk(model: type[models.Model], raw) -> object | None:
    """The primary key value of `raw` for the model, or None when it cannot be one."""
    try:
        value = model._meta.pk.to_python(raw)
    except (ValidationError, TypeError, ValueError):
        return None
    if value is None or (isinstance(value, int) and value < 0):
        return None
    return value


def _readable_objects(user, model, ids) -> dict[str, models.Model]:
    """{str(pk): obj} for the ids the user may read; {} for kinds without an access policy."""
    try:
        queryset = access.readable(user, model._default_manager.all())
    except LookupError:
        return {}
    valid = [pk for pk in (clean_pk(model, i) for i in ids) if pk is not None]
    if not valid:
        return {}
    return {str(obj.pk): obj for obj in queryset.filter(pk__in=valid)}


def absolute_url(obj) -> str:
    if not hasattr(obj, "get_absolute_url"):
        return ""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:  # the register's pages are not installed
        return ""


@dataclass
class ChangeRow:
    field: str
    label: object
    before: object
    after: object


@dataclass
class EventRow:
    event: object
    label: object
    url: str = ""
    type_label: object = ""
    changes: list[ChangeRow] = field(default_factory=list)
    name: object = ""  # what the event is about, in the reader's language where it can be


# Object types that are no model (an analysis report's `analysis.gaps`), each with its name:
# registered by the app that records them (AppConfig.ready), so that the log names them in the
# reader's language, whatever the language of the moment they were recorded.
TYPE_LABELS: dict[str, object] = {}


def register_type_label(object_type: str, label) -> None:
    """Name events of `object_type` (not a model) with `label`, a lazy translation."""
    TYPE_LABELS[object_type] = label


def _is_kind_name(text: str, model) -> bool:
    """Whether `text` is the kind's own name in one of the languages (what exports record),
    rather than something of its own to show, such as an imported file's name."""
    if not text:
        return True
    from django.conf import settings
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names = {str(model._meta.verbose_name), str(model._meta.verbose_name_plural)}
        if text in names or text.casefold() in {n.casefold() for n in names}:
            return True
    return False


def _names(event, model) -> tuple[object, object]:
    """(type label, name) of an event, rendered in the reader's language from the recorded
    object type, the language-neutral key: an event about a whole kind (an export, an import:
    no object id) recorded the kind's name in the recorder's language, so the reader's name of
    that kind is shown instead — for old events too."""
    if model is not None:
        type_label = capfirst(model._meta.verbose_name)
        if not event.object_id and _is_kind_name(event.object_repr, model):
            return type_label, capfirst(model._meta.verbose_name_plural)
        return type_label, event.object_repr or type_label
    if event.object_type in TYPE_LABELS:
        label = TYPE_LABELS[event.object_type]
        return label, label
    return event.object_type, event.object_repr or event.object_type


def _field_of(model, key):
    """The model field a change key names, or None: a reverse relation (Unit's "people"), an
    unknown or a removed field is no field of the record, and renders by its key."""
    if model is None:
        return None
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        for candidate in model._meta.concrete_fields:
            if candidate.attname == key:
                return candidate
        return None
    return None if found.auto_created and not found.concrete else found


def _label_of(model, key: str, field):
    """The reader's label of a change key: the field's name, the related kind's for a
    reverse relation (a count of people imported with a unit), else the recorded key."""
    if field is not None:
        return capfirst(field.verbose_name)
    if key in EXTRA_LABELS:
        return capfirst(EXTRA_LABELS[key])
    if model is not None:
        try:
            relation = model._meta.get_field(key)
        except FieldDoesNotExist:
            return key
        if relation.related_model is not None:
            return capfirst(relation.related_model._meta.verbose_name_plural)
    return key


def object_link(event, model) -> str:
    """The log's link for an event's object: the audit's own address for it, which sends the
    reader on to the object's page when it still exists and they may read it, else to its
    history (resilia.audit.views.open_object). It costs no query on the log, whatever the
    kinds of objects a page of events names."""
    if model is None or not event.object_id or clean_pk(model, event.object_id) is None:
        return ""
    return reverse("audit:open_object", args=[event.object_type, event.object_id])


def present(user, events, *, link_objects: bool = True, changes: bool = True) -> list[EventRow]:
    """Rows for templates: translated action, link to the object, readable change table.

    `changes=False` leaves the change tables out (the log loads each on demand), and with them
    the queries that name the foreign keys they hold."""
    events = list(events)
    models_by_label = {label: resolve_model(label) for label in {e.object_type for e in events}}
    # Foreign keys in the changes: collect every id per related model, then one query each.
    wanted = defaultdict(set)
    for event in events if changes else ():
        model = models_by_label.get(event.object_type)
        for key, values in (event.changes or {}).items():
            fk = _field_of(model, key)
            if fk is not None and fk.many_to_one and isinstance(values, list):
                wanted[fk.related_model].update(v for v in values if v not in (None, ""))
    names = {
        related: {pk: str(obj) for pk, obj in _readable_objects(user, related, ids).items()}
        for related, ids in wanted.items()
    }
    rows = []
    for event in events:
        model = models_by_label.get(event.object_type)
        type_label, name = _names(event, model)
        rows.append(
            EventRow(
                event=event,
                label=action_label(event.action),
                url=object_link(event, model) if link_objects else "",
                type_label=type_label,
                name=name,
                changes=_change_rows(
                    model, event.changes or {}, names, created=event.action == "create"
                )
                if changes
                else [],
            )
        )
    return rows


def _display(field, value, names):
    if value is None or value == "":
        return value
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.many_to_one:
        name = names.get(field.related_model, {}).get(str(value))
        return f"{name} (#{value})" if name else value
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, MinutesField) and isinstance(value, int):
        return human_minutes(value)  # "4 h", not 240
    return value


def _hidden(model, field) -> bool:
    """Fields the reader never set: the primary key and derived ones (a unit's path, depth).

    They stay in the stored snapshot, which the hash chain covers; only the display skips them.
    """
    return field is not None and (field is model._meta.pk or not field.editable)


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _change_rows(model, changes: dict, names, *, created: bool = False) -> list[ChangeRow]:
    """One row per change, in the model's field order; a creation lists only what was set."""
    order = {}
    if model is not None:
        order = {f.attname: i for i, f in enumerate(model._meta.concrete_fields)}
    rows = []
    for key, values in changes.items():
        if isinstance(values, list) and len(values) == 2:
            before, after = values
            field = _field_of(model, key)
            label = _label_of(model, key, field)
        else:  # a plain value a service recorded (import counts, export filters, verification)
            before, after = None, values
            field = None if key in EXTRA_LABELS else _field_of(model, key)
            label = _label_of(model, key, field)
            after = EXTRA_VALUES.get(key, {}).get(after, after) if isinstance(after, str) else after
        if _hidden(model, field) or (created and _is_empty(after)):
            continue
        rows.append(
            ChangeRow(
                field=key,
                label=label,
                before=_display(field, before, names),
                after=_display(field, after, names),
            )
        )
    # Fields first, as the model declares them; other keys after them, as recorded.
    rows.sort(key=lambda row: order.get(row.field, len(order)))
    return rows
