"""The picker: one search-as-you-type widget for every choice over a large table.

A `Picker` renders only the selected value(s), never the table: a page with a unit, a site
and an owner picker weighs the same with 50 or 100,000 rows. It is a plain text input taking
codes (comma-separated when several may be chosen), so the form still works without
JavaScript; core/picker.js turns it into an accessible combobox (role=combobox over a
role=listbox, arrow keys, Enter, Escape) that asks a JSON endpoint as the user types and
submits the chosen rows' ids in hidden inputs.

The endpoint answers `{"results": [{"id": ..., "text": ...}]}` with at most about twenty
rows the user may read (each app's `autocomplete` view, through `for_user`).

A submitted token is read as a row id when it is all digits and such a row is among the
choices, else as the row's code (case-insensitive; employee number for people). Whatever is
not found is passed on unchanged, for the field to refuse with its translated
"Select a valid choice" message.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The fields a person types to name a row without JavaScript, in order of preference.
CODE_FIELDS = ("code", "employee_no")


def is_row_id(token: str) -> bool:
    """Whether a submitted token can be a row's id: ASCII digits within a database integer
    (a larger number is kept as typed and refused as an invalid choice, never sent to the
    database, where SQLite would overflow)."""
    return token.isascii() and token.isdigit() and int(token) <= 2**63 - 1


def code_field(model) -> str | None:
    """The field of `model` that names a row for a person (its code), if it has one."""
    names = {f.name for f in model._meta.get_fields()}
    return next((name for name in CODE_FIELDS if name in names), None)


def picker_label(obj) -> str:
    """How a picker shows a row: code and name in the reader's language."""
    code = getattr(obj, "code", "")
    name = getattr(obj, "display_name", None) or str(obj)
    if code:
        return f"{code} · {name}"
    number = getattr(obj, "employee_no", "")
    return f"{name} · {number}" if number else name


