"""The kit's ports and choke-point answers that apps above it rely on (docs/architecture.md).

The kit imports no app; the audit trail plugs its recorder in, evidence its delete hook, and
every permission question about reports, history and unscoped placement is answered here.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from resilia.audit.models import AuditEvent
from resilia.audit.services import audit_record, audit_record_many
from resilia.core import access, services, trail
from resilia.org import services as org
from resilia.org.models import Person, Site, Unit


@pytest.fixture
def no_recorder():
    trail.connect(None)
    yield
    trail.connect(audit_record, audit_record_many)


def test_it_refuses_a_change_when_no_audit_recorder_is_connected(db, org_tree, no_recorder):
    """Nothing is changed without its event: with no recorder, the kit's services raise and
    the transaction leaves no row behind."""
    before = Unit.objects.count()
    with pytest.raises(ImproperlyConfigured):
        services.object_create(
            actor=None, instance=Unit(code="X", name="X", kind="team", path="/x/")
        )
    assert Unit.objects.count() == before
    with pytest.raises(ImproperlyConfigured):
        services.object_create_many(
            actor=None, instances=[Unit(code="Y", name="Y", kind="team", path="/y/")]
        )
    assert Unit.objects.count() == before


def test_it_runs_the_delete_hooks_inside_the_delete(db, org_tree, personas):
    seen = []

    def hook(*, actor, target):
        seen.append((actor, target.pk, Unit.objects.filter(pk=target.pk).exists()))

    services.on_delete(hook)
    try:
        unit = org_tree["team_a"]
        pk = unit.pk
        Person.objects.filter(unit=unit).update(unit=org_tree["dept_a"])
        org.unit_delete(actor=personas["admin"], unit=unit)
    finally:
        services._BEFORE_DELETE.remove(hook)
    # Called once, with the actor, while the object still existed.
    assert seen == [(personas["admin"], pk, True)]
    assert not Unit.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    "role, expected",
    [
        ("admin", (5, True)),
        ("auditor", (5, True)),
        ("coord_a", (2, True)),  # DEPT-A and its section
        ("executive", (5, False)),  # organisation-wide totals, no register behind them
    ],
)
def test_it_counts_units_for_the_home_page_by_role(personas, role, expected):
    assert access.report_count(personas[role], Unit) == expected


def test_it_counts_nothing_for_an_outsider(personas):
    assert access.report_count(AnonymousUser(), Unit) is None


def test_it_scopes_report_rows_like_the_registers(personas):
    """ISO 22301 8.2 analyses are shown in the reader's scope: whole model for the BCM office,
    auditors and executives; a coordinator's own subtree only."""
    assert access.reports_whole_model(None)  # the command line runs with full rights
    assert set(access.report_rows(personas["executive"], Unit)) == set(Unit.objects.all())
    coordinator = set(access.report_rows(personas["coord_a"], Unit).values_list("code", flat=True))
    assert coordinator == {"DEPT-A", "A-TEAM"}
    assert not access.can_view_reports(AnonymousUser())


@pytest.mark.parametrize(
    "role, allowed",
    [("admin", True), ("manager", True), ("coord_a", False), ("contrib_a", False)],
)
def test_it_lets_only_organisation_wide_writers_place_objects_at_no_unit(personas, role, allowed):
    assert access.may_place_unscoped(personas[role]) is allowed


def test_it_shows_an_objects_history_to_whoever_reads_the_object(personas, org_tree):
    site = org.site_create(
        actor=personas["admin"], code="S-B", name="乙场所", kind="office", unit=org_tree["dept_b"]
    )
    events = AuditEvent.objects
    assert events.about(personas["coord_b"], Site, site.pk).count() == 1
    assert events.about(personas["coord_a"], Site, site.pk).count() == 0  # not their unit
    pk = site.pk
    org.site_delete(actor=personas["admin"], site=site)
    # Once deleted, the object decides nothing: only readers of the whole trail see it.
    assert events.about(personas["coord_b"], Site, pk).count() == 0
    assert events.about(personas["auditor"], Site, pk).count() == 2
