"""State changes of strategy options. Views, API, the model file and the demo call these.

Each takes `actor=`, validates with `full_clean()` and writes its audit event in the same
transaction. The decision (choose, reject) is checked here as well as in the views, so no
caller can record an approval by someone without the right (access.may_decide).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.audit.actions import register_action
from resilia.core.services import UNSET, given, object_create, object_delete, object_update
from resilia.dependencies import rules as dependency_rules
from resilia.dependencies import services as dependencies
from resilia.strategies.access import may_decide
from resilia.strategies.models import Option, Status

if TYPE_CHECKING:
    from resilia.accounts.models import User
    from resilia.dependencies.models import Activity, Resource

register_action("strategy_choose", gettext_lazy("Choose strategy"))
register_action("strategy_reject", gettext_lazy("Reject strategy"))
register_action("strategy_supersede", gettext_lazy("Strategy superseded"))
register_action("strategy_test", gettext_lazy("Record strategy test"))


@transaction.atomic
def option_create(
    *,
    actor: User | None,
    activity: Activity | None = UNSET,
    resource: Resource | None = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    kind: str = UNSET,
    description: str = UNSET,
    recovery_time: int | None = UNSET,
    recovery_point: int | None = UNSET,
    cost_once: Decimal = UNSET,
    cost_yearly: Decimal = UNSET,
    residual_risk: str = UNSET,
    people_needed: int = UNSET,
    seats_needed: int = UNSET,
    equipment_needed: str = UNSET,
    data_needed: str = UNSET,
) -> Option:
    """Propose an option for one activity or one resource."""
    fields = given(
        activity=activity,
        resource=resource,
        name=name,
        name_en=name_en,
        kind=kind,
        description=description,
        recovery_time=recovery_time,
        recovery_point=recovery_point,
        cost_once=cost_once,
        cost_yearly=cost_yearly,
        residual_risk=residual_risk,
        people_needed=people_needed,
        seats_needed=seats_needed,
        equipment_needed=equipment_needed,
        data_needed=data_needed,
    )
    return object_create(actor=actor, instance=Option(**fields))


def _require_editable(option: Option) -> None:
    if not option.editable:
        raise ValidationError(
            _("This option is %(status)s: it can no longer be changed.")
            % {"status": option.get_status_display()},
            code="locked",
        )


@transaction.atomic
def option_update(
    *,
    actor: User | None,
    option: Option,
    activity: Activity | None = UNSET,
    resource: Resource | None = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    kind: str = UNSET,
    description: str = UNSET,
    recovery_time: int | None = UNSET,
    recovery_point: int | None = UNSET,
    cost_once: Decimal = UNSET,
    cost_yearly: Decimal = UNSET,
    residual_risk: str = UNSET,
    people_needed: int = UNSET,
    seats_needed: int = UNSET,
    equipment_needed: str = UNSET,
    data_needed: str = UNSET,
) -> Option:
    """Change a proposed (or rejected) option; a chosen one is locked."""
    # Read it again under the write lock: a decision taken since the caller read it stands.
    option = Option.objects.select_for_update().get(pk=option.pk)
    _require_editable(option)
    data = given(
        activity=activity,
        resource=resource,
        name=name,
        name_en=name_en,
        kind=kind,
        description=description,
        recovery_time=recovery_time,
        recovery_point=recovery_point,
        cost_once=cost_once,
        cost_yearly=cost_yearly,
        residual_risk=residual_risk,
        people_needed=people_needed,
        seats_needed=seats_needed,
        equipment_needed=equipment_needed,
        data_needed=data_needed,
    )
    return object_update(actor=actor, instance=option, data=data)


@transaction.atomic
def option_delete(*, actor: User | None, option: Option) -> None:
    """Delete an option that was never chosen (a chosen one is the record of a decision)."""
    option = Option.objects.select_for_update().get(pk=option.pk)
    if option.status in (Status.CHOSEN, Status.SUPERSEDED):
        raise ValidationError(
            _("A chosen or superseded option is the record of a decision: it cannot be deleted."),
            code="decided",
        )
    object_delete(actor=actor, instance=option)


def _decision(actor, option: Option, reason: str) -> dict:
    if actor is not None and not may_decide(actor, option):
        raise PermissionDenied(_("Only management or the BCM office may decide on a strategy."))
    if not (reason or "").strip():
        raise ValidationError(
            {"decision_reason": _("Give the reason for the decision.")}, code="reason"
        )
    return {
        "decided_by": actor if getattr(actor, "is_authenticated", False) else None,
        "decided_at": timezone.now(),
        "decision_reason": reason.strip(),
    }


@transaction.atomic
def option_choose(*, actor: User | None, option: Option, reason: str) -> Option:
    """Choose this option for its subject, with the approver and the reason recorded.

    The option chosen before for the same subject, if any, becomes superseded (audited).
    """
    option = Option.objects.select_for_update().get(pk=option.pk)
    _require_editable(option)
    decision = _decision(actor, option, reason)
    subject = {"activity_id": option.activity_id, "resource_id": option.resource_id}
    for previous in Option.objects.filter(status=Status.CHOSEN, **subject).exclude(pk=option.pk):
        object_update(
            actor=actor,
            instance=previous,
            data={"status": Status.SUPERSEDED},
            action="strategy_supersede",
        )
    return object_update(
        actor=actor,
        instance=option,
        data={"status": Status.CHOSEN, **decision},
        action="strategy_choose",
    )


@transaction.atomic
def option_reject(*, actor: User | None, option: Option, reason: str) -> Option:
    """Reject a proposed option, with the reason recorded."""
    option = Option.objects.select_for_update().get(pk=option.pk)
    if option.status != Status.PROPOSED:
        raise ValidationError(
            _("Only a proposed option can be rejected (this one is %(status)s).")
            % {"status": option.get_status_display()},
            code="not_proposed",
        )
    decision = _decision(actor, option, reason)
    return object_update(
        actor=actor,
        instance=option,
        data={"status": Status.REJECTED, **decision},
        action="strategy_reject",
    )


@transaction.atomic
def option_record_test(
    *,
    actor: User | None,
    option: Option,
    tested_on: dt.date,
    tested_recovery_time: int,
    tested_recovery_point: int | None = None,
    test_evidence: str = "",
) -> Option:
    """Record what a test of the chosen option achieved.

    For a resource, the achieved recovery time and point, the date and the evidence become
    the resource's recovery capability in the dependency model (the engine's gaps, what-if
    and recovery order then use them); an activity has no capability of its own there, so
    the result stays on the option and in the comparison.
    """
    option = Option.objects.select_for_update().get(pk=option.pk)
    errors = {}
    if option.status != Status.CHOSEN:
        raise ValidationError(_("Only the chosen option can be tested."), code="not_chosen")
    if tested_on is None:
        errors["tested_on"] = _("Give the date of the test.")
    elif message := dependency_rules.tested_on_error(tested_on):
        errors["tested_on"] = message
    if tested_recovery_time is None:
        errors["tested_recovery_time"] = _("Give the recovery time the test achieved.")
    if errors:
        raise ValidationError(errors)
    option = object_update(
        actor=actor,
        instance=option,
        data={
            "tested_on": tested_on,
            "tested_recovery_time": tested_recovery_time,
            "tested_recovery_point": tested_recovery_point,
            "test_evidence": test_evidence,
        },
        action="strategy_test",
    )
    if option.resource_id:
        evidence = test_evidence or _("Strategy test: %(option)s") % {"option": option.name}
        # A test that did not measure data loss leaves the resource's recovery point as it was.
        point = {} if tested_recovery_point is None else {"recovery_point": tested_recovery_point}
        dependencies.resource_update(
            actor=actor,
            resource=option.resource,
            recovery_time=tested_recovery_time,
            capability_tested_on=tested_on,
            capability_evidence=evidence[:500],
            **point,
        )
    return option