class Picker(forms.Widget):
    """A search-as-you-type choice over a large table (see the module docstring).

    `url` is the JSON endpoint (a string, a lazy string, or a `(url name, args)` pair reversed
    at rendering). With a model choice field the widget reads its rows through the field's
    queryset (`choices.queryset`, the access-filtered one); otherwise `labels(values)` gives
    `(value, label)` pairs for the selected values.
    """

    template_name = "core/widgets/picker.html"
    allow_multiple_selected = False

    def __init__(self, url=None, *, write: bool = False, labels=None, attrs=None):
        super().__init__(attrs)
        self.url = url
        self.write = write
        self.labels = labels
        self.choices = []

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.choices = self.choices
        obj.__dict__.pop("_resolved", None)
        return obj

    # Reading what was submitted -----------------------------------------------------------

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            raw = data.getlist(name)
        else:
            value = data.get(name)
            raw = value if isinstance(value, list | tuple) else [value]
        tokens = [t.strip() for item in raw if item for t in str(item).split(",") if t.strip()]
        tokens = self._resolve(tokens)
        if self.allow_multiple_selected:
            return tokens
        return tokens[0] if tokens else None

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def _queryset(self):
        queryset = getattr(self.choices, "queryset", None)
        return None if queryset is None else queryset.all()

    def _resolve(self, tokens: list[str]) -> list[str]:
        """Turn typed codes into row ids; ids and unknown tokens are kept as they are."""
        queryset = self._queryset()
        if queryset is None or not tokens:
            return tokens
        # A form reads its data several times (validation, rendering): look codes up once.
        key = tuple(tokens)
        cache = self.__dict__.setdefault("_resolved", {})
        if key not in cache:
            cache[key] = self._lookup(queryset, tokens)
        return list(cache[key])

    def _lookup(self, queryset, tokens: list[str]) -> list[str]:
        field = code_field(queryset.model)
        digits = [t for t in tokens if is_row_id(t)]
        if field is None and not digits:
            return tokens
        match = Q(pk__in=digits)
        if field:
            # A NUL can be no code, and PostgreSQL refuses it in a query: such a token is
            # left as typed, for the field to refuse as an invalid choice.
            codes = [t for t in tokens if "\x00" not in t]
            match |= Q(**{f"{field}__in": {*codes, *(t.upper() for t in codes)}})
        rows = list(queryset.filter(match).values_list("pk", *([field] if field else [])))
        pks = {str(row[0]) for row in rows}
        by_code = {str(row[1]).casefold(): str(row[0]) for row in rows if field and row[1]}
        return [t if t in pks else by_code.get(t.casefold(), t) for t in tokens]

    # Rendering ----------------------------------------------------------------------------

    def format_value(self, value):
        if value is None or value == "":
            return []
        if not isinstance(value, list | tuple | set):
            value = [value]
        return [str(getattr(v, "pk", v)) for v in value if v not in (None, "")]

    def selected(self, values: list[str]) -> list[dict]:
        """The selected rows as {value, label, code}: one query, whatever the table's size."""
        if not values:
            return []
        queryset = self._queryset()
        if queryset is None:
            pairs = self.labels(values) if self.labels else [(v, v) for v in values]
            return [{"value": str(v), "label": str(label), "code": str(v)} for v, label in pairs]
        ids = [v for v in values if is_row_id(v)]
        rows = {str(obj.pk): obj for obj in queryset.filter(pk__in=ids)}
        field = code_field(queryset.model)
        items = []
        for value in values:
            obj = rows.get(value)
            if obj is None:
                # Not (or no longer) a choice: show what was sent, for the error beside it.
                items.append({"value": value, "label": value, "code": value})
                continue
            code = str(getattr(obj, field, "") or "") if field else ""
            if not code or code.isdigit():
                code = value  # an all-digit code would read as an id
            items.append({"value": value, "label": picker_label(obj), "code": code})
        return items

    def endpoint(self) -> str:
        url = self.url
        if isinstance(url, tuple):
            url = reverse(url[0], args=url[1])
        url = str(url) if isinstance(url, Promise) else (url or "")
        if self.write:
            url += ("&" if "?" in url else "?") + "write=1"
        return url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        items = self.selected(context["widget"]["value"])
        context["widget"].update(
            {
                "items": items,
                "text": ", ".join(item["code"] for item in items),
                "url": self.endpoint(),
                "multiple": self.allow_multiple_selected,
                "required": self.is_required,
                "placeholder": _("Type to search…"),
                "none": _("No match."),
                "remove": _("Remove"),
                # Announced to screen readers; the script puts the count in place of %s.
                "found": _("%s suggestions."),
                "hint": _("Type one or more codes, separated by commas.")
                if self.allow_multiple_selected
                else _("Type a code."),
            }
        )
        return context


class RowIdsChecked:
    """For a multiple model choice: a number beyond a database integer is an invalid choice,
    refused before Django's check sends it to the database (SQLite overflows on it)."""

    def _check_values(self, value):
        for token in value:
            text = str(token)
            if text.isascii() and text.isdigit() and not is_row_id(text):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super()._check_values(value)


_checked_classes: dict[type, type] = {}


def row_ids_checked(field_class: type) -> type:
    """`field_class` (a ModelMultipleChoiceField) with RowIdsChecked, made once per class."""
    if issubclass(field_class, RowIdsChecked):
        return field_class
    if field_class not in _checked_classes:
        _checked_classes[field_class] = type(field_class.__name__, (RowIdsChecked, field_class), {})
    return _checked_classes[field_class]


class PickerMultiple(Picker):
    """The picker for a multiple choice (chosen rows shown as removable chips)."""

    allow_multiple_selected = True

    def value_omitted_from_data(self, data, files, name):
        # Like SelectMultiple: nothing submitted means "none chosen", not "not in the form".
        return False


def use_picker(field: forms.Field, url, *, write: bool = False, labels=None) -> forms.Field:
    """Put the picker on a (model) choice field, fed by the endpoint at `url`."""
    multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
    widget_class = PickerMultiple if multiple else Picker
    attrs = {k: v for k, v in field.widget.attrs.items() if not k.startswith("data-")}
    attrs["class"] = "form-control"
    widget = widget_class(url, write=write, labels=labels, attrs=attrs)
    widget.is_required = field.required
    widget.choices = getattr(field, "choices", [])
    field.widget = widget
    if isinstance(field, forms.ModelMultipleChoiceField):
        field.__class__ = row_ids_checked(type(field))
    return field
