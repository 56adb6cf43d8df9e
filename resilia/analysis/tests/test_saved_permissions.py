"""The persona × page × owner table of the saved what-ifs, derived from their rule (see
resilia.analysis.access), not from observed responses: a saved what-if is its author's; the BCM
office (admin, BCM manager) reads and deletes everyone's; auditors read everyone's and save
nothing; every other role reads and deletes only its own. Outsiders are sent to sign in.

Two saved runs: coord_a's and the manager's. Pages: list, detail, re-run, compare (the two),
delete (GET confirmation, POST), save (POST)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from resilia.analysis import saved as svc
from resilia.analysis.models import SavedWhatIf
from resilia.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor", "executive")
OFFICE = {"admin", "manager"}
READ_ALL = OFFICE | {"auditor"}
SAVERS = set(PERSONAS) - {"auditor"}
OWNERS = ("coord_a", "manager")
OBJECT_PAGES = ("detail", "rerun", "delete_get", "delete_post")


def expected(persona: str, page: str, owner: str | None) -> int:
    if persona == "outsider":
        return 302  # to the sign-in page
    if page == "list":
        return 200
    if page == "save":
        return 302 if persona in SAVERS else 403
    if page == "compare":
        return 200 if persona in READ_ALL else 302  # back to the list: not two it may read
    reads = persona in READ_ALL or persona == owner
    if not reads:
        return 404
    if page in ("delete_get", "delete_post"):
        writes = persona in OFFICE or persona == owner
        if not writes:
            return 403
        return 302 if page == "delete_post" else 200
    return 200


CELLS = [("list", None), ("compare", None), ("save", None)] + [
    (page, owner) for page in OBJECT_PAGES for owner in OWNERS
]
TABLE = [(p, page, owner) for p in (*PERSONAS, "outsider") for page, owner in CELLS]


@pytest.fixture
def runs(personas, bank):
    at = dt.datetime(2026, 5, 1, 1, 0, tzinfo=dt.UTC)
    return {
        owner: svc.saved_whatif_create(
            actor=personas[owner], name=f"{owner} 的演练", specs=["resource:CORE"], at=at
        )
        for owner in OWNERS
    }


@pytest.mark.parametrize(
    ("persona", "page", "owner"), TABLE, ids=[f"{p}-{g}-{o}" for p, g, o in TABLE]
)
def test_table(client_as, runs, persona, page, owner):
    client = client_as(persona)
    target = runs.get(owner)
    before = SavedWhatIf.objects.count()
    if page == "list":
        response = client.get(reverse("analysis:saved_list"))
    elif page == "compare":
        picks = [runs[o].pk for o in OWNERS]
        response = client.get(reverse("analysis:saved_compare"), {"pick": picks})
    elif page == "save":
        node = "resource:KP-B" if persona == "coord_b" else "resource:CORE"  # one it may read
        data = {"fail": [node], "name": "新演练"}
        response = client.post(reverse("analysis:saved_create"), data)
    elif page == "delete_post":
        response = client.post(reverse("analysis:saved_delete", args=[target.pk]))
    else:
        name = {"detail": "saved_detail", "rerun": "saved_rerun", "delete_get": "saved_delete"}
        response = client.get(reverse(f"analysis:{name[page]}", args=[target.pk]))
    want = expected(persona, page, owner)
    assert response.status_code == want
    if page == "list" and persona != "outsider":
        html = response.content.decode()
        for o in OWNERS:
            assert (runs[o].name in html) == (persona in READ_ALL or persona == o)
    after = SavedWhatIf.objects.count()
    if page == "save":
        assert after == before + (1 if want == 302 and persona != "outsider" else 0)
    elif page == "delete_post" and want == 302 and persona != "outsider":
        assert not SavedWhatIf.objects.filter(pk=target.pk).exists()
        assert AuditEvent.objects.filter(action="delete", object_id=str(target.pk)).exists()
    else:
        assert after == before
