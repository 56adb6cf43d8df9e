"""The placement rules of the organisation registers, each written once with its message.

Where an object sits in the unit tree decides who may read and write it, so moving it is a
scope decision: `access.may_place` decides, and this module gives each register's refusal
its one wording. The forms, the API, the XLSX/CSV importer and the model file all ask
`placement_error`, so a contributor cannot do through one door what another refuses
(see `dependencies.rules` for the resource's sharing rule, the same rule for resources).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.org.models import Person, Site, Team, Unit

# model → (message for a unit the user may not use, message for no unit at all)
MESSAGES = {
    Unit: (
        _("You may not place a unit under this parent."),
        _("Only the BCM office may place a unit at the top of the tree."),
    ),
    # A person always has a unit (the model requires it): no second message.
    Person: (_("You may not place a person in this unit."),) * 2,
    Site: (
        _("You may not place a site in this unit."),
        _("Only the BCM office may share a site with the whole organisation."),
    ),
    Team: (
        _("You may not place a team in this unit."),
        _("Only the BCM office may make a team organisation-wide."),
    ),
}

# The field that places each kind in the tree.
FIELD = {Unit: "parent", Person: "unit", Site: "unit", Team: "unit"}


def placement_error(actor, model, unit, *, instance=None) -> str | None:
    """Why `actor` may not put an object of `model` at `unit` (None: no unit), or None.

    `instance`: the saved object being changed; leaving it where it is is no move.
    """
    if access.may_place(actor, model, unit, instance=instance, field=FIELD[model]):
        return None
    elsewhere, nowhere = MESSAGES[model]
    return str(elsewhere if unit is not None else nowhere)
