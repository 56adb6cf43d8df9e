"""The import page of units and people: the shared flow of resilia.core.importflow."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.importflow import ImportFlow
from resilia.org.importing import COLUMNS, KIND_LABELS, KINDS, ImportFileError, org_import
from resilia.org.models import Person, Unit, UnitKind


def can_import(user) -> bool:
    """Whether the import page is open to the user (rows are scoped by the service)."""
    return access.can_create(user, Unit) or access.can_create(user, Person)


FLOW = ImportFlow(
    namespace="org",
    kinds=KINDS,
    kind_labels=KIND_LABELS,
    columns=COLUMNS,
    run=org_import,
    file_errors=(ImportFileError,),
    can_import=can_import,
    list_urls={"units": "org:unit_list", "people": "org:person_list"},
    title=_("Import units and people"),
    intro=_(
        "Rows are matched by unit code or employee number: existing ones are updated, new ones "
        "created. Nothing is saved until you confirm the preview, and nothing at all if any row "
        "is wrong."
    ),
    row_headings={
        "units": (_("unit code"), _("name")),
        "people": (_("employee number"), _("full name")),
    },
    choices={"kind": UnitKind.choices},
)
views = FLOW.views()
