"""The `risk` section of the continuity model file: the matrix, threats and risks round-trip
through `resilia model export` / `import`, ratings checked against the matrix, all or nothing."""

import copy

import pytest

from resilia.core.context import request_context
from resilia.dependencies.modelio import export_model, import_model
from resilia.dependencies.modelio_checks import ModelFileError
from resilia.risk.models import MatrixVersion, Risk
from resilia.risk.tests.conftest import bands_b


def test_the_export_carries_the_matrix_threats_and_risks(risk_setup):
    data = export_model()["risk"]
    assert data["matrix"]["bands"][2]["min"] == 10
    assert len(data["threats"]) == 24
    r1 = next(r for r in data["risks"] if r["code"] == "R-001")
    assert (r1["threat"], r1["unit"], r1["inherent_likelihood"]) == ("NAT-FIRE", "DEPT-A", 4)


def test_reimporting_the_export_changes_nothing(risk_setup):
    data = export_model()
    with request_context(source="test"):
        import_model(copy.deepcopy(data))
    assert export_model() == data
    assert MatrixVersion.objects.count() == 1


def test_a_new_band_table_and_new_ratings_come_in(risk_setup):
    data = export_model()
    data["risk"]["matrix"]["bands"] = bands_b()
    r1 = next(r for r in data["risk"]["risks"] if r["code"] == "R-001")
    r1["inherent_likelihood"], r1["inherent_impact"] = 3, 3
    with request_context(source="test"):
        report = import_model(data)
    assert report.created["risk matrix versions"] == 1
    risk = Risk.objects.get(code="R-001")
    assert (risk.inherent_score, risk.band, risk.matrix.number) == (9, "major", 2)


def test_off_scale_ratings_and_unknown_threats_refuse_the_whole_file(risk_setup):
    data = export_model()
    data["risk"]["risks"][0]["inherent_impact"] = 9
    data["risk"]["risks"][1]["threat"] = "NOPE"
    data["risk"]["risks"][1]["title"] = "改过的名字"
    with pytest.raises(ModelFileError) as err, request_context(source="test"):
        import_model(data)
    paths = {p.path for p in err.value.problems}
    assert "risk.risks[0].inherent_impact" in paths and "risk.risks[1].threat" in paths
    assert not Risk.objects.filter(title="改过的名字").exists()
