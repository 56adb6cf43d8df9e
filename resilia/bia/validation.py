"""The checks of BIA input, each refusal naming the field or cell it concerns, translated.

Used by the services (so the questionnaire page, the API, the offline questionnaire and the
model file refuse the same things with the same words).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from resilia.bia.models import local_name
from resilia.core.durations import MAX_MINUTES, human_minutes
from resilia.engine import bia as engine

RESOURCE_KINDS = ("staff", "seats", "equipment", "applications", "vital_records", "other")
MAX_LOSS = Decimal("1e15")


def rto_message(rto, mtpd) -> str:
    return _(
        "The RTO (%(rto)s) must be shorter than the MTPD (%(mtpd)s): ISO 22300 requires the "
        "RTO to be less than the MTPD."
    ) % {"rto": human_minutes(rto), "mtpd": human_minutes(mtpd)}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_framework(fields: dict) -> None:
    """Categories with codes, names, a scale and a threshold on it; time points ascending;
    tiers ascending with the last one open-ended."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    categories = fields.get("categories")
    if not isinstance(categories, list) or not categories:
        add("categories", _("Give at least one impact category."))
        categories = []
    seen = set()
    for i, cat in enumerate(categories, 1):
        if not isinstance(cat, dict):
            add("categories", _("Category %(n)d is not a category.") % {"n": i})
            continue
        code = str(cat.get("code") or "").strip()
        label = code or str(i)
        if not code:
            add("categories", _("Category %(n)d has no code.") % {"n": i})
        elif code in seen:
            add("categories", _("Two categories have the code %(code)s.") % {"code": code})
        seen.add(code)
        if not (cat.get("name") or cat.get("name_en")):
            add("categories", _("Category %(code)s has no name.") % {"code": label})
        levels = cat.get("levels")
        if not isinstance(levels, list) or not 2 <= len(levels) <= 10:
            add("categories", _("Category %(code)s needs 2 to 10 levels.") % {"code": label})
            continue
        threshold = cat.get("threshold")
        if not _is_int(threshold) or not 1 <= threshold <= len(levels):
            add(
                "categories",
                _("The threshold of %(code)s must be a level from 1 to %(max)d.")
                % {"code": label, "max": len(levels)},
            )
        if cat.get("kind", "rating") not in ("rating", "money"):
            add("categories", _("Category %(code)s has an unknown kind.") % {"code": label})

    points = fields.get("time_points")
    if not isinstance(points, list):
        add("time_points", _("Give the time points as a list of durations."))
    else:
        for p in engine.check_time_points(points):
            if p.code == "time_points_empty":
                add("time_points", _("Give at least one time point."))
            elif p.code == "time_point_invalid" or (_is_int(p.value) and p.value > MAX_MINUTES):
                add(
                    "time_points",
                    _("Time point %(n)d is not a positive duration.") % {"n": p.index + 1},
                )
            else:
                add(
                    "time_points",
                    _(
                        "Time point %(n)d (%(value)s) is not later than the one before it: time "
                        "points must ascend."
                    )
                    % {"n": p.index + 1, "value": human_minutes(p.value)},
                )

    tiers = fields.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        add("tiers", _("Give at least one criticality tier."))
    else:
        last = 0
        for i, tier in enumerate(tiers, 1):
            bound = tier.get("max_rto") if isinstance(tier, dict) else "?"
            if not isinstance(tier, dict) or not str(tier.get("code") or "").strip():
                add("tiers", _("Tier %(n)d has no code.") % {"n": i})
                continue
            if bound is None:
                if i != len(tiers):
                    add("tiers", _("Only the last tier may be open-ended."))
                continue
            if not _is_int(bound) or bound <= last:
                add("tiers", _("Tier %(n)d: the RTO bands must ascend.") % {"n": i})
                continue
            last = bound

    for name in ("resource_points",):
        points = fields.get(name) or []
        if engine.check_time_points(points) and points:
            add(name, _("The resource time points must be positive durations that ascend."))
    if errors:
        raise ValidationError(errors)


def _cell(framework, category: dict | None, index: int | None, peak: str | None = None) -> str:
    parts = []
    if peak:
        period = next((p for p in framework.peak_periods if p["code"] == peak), {"code": peak})
        parts.append(local_name(period))
    parts.append(local_name(category) if category else "?")
    if index is not None and index < len(framework.time_points):
        parts.append(human_minutes(framework.time_points[index]))
    # "Legal and regulatory, 4 h" / "法律与监管影响，4 小时"
    return pgettext("list of parts", ", ").join(parts)


