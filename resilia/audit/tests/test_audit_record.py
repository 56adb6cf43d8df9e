"""`audit_record` accepts only registered action names, and the code base records no other."""

import ast
from pathlib import Path

import pytest

import resilia
from resilia.audit.actions import ACTION_LABELS
from resilia.audit.models import AuditEvent
from resilia.audit.services import audit_record

SOURCE = Path(resilia.__file__).parent
# Calls that take an `action=` keyword which is not an audit action (argparse flags).
NOT_AUDIT_CALLS = {"add_argument"}
# Held in a name, so that the scan below does not find it as an action the code records.
UNKNOWN_ACTION = "no_such_action"


def _recorded_action_literals() -> dict[str, list[str]]:
    """{action name: ["path:line", ...]} for every `action="..."` keyword in a call."""
    found: dict[str, list[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in NOT_AUDIT_CALLS:
                continue
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg == "action"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
                    found.setdefault(value.value, []).append(where)
    return found


def test_it_refuses_an_unregistered_action_and_writes_nothing(db, personas):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="'no_such_action'.*register_action"):
        audit_record(actor=personas["admin"], action=UNKNOWN_ACTION, object_repr="x")
    assert AuditEvent.objects.count() == before


def test_it_records_a_registered_action(db, personas):
    event = audit_record(actor=personas["admin"], action="export", object_repr="x")
    assert AuditEvent.objects.filter(pk=event.pk, action="export").exists()


def test_it_has_every_action_the_code_records_registered():
    found = _recorded_action_literals()
    # The scan must see the actions we know are recorded, or it proves nothing.
    assert {"create", "update", "delete", "login_failed", "import", "export"} <= set(found)
    unknown = {name: where for name, where in found.items() if name not in ACTION_LABELS}
    assert not unknown, f"register these audit actions in resilia/audit/actions.py: {unknown}"
