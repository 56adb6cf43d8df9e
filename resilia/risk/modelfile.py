"""The `risk` section of the continuity model file (docs/model-format.md): the current risk
matrix, the threat catalogue and the risk register, so that `resilia model export` / `import`
carry them with the rest of the model.

Import, all or nothing with the rest of the file:
- a matrix that differs from the current one is saved as a new version (risks on the old one
  are then pending re-score, as everywhere);
- threats and risks are matched by code and created or updated through the services; the
  ratings are checked against the file's matrix (or the current one); an acceptance is not
  carried (it needs its approver's own act).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from resilia.dependencies.modelio import Problem, Section
from resilia.dependencies.models import Activity, Resource
from resilia.engine import risk as engine
from resilia.org.models import Person, Site, Unit
from resilia.risk import services, validation
from resilia.risk.models import Risk, Threat, ThreatClass, ThreatGroup, Treatment

MATRIX_KEYS = ("likelihood", "impact", "method", "table", "bands", "appetite")
THREAT_KEYS = ("code", "name", "name_en", "threat_class", "group", "description",
               "resource_kinds", "typical_duration")  # fmt: skip
RISK_KEYS = ("code", "title", "title_en", "threat", "unit", "owner", "cause", "description",
             "existing_controls", "typical_duration", "inherent_likelihood", "inherent_impact",
             "residual_likelihood", "residual_impact", "treatment", "reviewed_on", "sites",
             "resources", "activities")  # fmt: skip
SCOPE = {"sites": Site, "resources": Resource, "activities": Activity}


def export() -> dict | None:
    threats = list(Threat.objects.order_by("code"))
    if not threats:
        return None
    matrix = services.latest_matrix()
    risks = Risk.objects.select_related("threat", "unit", "owner").prefetch_related(
        "sites", "resources", "activities"
    )
    out = []
    for r in risks.order_by("code"):
        item = {
            "code": r.code, "title": r.title, "title_en": r.title_en, "threat": r.threat.code,
            "unit": r.unit.code, "owner": r.owner.employee_no if r.owner else None,
            "cause": r.cause, "description": r.description,
            "existing_controls": r.existing_controls, "typical_duration": r.typical_duration,
            "inherent_likelihood": r.inherent_likelihood, "inherent_impact": r.inherent_impact,
            "residual_likelihood": r.residual_likelihood, "residual_impact": r.residual_impact,
            "treatment": r.treatment, "reviewed_on": r.reviewed_on.isoformat(),
        }  # fmt: skip
        for name in SCOPE:
            item[name] = sorted(o.code for o in getattr(r, name).all())
        out.append(item)
    return {
        "matrix": {"number": matrix.number, **{k: getattr(matrix, k) for k in MATRIX_KEYS}},
        "threats": [{k: getattr(t, k) for k in THREAT_KEYS} for t in threats],
        "risks": out,
    }


def _matrix(section: dict):
    fw = section.get("matrix")
    if fw:
        return engine.matrix({k: fw.get(k) for k in MATRIX_KEYS})
    return services.latest_matrix().engine


def check(section: dict, data: dict) -> list[Problem]:
    problems: list[Problem] = []
    fw = section.get("matrix")
    if fw:
        try:
            validation.check_matrix({k: fw.get(k) for k in MATRIX_KEYS})
        except ValidationError as exc:
            return [Problem("risk.matrix", m) for m in exc.messages]
    matrix = _matrix(section)
    threats = {t.get("code") for t in section.get("threats") or [] if isinstance(t, dict)}
    for n, t in enumerate(section.get("threats") or []):
        if t.get("threat_class") not in ThreatClass.values:
            problems.append(Problem(f"risk.threats[{n}].threat_class", _("Pick a listed value.")))
        if t.get("group") not in ThreatGroup.values:
            problems.append(Problem(f"risk.threats[{n}].group", _("Pick a listed value.")))
    threats |= set(Threat.objects.values_list("code", flat=True))
    units = {u.get("code") for u in data.get("units") or [] if isinstance(u, dict)}
    units |= set(Unit.objects.values_list("code", flat=True))
    seen = set()
    for n, item in enumerate(section.get("risks") or []):
        path = f"risk.risks[{n}]"
        if item.get("code") in seen:
            problems.append(
                Problem(path, _("%(code)s is listed twice.") % {"code": item.get("code")})
            )
        seen.add(item.get("code"))
        if item.get("threat") not in threats:
            problems.append(Problem(f"{path}.threat", _("No threat has the code %(code)s.")
                                    % {"code": item.get("threat")}))  # fmt: skip
        if item.get("unit") not in units:
            problems.append(Problem(f"{path}.unit", _("No unit has the code %(code)s.")
                                    % {"code": item.get("unit")}))  # fmt: skip
        if item.get("treatment") == Treatment.ACCEPT:
            message = _("A risk is accepted through its approver's acceptance, with a reason.")
            problems.append(Problem(f"{path}.treatment", message))
        for prefix, which in (("inherent", _("inherent")), ("residual", _("residual"))):
            lk, im = item.get(f"{prefix}_likelihood"), item.get(f"{prefix}_impact")
            if prefix == "residual" and lk is None and im is None:
                continue
            try:
                engine.check_rating(matrix, lk, im)
            except engine.RatingError as exc:
                problems.append(Problem(f"{path}.{prefix}_{exc.axis}",
                                        validation.rating_message(exc, which)))  # fmt: skip
    return problems


def apply(section: dict, actor, report) -> None:
    fw = section.get("matrix")
    current = services.current_matrix()
    if fw and any(fw.get(k) != getattr(current, k) for k in MATRIX_KEYS):
        services.matrix_save(
            actor=actor, note=_("Imported with the continuity model"),
            **{k: fw[k] for k in MATRIX_KEYS if k in fw and fw[k] is not None},
        )  # fmt: skip
        report.created["risk matrix versions"] += 1
    threats = {t.code: t for t in Threat.objects.all()}
    for item in section.get("threats") or []:
        fields = {k: item[k] for k in THREAT_KEYS if k in item}
        threat = threats.get(item["code"])
        if threat is None:
            threats[item["code"]] = services.threat_create(actor=actor, **fields)
            report.created["risk threats"] += 1
        elif any(getattr(threat, k) != v for k, v in fields.items()):
            services.threat_update(actor=actor, threat=threat, **fields)
            report.updated["risk threats"] += 1
    units = {u.code: u for u in Unit.objects.all()}
    people = {p.employee_no: p for p in Person.objects.exclude(employee_no="")}
    for item in section.get("risks") or []:
        fields = {k: item[k] for k in RISK_KEYS if k in item}
        fields["threat"] = threats[fields["threat"]]
        fields["unit"] = units[fields["unit"]]
        if "owner" in fields:
            fields["owner"] = people.get(fields["owner"]) if fields["owner"] else None
        for name, model in SCOPE.items():
            if name in fields:
                fields[name] = list(model.objects.filter(code__in=fields[name] or []))
        risk = Risk.objects.filter(code=item["code"]).first()
        if risk is None:
            services.risk_create(actor=actor, **fields)
            report.created["risks"] += 1
        else:
            services.risk_update(actor=actor, risk=risk, **fields)
            report.updated["risks"] += 1


SECTION = Section(export=export, check=check, apply=apply)
