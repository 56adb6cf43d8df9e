"""Each rule of resilia.dependencies.rules, through every caller, with the same message.

One table: for every rule, a case per caller (the web form or link view, the XLSX/CSV import,
the REST API, the model file) that breaks it; each must answer with the rule's one message.
The lonely OR group is a notice on pages and in the import, a problem in a model file, and
not checked by the API (links are written there one by one), as before.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from resilia.accounts.tests.tokens import api_key
from resilia.audit.models import AuditEvent
from resilia.dependencies import services as deps
from resilia.dependencies.importing import dependencies_import
from resilia.dependencies.modelio import ModelFileError, export_model, import_model
from resilia.dependencies.models import Dependency, Resource

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

MESSAGES = {
    "self_link": "A node cannot depend on itself.",
    "resource_needs_activity": "A resource can only depend on another resource.",
    "duplicate": "This link already exists",
    "lonely_group": "Redundancy group “dc” of",
    "sharing": "Only the BCM office may share a resource.",
}
LONELY_TAIL = "has one member: it is not a redundancy."


def key(node) -> str:
    return f"{node._meta.model_name}:{node.pk}"


def api(personas, name: str) -> APIClient:
    client = APIClient(**EN)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(personas[name])}")
    return client


def drop_dc2(bank) -> None:
    """CORE's OR group "dc" keeps one member, DC1."""
    link = Dependency.objects.get(dependent_resource=bank["core"], dependency_resource=bank["dc2"])
    deps.dependency_delete(actor=bank["actor"], dependency=link)


# Callers: each returns the text the caller answered with -------------------------------------


def via_view(bank, personas, client_for, rule) -> str:
    client = client_for("coord_a")
    if rule == "lonely_group":
        drop_dc2(bank)
        return client.get(bank["core"].get_absolute_url(), **EN).content.decode()
    if rule == "sharing":
        data = {"code": "NEW-R", "name": "新系统", "kind": "application", "unit": ""}
        data |= {"criticality": "medium", "redundancy": "none"}
        response = client.post(reverse("dependencies:resource_create"), data, **EN)
        assert response.status_code == 200 and not Resource.objects.filter(code="NEW-R").exists()
        return response.content.decode()
    node, target = {
        "self_link": (bank["core"], bank["core"]),
        "resource_needs_activity": (bank["core"], bank["pay"]),
        "duplicate": (bank["pay"], bank["core"]),
    }[rule]
    kind = node._meta.model_name
    url = reverse("dependencies:link_add", args=[kind, node.pk, "needs"])
    response = client.post(url, {"needs-target": key(target), "needs-tolerance": "0"}, **EN)
    assert response.status_code == 400
    return response.content.decode()


def via_import(bank, personas, client_for, rule) -> str:
    header = "dependent_code,dependent_kind,dependency_code,dependency_kind,group\n"
    kind, text = (
        "links",
        {
            "self_link": header + "PAY,activity,PAY,activity,\n",
            "resource_needs_activity": header + "CORE,resource,PAY,activity,\n",
            "duplicate": header + "PAY,activity,NET,resource,\nPAY,activity,NET,resource,\n",
            "lonely_group": header + "CORE,resource,DC2,resource,\n",  # leaves DC1 alone in "dc"
        }.get(rule, ""),
    )
    if rule == "sharing":
        kind, text = "resources", "code,name,kind,unit_code\nNEW-R,新系统,application,\n"
    upload = SimpleUploadedFile("f.csv", ("\ufeff" + text).encode(), "text/csv")
    with translation.override("en"):
        result = dependencies_import(
            actor=personas["coord_a"], kind=kind, file=upload, dry_run=True
        )
        return "\n".join([str(e) for e in result.errors] + [str(n) for n in result.notices])


def via_api(bank, personas, client_for, rule) -> str:
    if rule == "sharing":
        response = api(personas, "coord_a").patch(
            f"/api/resources/{bank['core'].pk}/", {"unit": None}, format="json"
        )
    else:
        ends = {
            "self_link": ("dependent_activity", "pay", "dependency_activity", "pay"),
            "resource_needs_activity": ("dependent_resource", "core", "dependency_activity", "pay"),
            "duplicate": ("dependent_activity", "pay", "dependency_resource", "core"),
        }[rule]
        payload = {ends[0]: bank[ends[1]].pk, ends[2]: bank[ends[3]].pk}
        response = api(personas, "manager").post("/api/dependencies/", payload, format="json")
    assert response.status_code == 400, response.content
    return str(response.json()["error"]["fields"])


def via_model_file(bank, personas, client_for, rule) -> str:
    data = export_model()
    links = data["dependencies"]
    pay_core = next(
        i for i, d in enumerate(links) if (d["dependent"], d["dependency"]) == ("activity:PAY",
                                                                                "resource:CORE")
    )  # fmt: skip
    actor = None
    if rule == "self_link":
        links[pay_core]["dependency"] = "activity:PAY"
    elif rule == "resource_needs_activity":
        links.append({"dependent": "resource:DC2", "dependency": "activity:PAY"})
    elif rule == "duplicate":
        links.append(dict(links[pay_core]))
    elif rule == "lonely_group":
        data["dependencies"] = [d for d in links if d["dependency"] != "resource:DC2"]
    elif rule == "sharing":
        core = next(r for r in data["resources"] if r["code"] == "CORE")
        core.pop("unit", None)
        actor = personas["coord_a"]
    with translation.override("en"), pytest.raises(ModelFileError) as exc:
        import_model(data, actor=actor)
    return "\n".join(str(p) for p in exc.value.problems)


CALLERS = {
    "view": via_view,
    "import": via_import,
    "api": via_api,
    "model_file": via_model_file,
}
# The API writes links one by one: a group of one is only a notice once all are written.
CASES = [
    (rule, caller)
    for rule in MESSAGES
    for caller in CALLERS
    if not (rule == "lonely_group" and caller == "api")
]


@pytest.mark.parametrize(("rule", "caller"), CASES)
def test_it_answers_each_rule_with_its_one_message(bank, personas, client_for, rule, caller):
    before = (
        list(Dependency.objects.order_by("pk").values_list("pk", "group")),
        list(Resource.objects.order_by("pk").values_list("pk", "unit_id")),
    )
    text = CALLERS[caller](bank, personas, client_for, rule)
    assert MESSAGES[rule] in text, text
    if rule == "lonely_group":
        assert LONELY_TAIL in text, text
    else:
        after = (
            list(Dependency.objects.order_by("pk").values_list("pk", "group")),
            list(Resource.objects.order_by("pk").values_list("pk", "unit_id")),
        )
        assert after == before


# Sharing through the API (issue 8, finding 1) ------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"), [("contrib_a", 400), ("coord_a", 400), ("manager", 200)]
)
def test_it_lets_only_the_bcm_office_share_a_resource_through_the_api(
    bank, personas, persona, status
):
    core = bank["core"]  # DEPT-A, owned by bob (contrib_a)
    unit, events = core.unit_id, AuditEvent.objects.count()
    response = api(personas, persona).patch(
        f"/api/resources/{core.pk}/", {"unit": None}, format="json"
    )
    assert response.status_code == status, response.content
    core.refresh_from_db()
    if status == 400:
        assert response.json()["error"]["fields"] == {"unit": [MESSAGES["sharing"]]}
        assert core.unit_id == unit and AuditEvent.objects.count() == events
    else:
        assert core.unit_id is None
        event = AuditEvent.objects.order_by("-seq").first()
        assert (event.action, event.changes) == ("update", {"unit_id": [unit, None]})
