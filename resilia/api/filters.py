"""Query parameters every API list shares: strict ordering. The filter sets are the apps'
own (shared with their UI registers), declared next to their viewsets in `<app>/api.py`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=a,-b` over the view's whitelist; anything else is a 400, not ignored.

    Silently ignoring a misspelt field would return rows in an order the client did not ask
    for. The primary key is always the last sort key, so pages never overlap or skip rows.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params is None:
            return self.get_default_ordering(view)
        fields = [param.strip() for param in params.split(",") if param.strip()]
        allowed = {
            name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
        }
        unknown = [f for f in fields if f.lstrip("-") not in allowed]
        if unknown or not fields:
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("Unknown sort field %(fields)s. Allowed: %(allowed)s.")
                        % {
                            "fields": ", ".join(unknown) or '""',
                            "allowed": ", ".join(sorted(allowed)),
                        }
                    ]
                }
            )
        return fields

    def get_schema_operation_parameters(self, view):
        """Document the whitelist: a comma-separated list of fields, `-` for descending."""
        fields = sorted(view.ordering_fields)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(
                    _("Sort keys, comma-separated; prefix a key with - for descending order.")
                ),
                "style": "form",
                "explode": False,
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "enum": [key for f in fields for key in (f, f"-{f}")],
                    },
                },
            }
        ]

    def filter_queryset(self, request, queryset, view):
        ordering = list(self.get_ordering(request, queryset, view) or queryset.query.order_by)
        if not ordering:
            ordering = list(queryset.model._meta.ordering)
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("pk")
        return queryset.order_by(*ordering)
