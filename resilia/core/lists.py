"""Registers: one declaration drives a list page, its filters, sort, pagination and export.

Declare a register once, next to the app's views, and serve it with `list_view`::

    from django.utils.translation import gettext_lazy as _
    from resilia.core.lists import Column, Register, list_view

    SITES = Register(
        model=Site,
        filterset=SiteFilterSet,              # UI filters == API query parameters
        title=_("Sites"),
        basename="sites",                     # export file name: sites-20260101-0930.xlsx
        columns=[
            Column("code", _("code"), "code", order="code", link=True),
            Column("name", _("name"), "display_name", order="name"),
            Column("kind", _("kind"), "get_kind_display", order="kind"),
            Column("unit", _("owning unit"), "unit", order="unit__path"),
            Column("people", _("people"), "people_count", order="people_count"),
            # a callable accessor, a different export value, a cell template:
            Column("dr", _("DR site"), lambda s: s.kind == "dr_site", export=None),
        ],
        ordering=("code",),                   # when no (valid) ?sort= is given
        select_related=("unit",),
        annotate=lambda qs: qs.annotate(people_count=Count("people")),
        create_url="org:site_create",         # "New" button, shown when access.can_create
    )

    @login_required
    def site_list(request):
        return list_view(request, SITES)

What `list_view` guarantees:
- 403 when the role cannot read the kind (`access.require_kind`); rows come only from
  `Model.objects.for_user(request.user)`;
- the filter set is bound to `request.GET`; invalid values are shown as form errors and
  ignored (never a 500); export is refused while the filters are invalid;
- `?sort=key` / `?sort=-key` on sortable columns only (anything else: default ordering);
  the primary key is always the last sort key, so pages are stable;
- `?per_page=25|50|100`, `?page=n` (garbage → first page, too far → last page);
- htmx requests (`HX-Request`) get only the table partial (`core/_list_table.html`);
- `?export=csv|xlsx` exports ALL filtered rows, headers translated, and audits an
  `export` event (object_type = model label, changes = format, filters, rows).

Accessors: a dotted attribute path ("unit.display_name"; a callable attribute is called,
None anywhere along the path gives None) or a function of the object. `export` defaults to
the display value; pass another accessor, or `export=None` to leave the column out of files.
`template` renders the cell with {"obj", "value", "row", "column"}; `link=True` links the
value to `obj.get_absolute_url()`; `on_page=False` keeps a column for exports only. Booleans
show as a check mark. `guard="deputy"` shows the value only when the reader may read the
deputy (a foreign key's target), through the access choke point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.functional import lazy
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.durations import human_minutes
from resilia.core.exports import FORMATS, export_response
from resilia.core.trail import record

PAGE_SIZES = (25, 50, 100)
# Query parameters that belong to the list machinery, not to the filter set.
CONTROL_PARAMS = ("sort", "page", "per_page", "export")

Accessor = str | Callable[[Any], Any]
_DEFAULT = object()


def not_visible() -> str:
    """The cell shown in place of something the reader may not see."""
    return format_html('<span class="text-secondary" title="{}">—</span>', _("Not visible to you"))


def resolve(obj: Any, accessor: Accessor | None) -> Any:
    """The value of `accessor` on `obj`: a dotted path (callables called) or a function."""
    if accessor is None:
        return None
    if callable(accessor):
        return accessor(obj)
    value = obj
    for part in accessor.split("."):
        if value is None:
            return None
        value = getattr(value, part)
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    return value


def export_value(value: Any) -> Any:
    """A spreadsheet-friendly value: numbers, dates and times as themselves (the export types
    the cell), 'yes'/'no' for booleans, text for any other object."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    return str(value)


@dataclass(frozen=True)
class Column:
    """One column of a register: its key (used by ?sort=), label, value, sort and export."""

    key: str
    label: Any  # a lazy translation
    accessor: Accessor
    order: str | Sequence[str] | None = None  # ORM field(s) to sort by; None: not sortable
    export: Accessor | None | object = _DEFAULT  # _DEFAULT: the display value
    template: str | None = None
    link: bool = False
    css: str = ""  # class of the <td>/<th> (e.g. "text-end", "text-nowrap")
    on_page: bool = True  # False: in exports only (another cell shows it, to keep rows narrow)
    # A foreign key whose target the reader must be able to read for the value to show (a
    # dept-A person's row must not name a dept-B deputy or site): checked through the choke
    # point with one query per guarded column.
    guard: str | None = None
    # The header in exports when it differs from the page's (a unit the page's cells spell out).
    export_label: Any = None

    @property
    def sortable(self) -> bool:
        return bool(self.order)

    @property
    def exported(self) -> bool:
        return self.export is not None

    def order_by(self, descending: bool) -> list[str]:
        fields = [self.order] if isinstance(self.order, str) else list(self.order or ())
        if descending:
            return [f[1:] if f.startswith("-") else f"-{f}" for f in fields]
        return fields

    def export_of(self, obj: Any) -> Any:
        accessor = self.accessor if self.export is _DEFAULT else self.export
        return export_value(resolve(obj, accessor))

    def render(self, obj: Any, row: Row) -> str:
        value = resolve(obj, self.accessor)
        if self.template:
            return render_to_string(
                self.template, {"obj": obj, "value": value, "row": row, "column": self}
            )
        if isinstance(value, bool):
            if value:
                return mark_safe('<i class="ti ti-check text-success" aria-hidden="true"></i>')
            return ""
        text = "" if value is None else conditional_escape(value)
        if self.link and text:
            return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), text)
        return text


