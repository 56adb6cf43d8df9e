"""`resilia demo`: the standard demo bank and large synthetic organisations."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from resilia.accounts.models import User
from resilia.audit.models import AuditEvent
from resilia.audit.services import audit_verify
from resilia.demo import bank
from resilia.demo.scale import load_scale
from resilia.org.models import Person, Site, Team, TeamMembership, Unit

pytestmark = pytest.mark.django_db
PASSWORD = "Demo-Password-2026"


def _counts() -> dict[str, int]:
    models = (Unit, Person, Site, Team, TeamMembership, User, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("RESILIA_DEMO_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_it_loads_a_realistic_bank_through_the_audited_services(demo):
    assert Unit.objects.count() == 15
    assert Person.objects.count() == 120
    assert Site.objects.count() == 5
    assert Team.objects.count() == 7
    it = Unit.objects.get(code="IT-OPS")
    assert (it.name, it.parent.name, it.path) == (
        "运维中心",
        "信息科技部",
        f"{it.parent.path}{it.pk}/",
    )
    assert set(Site.objects.values_list("kind", flat=True)) == {
        "office", "data_centre", "dr_site", "alternate"
    }  # fmt: skip
    for team in Team.objects.all():
        assert team.responsibilities, team.code
        assert team.memberships.filter(role="leader").count() == 1, team.code
    # Every row was written by a service: one audited creation each, from the CLI.
    events = AuditEvent.objects.filter(action="create")
    assert events.filter(object_type="org.person").count() == 120
    assert events.filter(object_type="org.teammembership").count() == TeamMembership.objects.count()
    assert set(AuditEvent.objects.values_list("source", flat=True)) == {"cli"}
    assert audit_verify().ok
    assert f"password: {PASSWORD}" in demo


def test_it_names_deputies_for_key_people_but_shows_a_gap(demo):
    it_head = Unit.objects.get(code="IT").head
    assert it_head.is_key_person and it_head.deputy.title == "副总经理"
    for code in bank.HEADS_WITHOUT_DEPUTY:
        head = Unit.objects.get(code=code).head
        assert head.is_key_person and head.deputy is None
    assert Person.objects.filter(is_key_person=True, deputy__isnull=True).count() >= 2
    assert Person.objects.exclude(wecom_id="").count() >= 40
    assert all(p.mobile.startswith("13") and len(p.mobile) == 11 for p in Person.objects.all())


def test_it_creates_demo_users_for_each_role_with_the_demo_password(demo):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.role == "admin"
    assert {u.role for u in User.objects.all()} == {
        "admin", "bcm_manager", "coordinator", "contributor", "auditor", "executive"
    }  # fmt: skip
    assert User.objects.get(username="coord_it").unit.code == "IT"
    assert authenticate(username="auditor", password=PASSWORD) is not None


def test_it_changes_nothing_when_run_twice(demo, monkeypatch):
    before = _counts()
    call_command("demo", stdout=io.StringIO())
    assert _counts() == before


def test_it_restores_edited_demo_data_and_keeps_the_trail(demo):
    person = Person.objects.get(employee_no="JH0001")
    Person.objects.filter(pk=person.pk).update(title="changed")
    events = AuditEvent.objects.count()
    call_command("demo", stdout=io.StringIO())
    person.refresh_from_db()
    assert person.title == "行长"
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.order_by("-seq").first().changes == {"title": ["changed", "行长"]}


def test_it_generates_and_keeps_a_password_when_none_is_given(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("RESILIA_DEMO_PASSWORD", raising=False)
    settings.DATA_DIR = tmp_path
    first, second = io.StringIO(), io.StringIO()
    call_command("demo", stdout=first)
    call_command("demo", stdout=second)
    password = (tmp_path / "demo_password").read_text().strip()
    assert len(password) >= 12
    assert oct((tmp_path / "demo_password").stat().st_mode)[-3:] == "600"
    assert f"password: {password}" in first.getvalue()
    assert f"password: {password}" in second.getvalue()
    assert authenticate(username="admin", password=password) is not None


def test_it_bulk_loads_a_large_organisation_with_one_summary_event():
    summary = load_scale(people=2000)
    assert summary == {"units": 100, "people": 2000, "skipped": 0}
    units = {u.pk: u for u in Unit.objects.all()}
    for unit in units.values():
        expected = f"{units[unit.parent_id].path}{unit.pk}/" if unit.parent_id else f"/{unit.pk}/"
        assert unit.path == expected and unit.depth == expected.count("/") - 2
    assert Person.objects.count() == 2000
    assert Person.objects.values("employee_no").distinct().count() == 2000
    (event,) = AuditEvent.objects.all()
    assert event.action == "import"
    assert event.changes["people"] == 2000 and event.changes["units"] == 100
    # The sequences were moved past the reserved keys: ordinary creation still works.
    Unit.objects.create(code="AFTER", name="after", kind="department", path="/x/")
    assert load_scale(people=2000)["skipped"] == 1
    assert Person.objects.count() == 2000


def test_a_bulk_load_refreshes_the_planners_statistics(django_capture_on_commit_callbacks):
    """After 2,000 people written at once, PostgreSQL's planner knows the table holds them
    (it planned sequential scans over 100,000 people from the empty table's statistics), and
    their trigram index holds them (they waited in its pending list, which a search of
    100,000 people read through: 217 ms instead of 4 ms). SQLite has neither."""
    from django.db import connection

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load_scale(people=2000)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'org_person'")
            assert cursor.fetchone()[0] >= 2000
            # The trigram index of the names holds them itself, none left pending.
            # (cleaning it again finds no page of the pending list left to move)
            cursor.execute("SELECT gin_clean_pending_list('org_person_full_name_trgm'::regclass)")
            assert cursor.fetchone()[0] == 0
            assert len(callbacks) == 1
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 0 and callbacks == []