def _rating_problems(framework, ratings, peak: str | None = None) -> list[str]:
    if not isinstance(ratings, dict):
        return [_("The ratings are not a table of categories and time points.")]
    messages = []
    cats = framework.engine_categories()
    for p in engine.check_ratings(cats, framework.time_points, ratings):
        category = framework.category(p.category) if p.category else None
        where = _cell(framework, category, p.index, peak)
        if p.code == "unknown_category":
            messages.append(
                _("%(code)s is not an impact category of framework v%(v)d.")
                % {"code": p.category, "v": framework.number}
            )
        elif p.code == "row_length":
            messages.append(
                _("%(where)s: %(n)d ratings given for %(points)d time points.")
                % {"where": where, "n": p.value, "points": len(framework.time_points)}
            )
        elif p.code == "off_scale":
            messages.append(
                _("%(where)s: %(value)s is off the scale (1 to %(max)d).")
                % {"where": where, "value": p.value, "max": len(category["levels"])}
            )
        elif p.code == "falls":
            messages.append(
                _(
                    "%(where)s: the rating falls to %(value)s; an impact may not lessen as the "
                    "disruption goes on (carry the rating to the right)."
                )
                % {"where": where, "value": p.value}
            )
    return messages


def check_answers(assessment) -> None:
    """Refuse ratings off the scale or falling, rows not matching the framework, negative or
    impossible amounts, malformed resource rows, and an RTO not strictly below the MTPD."""
    fw = assessment.framework
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    for m in _rating_problems(fw, assessment.ratings):
        add("ratings", m)
    peaks = assessment.peaks
    if not isinstance(peaks, dict):
        add("peaks", _("The peak period ratings are not a table."))
    else:
        known = {p["code"] for p in fw.peak_periods}
        for code, rows in peaks.items():
            if code not in known:
                add(
                    "peaks",
                    _("%(code)s is not a peak period of framework v%(v)d.")
                    % {"code": code, "v": fw.number},
                )
                continue
            for m in _rating_problems(fw, rows, code):
                add("peaks", m)

    losses = assessment.losses
    if losses:
        if not isinstance(losses, list) or len(losses) != len(fw.time_points):
            add("losses", _("Give one estimated loss per time point."))
        else:
            for i, value in enumerate(losses):
                if value is None or value == "":
                    continue
                try:
                    amount = Decimal(str(value))
                except InvalidOperation:
                    amount = None
                if amount is None or not amount.is_finite() or amount < 0 or amount > MAX_LOSS:
                    add(
                        "losses",
                        _("Estimated loss at %(t)s: %(value)s is not an amount.")
                        % {"t": human_minutes(fw.time_points[i]), "value": value},
                    )
            numbers = [Decimal(str(v)) for v in losses if v not in (None, "")]
            if not errors.get("losses") and numbers != sorted(numbers):
                add("losses", _("The estimated loss may not fall as the disruption goes on."))

    resources = assessment.resources
    if not isinstance(resources, list):
        add("resources", _("The resources needed are not a table."))
    else:
        for n, row in enumerate(resources, 1):
            if not isinstance(row, dict) or row.get("kind") not in RESOURCE_KINDS:
                add("resources", _("Resource row %(n)d has no valid kind.") % {"n": n})
                continue
            quantities = row.get("quantities") or []
            if len(quantities) != len(fw.resource_points) or not all(
                q is None or (_is_int(q) and 0 <= q <= 1_000_000) for q in quantities
            ):
                add(
                    "resources",
                    _("Resource row %(n)d: give a whole number, or nothing, per time point.")
                    % {"n": n},
                )

    mtpd = assessment.mtpd
    if not engine.rto_valid(assessment.rto, mtpd):
        add("rto", rto_message(assessment.rto, mtpd))
    if (
        assessment.rto is not None
        and assessment.rto_all is not None
        and assessment.rto_all < assessment.rto
    ):
        add("rto_all", _("All functions cannot be restored before the key functions (the RTO)."))
    if errors:
        raise ValidationError(errors)


def check_complete(assessment) -> None:
    """What a submission needs: every category rated at every time point and, when the
    ratings give an MTPD, an RTO and an RPO."""
    fw = assessment.framework
    missing = []
    for cat in fw.categories:
        row = (assessment.ratings or {}).get(cat["code"]) or []
        if len(row) != len(fw.time_points) or any(v is None for v in row):
            missing.append(local_name(cat))
    errors = {}
    if missing:
        errors["ratings"] = [
            _("Rate every time point of: %(names)s.")
            % {"names": ("、" if (get_language() or "").startswith("zh") else ", ").join(missing)}
        ]
    if assessment.mtpd is not None:
        if assessment.rto is None:
            errors["rto"] = [
                _("Give the RTO: the ratings reach a threshold, so the activity has an MTPD.")
            ]
        if assessment.rpo is None:
            errors["rpo"] = [_("Give the RPO.")]
    if errors:
        raise ValidationError(errors)