def related_count(model: type[models.Model], field: str) -> Coalesce:
    """An annotation: how many rows of `model` point at the row through `field` (a foreign key).

    A correlated subquery rather than `Count(join)`: the page computes it for its 25 rows only,
    and the pager's COUNT(*) leaves it out (Django drops unused annotations from count()),
    where a join grouped the whole related table twice a request (100,000 people: 1 s)."""
    rows = (
        model._default_manager.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def duration_column(key: str, label: Any, attribute: str, **options: Any) -> Column:
    """A duration kept in whole minutes (`core.durations.MinutesField`): read as "1 d 4 h" on the
    page, exported as a number of hours under "<label> (hours)", so that a spreadsheet sorts,
    filters and sums it as the analysis exports do."""

    def shown(obj: Any) -> str | None:
        value = getattr(obj, attribute)
        return None if value is None else human_minutes(value)

    def in_hours(obj: Any) -> float | None:
        value = getattr(obj, attribute)
        return None if value is None else round(value / 60, 4)

    options.setdefault("order", attribute)
    options.setdefault("css", "text-nowrap")
    header = lazy(lambda: _("%(label)s (hours)") % {"label": label}, str)()
    return Column(key, label, shown, export=in_hours, export_label=header, **options)


@dataclass(frozen=True)
class Register:
    """A register: the model, its filter set, its columns and how its page is fetched."""

    model: type[models.Model]
    filterset: type
    columns: Sequence[Column]
    title: Any
    basename: str
    ordering: Sequence[str] = ()
    select_related: Sequence[str] = ()
    prefetch_related: Sequence[Any] = ()
    annotate: Callable[[models.QuerySet], models.QuerySet] | None = None
    create_url: str | None = None
    page_size: int = PAGE_SIZES[0]
    tree_depth: str | None = None  # attribute holding the tree depth: rows indent by it
    template: str = "core/_list_page.html"
    partial_template: str = "core/_list_table.html"
    extra: dict = field(default_factory=dict)  # free context for custom templates

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def queryset(self, user) -> models.QuerySet:
        qs = self.model.objects.for_user(user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        if self.annotate is not None:
            qs = self.annotate(qs)
        return qs


@dataclass
class Row:
    obj: Any
    cells: list = field(default_factory=list)
    indent: int = 0


def _sort(register: Register, raw: str) -> tuple[str, list[str]]:
    """The validated sort parameter and the ORDER BY it gives (pk last, for stable pages)."""
    key = raw.strip()
    column = register.column(key.removeprefix("-"))
    if column is None or not column.sortable:
        return "", [*register.ordering, "pk"]
    return key, [*column.order_by(key.startswith("-")), "pk"]


def _per_page(register: Register, raw: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return register.page_size
    return value if value in PAGE_SIZES else register.page_size


def _filters_used(filterset) -> dict[str, str]:
    """The valid, non-empty filter values, as text, for the export audit event."""
    used = {}
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        used[name] = str(value.pk) if isinstance(value, models.Model) else str(value)
    return used


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _name_the_empty_choice(field) -> None:
    """A filter's empty choice means "any value": say "All" rather than "---------"."""
    # Model choices and django-filter's choice fields build the empty choice from empty_label.
    if getattr(field, "empty_label", None) is not None:
        if str(field.empty_label) == "---------":
            field.empty_label = _("All")
            field.widget.choices = field.choices  # the widget holds its own copy
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        if choices and choices[0][0] == "" and choices[0][1] == "---------":
            field.choices = [("", _("All")), *choices[1:]]


def _decorate_filter_form(form, url: str) -> None:
    """Tabler classes and htmx attributes: search as you type, selects on change."""
    for name, bound_field in form.fields.items():
        widget = bound_field.widget
        hx = {"hx-get": url, "hx-target": "#list-results", "hx-include": "closest form"}
        hx["hx-push-url"] = "true"
        if name == "q":
            widget.input_type = "search"
            widget.attrs.update(hx, **{"class": "form-control", "autocomplete": "off"})
            widget.attrs["hx-trigger"] = "keyup changed delay:300ms, search"
            widget.attrs["placeholder"] = _("Search")
        elif isinstance(widget, forms.Select):
            widget.attrs.update(hx, **{"class": "form-select", "hx-trigger": "change"})
            _name_the_empty_choice(bound_field)
        else:
            widget.attrs.update(hx, **{"class": "form-control", "hx-trigger": "change"})


def _headers(register: Register, sort: str) -> list[dict]:
    """Each column header with its sort link parameter and current direction."""
    headers = []
    for column in register.columns:
        if not column.on_page:
            continue
        state = ""
        if sort == column.key:
            state = "asc"
        elif sort == f"-{column.key}":
            state = "desc"
        next_sort = f"-{column.key}" if state == "asc" else column.key
        headers.append({"column": column, "state": state, "next_sort": next_sort})
    return headers


def _readable_targets(user, register: Register, source) -> dict[str, set | None]:
    """For each guarded column, the pks of the targets the user may read among `source`'s
    (None: the user reads them all).

    `source` is a list of objects (a page) or the filtered queryset (an export, as a subquery).
    """
    readable = {}
    for column in register.columns:
        if not column.guard:
            continue
        field = register.model._meta.get_field(column.guard)
        scope = access.read_q(user, field.related_model)
        if scope is not None and not scope:  # reads every row of that kind: nothing to hide
            readable[column.key] = None
            continue
        if isinstance(source, models.QuerySet):
            ids = source.order_by().values(field.attname)
        else:
            ids = {getattr(obj, field.attname) for obj in source} - {None}
        targets = field.related_model.objects.for_user(user).filter(pk__in=ids)
        readable[column.key] = set(targets.values_list("pk", flat=True))
    return readable


def _hidden(column: Column, obj, readable: dict[str, set]) -> bool:
    if not column.guard or readable[column.key] is None:
        return False
    pk = getattr(obj, f"{column.guard}_id")
    return pk is not None and pk not in readable[column.key]


def _export(request, register: Register, queryset, filterset, fmt: str) -> HttpResponse:
    columns = [c for c in register.columns if c.exported]
    objects = list(queryset)
    readable = _readable_targets(request.user, register, queryset)
    rows = [
        [None if _hidden(c, obj, readable) else c.export_of(obj) for c in columns]
        for obj in objects
    ]
    record(
        actor=request.user,
        action="export",
        object_type=register.model._meta.label_lower,
        object_repr=str(register.model._meta.verbose_name_plural),
        changes={"format": fmt, "filters": _filters_used(filterset), "rows": len(rows)},
    )
    return export_response(
        fmt=fmt,
        basename=register.basename,
        headers=[c.export_label or c.label for c in columns],
        rows=rows,
    )


def list_view(request, register: Register, extra_context: dict | None = None) -> HttpResponse:
    """Serve a register: full page, htmx table partial, or CSV/XLSX export."""
    access.require_kind(request.user, register.model)
    filterset = register.filterset(
        request.GET or None, queryset=register.queryset(request.user), request=request
    )
    valid = filterset.is_bound is False or filterset.is_valid()
    sort, order_by = _sort(register, request.GET.get("sort", ""))
    queryset = filterset.qs.order_by(*order_by)

    fmt = request.GET.get("export", "")
    if fmt in FORMATS and valid:
        return _export(request, register, queryset, filterset, fmt)

    per_page = _per_page(register, request.GET.get("per_page", ""))
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    rows = [Row(obj) for obj in page.object_list]
    if register.tree_depth and not sort and rows:
        base = min(getattr(r.obj, register.tree_depth) for r in rows)
        for row in rows:
            row.indent = getattr(row.obj, register.tree_depth) - base
    readable = _readable_targets(request.user, register, [row.obj for row in rows])
    for row in rows:
        row.cells = [
            (c, not_visible() if _hidden(c, row.obj, readable) else c.render(row.obj, row))
            for c in register.columns
            if c.on_page
        ]

    _decorate_filter_form(filterset.form, request.path)
    context = {
        "register": register,
        "filterset": filterset,
        "filter_form": filterset.form,
        "page": page,
        "rows": rows,
        "sort": sort,
        "headers": _headers(register, sort),
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_ends=1)),
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "export_formats": FORMATS if valid else (),
        "export_refused": fmt in FORMATS and not valid,
        "can_create": bool(register.create_url) and access.can_create(request.user, register.model),
        # Query strings for links, each without the parameter the link sets.
        "query_sort": _query_without(request, "sort", "page", "export"),
        "query_page": _query_without(request, "page", "export"),
        "query_export": _query_without(request, "export", "page", "per_page"),
        "query_per_page": _query_without(request, "per_page", "page", "export"),
        **register.extra,
        **(extra_context or {}),
    }
    is_htmx = request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
    template = register.partial_template if is_htmx else register.template
    response = render(request, template, context)
    # The same URL answers a page or a partial: caches must key on the header.
    patch_vary_headers(response, ["HX-Request"])
    return response
