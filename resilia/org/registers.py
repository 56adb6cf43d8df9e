"""The declarations of the organisation registers (see resilia.core.lists).

Each one drives its list page, filters, sort, pagination and CSV/XLSX export.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resilia.core.lists import Column, Register, related_count
from resilia.org.filters import PersonFilterSet, UnitFilterSet
from resilia.org.models import Person, Unit

UNITS = Register(
    model=Unit,
    filterset=UnitFilterSet,
    title=_("Units"),
    basename="units",
    columns=[
        Column("code", _("code"), "code", order="code", link=True, css="text-nowrap"),
        Column(
            "name",
            _("name"),
            "display_name",
            order="name",
            template="org/_unit_name_cell.html",
        ),
        Column("kind", _("kind"), "get_kind_display", order="kind"),
        Column(
            "parent", _("parent unit"), "parent.display_name", order="parent__path", guard="parent"
        ),
        Column("head", _("head"), "head.full_name", order="head__full_name", guard="head"),
        Column("people", _("people"), "people_count", order="people_count", css="text-end"),
    ],
    ordering=("path",),
    select_related=("parent", "head"),
    annotate=lambda qs: qs.annotate(people_count=related_count(Person, "unit")),
    create_url="org:unit_create",
    template="org/import_list_page.html",  # adds the Import button
    extra={"import_kind": "units"},
    tree_depth="depth",
)

PEOPLE = Register(
    model=Person,
    filterset=PersonFilterSet,
    title=_("People"),
    basename="people",
    columns=[
        Column("employee_no", _("employee number"), "employee_no", order="employee_no"),
        # The e-mail shows under the name, so the row fits a laptop screen; files keep both.
        Column(
            "name",
            _("full name"),
            "full_name",
            order="full_name",
            template="org/_person_name_cell.html",
        ),
        Column("title", pgettext_lazy("a person's job", "title"), "title", order="title"),
        Column("unit", _("unit"), "unit.display_name", order="unit__path"),
        Column("site", _("site"), "site.display_name", order="site__code", guard="site"),
        Column("mobile", _("mobile"), "mobile", css="text-nowrap"),
        Column("email", _("e-mail"), "email", on_page=False),
        Column(
            "key",
            _("key person"),
            "is_key_person",
            order="-is_key_person",
            template="org/_key_person_cell.html",
        ),
        Column(
            "deputy", _("deputy"), "deputy.full_name", order="deputy__full_name", guard="deputy"
        ),
        Column("active", _("active"), "is_active", order="-is_active"),
    ],
    ordering=("full_name",),
    select_related=("unit", "site", "deputy"),
    create_url="org:person_create",
    template="org/import_list_page.html",  # adds the Import button
    extra={"import_kind": "people"},
)
