"""The import page of the risk register: the shared flow of resilia.core.importflow."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.importflow import ImportFlow
from resilia.risk.importing import COLUMNS, KIND_LABELS, KINDS, ImportFileError, risk_import
from resilia.risk.models import Risk

FLOW = ImportFlow(
    namespace="risk",
    kinds=KINDS,
    kind_labels=KIND_LABELS,
    columns=COLUMNS,
    run=risk_import,
    file_errors=(ImportFileError,),
    can_import=lambda user: access.can_create(user, Risk),
    list_urls={"risks": "risk:risk_list"},
    title=_("Import risks"),
    intro=_(
        "Rows are matched by risk code: existing risks are updated and re-scored on the current "
        "matrix, new ones created. Ratings are levels of the current matrix. Nothing is saved "
        "until you confirm the preview, and nothing at all if any row is wrong."
    ),
    row_headings={"risks": (_("risk code"), _("title"))},
)
views = FLOW.views()
