"""DRF permission classes over the access choke point (resilia.core.access).

They decide only "may this role use this kind at all"; which rows, and whether one object may
be written, is decided by `for_user()` and `get_object_for_user()` in the views. No role
rule is written here.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from resilia.core import access


class CanReadKind(BasePermission):
    """The user's role reads the view's model at all; anonymous users get a 401 from DRF."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return access.can_read_kind(user, view.model)
