"""The strategies section of an activity's or a resource's page (dependencies.panels): the
options recorded for it, the chosen one first, their recovery time and point against its
objectives, and the links to compare them, to the register filtered on it and to propose one.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from resilia.core import access
from resilia.dependencies.models import Activity
from resilia.strategies import selectors
from resilia.strategies.models import Option


def subject_panel(request, node) -> str:
    """The panel's HTML, or "" for a reader who may not see strategy options at all."""
    user = request.user
    if not access.can_read_kind(user, Option):
        return ""
    kind = "activity" if isinstance(node, Activity) else "resource"
    context = {
        "summary": selectors.summary(user, node),
        "subject": node,
        "kind": kind,
        "can_propose": access.can_create(user, Option) and access.can_write(user, node),
    }
    return render_to_string("strategies/_subject_panel.html", context, request=request)
