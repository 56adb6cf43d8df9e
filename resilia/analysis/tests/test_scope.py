"""Who sees which nodes of the analysis: the scope built from the units kept per model state
is exactly the nodes the choke point lets the reader read, and follows a moved unit."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resilia.analysis.scope import scope_for
from resilia.core import access
from resilia.core.context import request_context
from resilia.dependencies import selectors
from resilia.dependencies.models import Activity, Resource
from resilia.org import services as org

pytestmark = pytest.mark.django_db

READERS = ("admin", "manager", "auditor", "executive", "coord_a", "coord_b", "contrib_a")


def _readable_nodes(user, model) -> set[str]:
    """The engine keys of the nodes a report may name for the user, through the choke point."""
    return {
        f"{prefix}:{code}"
        for kind, prefix in ((Activity, "activity"), (Resource, "resource"))
        for code in access.report_rows(user, kind).values_list("code", flat=True)
    }


def _seen(user, model) -> set[str]:
    scope = scope_for(user, model.index, model.graph.n, model)
    nodes = np.arange(model.graph.n)
    return {model.graph.key(int(v)) for v in scope.filter(nodes)}


def test_it_shows_each_reader_exactly_the_nodes_they_may_read(bank, personas):
    """Coordinators and contributors see their subtree and the shared (unit-less) resources;
    the BCM office, auditors and executives the whole model (analysis.scope)."""
    model = selectors.compiled_model()
    for name in READERS:
        user = personas[name]
        assert _seen(user, model) == _readable_nodes(user, model), name
        fallback = scope_for(user, model.index, model.graph.n)
        assert _seen(user, model) == {
            model.graph.key(int(v)) for v in fallback.filter(np.arange(model.graph.n))
        }, name
    assert "activity:LOAN" not in _seen(personas["coord_a"], model)
    assert "activity:LOAN" in _seen(personas["coord_b"], model)


def test_it_follows_a_unit_moved_out_of_a_subtree(bank, personas, org_tree):
    model = selectors.compiled_model()
    before = _seen(personas["coord_b"], model)
    with request_context(source="test"):
        org.unit_update(actor=personas["admin"], unit=org_tree["dept_a"], parent=org_tree["dept_b"])
    model = selectors.compiled_model()  # a unit move is no new model revision
    after = _seen(personas["coord_b"], model)
    assert after == _readable_nodes(personas["coord_b"], model)
    assert "activity:PAY" in after and "activity:PAY" not in before


def test_it_reads_no_node_row_once_the_units_are_kept(bank, personas):
    model = selectors.compiled_model()
    scope_for(personas["coord_a"], model.index, model.graph.n, model)
    with CaptureQueriesContext(connection) as queries:
        scope_for(personas["coord_a"], model.index, model.graph.n, model)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert len(queries.captured_queries) == 2  # the reader's units, for each kind
    assert "dependencies_resource" not in sql and "dependencies_activity" not in sql
