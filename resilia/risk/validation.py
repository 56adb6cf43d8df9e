"""The checks of the risk app that name what is wrong, in the reader's language: a matrix
description (engine.risk.problems), a rating off the scale, a resource kind."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from resilia.engine import risk as engine


def problem_message(code: str, params: dict) -> str:
    """The translated sentence of one engine.risk problem."""
    messages = {
        "size": _("The %(axis)s scale has %(levels)d levels: a matrix has 3 to 6 on each axis."),
        "method": _("Score by product or by a full cell table."),
        "table_shape": _("The score table needs %(rows)d rows of %(columns)d scores."),
        "table_value": _("Every score of the table is a whole number of at least 1 (%(value)s)."),
        "band_range": _("The band %(band)s needs a lowest and a highest score, lowest first."),
        "band_colour": _("The band %(band)s needs one of the colours offered."),
        "band_review": _("The band %(band)s needs a review interval of at least one day."),
        "band_code": _("Every band needs its own code (%(band)s)."),
        "band_overlap": _("The bands %(first)s and %(second)s overlap."),
        "band_gap": _("No band covers the score %(score)d."),
        "appetite": _("The appetite must name one of the bands (%(band)s)."),
    }
    params = dict(params)
    if code == "size":
        params["axis"] = _("likelihood") if params["axis"] == "likelihood" else _("impact")
    return messages[code] % params


def check_matrix(pack: dict) -> None:
    """ValidationError listing every problem of the matrix description."""
    found = engine.problems(pack)
    if found:
        raise ValidationError([problem_message(code, params) for code, params in found])
    for axis in ("likelihood", "impact"):
        for level in pack[axis]:
            if not str(level.get("name") or "").strip():
                raise ValidationError(_("Every level of the matrix needs a name."))
    for band in pack["bands"]:
        if not str(band.get("name") or "").strip():
            raise ValidationError(_("Every band needs a name."))
    # A band above every score the matrix can give is off its scale: usually bands left from
    # a larger matrix (5 × 5 bands on a 4 × 4 product matrix).
    top = engine.reachable_scores(engine.matrix(pack))[-1]
    for band in pack["bands"]:
        if band["min"] > top:
            raise ValidationError(
                _("The band %(band)s starts above %(top)d, the highest score the matrix gives.")
                % {"band": band["code"], "top": top}
            )


def rating_message(error: engine.RatingError, which: str) -> str:
    axis = _("likelihood") if error.axis == "likelihood" else _("impact")
    return _("The %(which)s %(axis)s must be a level from 1 to %(levels)d.") % {
        "which": which,
        "axis": axis,
        "levels": error.levels,
    }


def check_rating(m: engine.Matrix, likelihood, impact, which: str) -> None:
    """ValidationError (on the rating's field) unless both ratings are on the matrix's scales."""
    try:
        engine.check_rating(m, likelihood, impact)
    except engine.RatingError as exc:
        prefix = "inherent" if which == _("inherent") else "residual"
        raise ValidationError({f"{prefix}_{exc.axis}": rating_message(exc, which)}) from None


def check_required_ratings(risk) -> None:
    errors = {}
    for name in ("inherent_likelihood", "inherent_impact"):
        if getattr(risk, name) is None:
            errors[name] = _("Rate the inherent likelihood and impact.")
    if errors:
        raise ValidationError(errors)


def check_resource_kinds(kinds) -> None:
    from resilia.dependencies.models import Resource

    if not isinstance(kinds, list) or any(k not in Resource.Kind.values for k in kinds):
        raise ValidationError({"resource_kinds": _("Pick resource kinds from the list.")})
