"""The import page of resources, activities and links: the shared flow of
resilia.core.importflow (the same as the organisation import)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from resilia.core.importflow import ImportFlow
from resilia.dependencies.importing import (
    COLUMNS,
    KIND_LABELS,
    KINDS,
    ImportFileError,
    can_import,
    dependencies_import,
)

FLOW = ImportFlow(
    namespace="dependencies",
    kinds=KINDS,
    kind_labels=KIND_LABELS,
    columns=COLUMNS,
    run=dependencies_import,
    file_errors=(ImportFileError,),
    can_import=can_import,
    list_urls={
        "resources": "dependencies:resource_list",
        "activities": "dependencies:activity_list",
        "links": "dependencies:checks",
    },
    title=_("Import resources, activities and links"),
    intro=_(
        "Resources and activities are matched by code, links by their two ends: existing ones "
        "are updated, new ones created. Nothing is saved until you confirm the preview, and "
        "nothing at all if any row is wrong."
    ),
    row_headings={
        "resources": (_("code"), _("name")),
        "activities": (_("code"), _("name")),
        "links": (_("link"), ""),
    },
    pending_prefix="dep-",
    kind_refused=_("You may not import this kind of record."),
    result_notices=True,
)
views = FLOW.views()
