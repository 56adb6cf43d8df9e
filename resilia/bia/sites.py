"""Alternate work area check (issue 9 item 7): seats needed over time per alternate site
against the site's seat capacity.

Which assessments count: by default the latest approved assessment of each activity (what
management signed off); for a chosen campaign, that campaign's assessments as answered so far
(to check a round before it is approved). Only the assessments the reader may read are summed:
a coordinator sees the demand of their own subtree, the BCM office the whole organisation.

Per assessment and resource time point, the seats needed are its "seats" rows; where it gives
no seats row at all, its "staff" rows stand for them (every relocated person needs a desk).
A need holds from its time point until the next one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from resilia.bia.models import Assessment, Campaign, Status
from resilia.org.models import Site


def _quantity(row, i) -> int:
    values = row.get("quantities") or []
    value = values[i] if i < len(values) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def seats_needed(resources: Sequence[dict], points: int) -> tuple[list[int], list[int]]:
    """(seats, staff) per resource time point of one assessment's resource rows."""
    seats = [
        sum(_quantity(r, i) for r in resources if r.get("kind") == "seats") for i in range(points)
    ]
    staff = [
        sum(_quantity(r, i) for r in resources if r.get("kind") == "staff") for i in range(points)
    ]
    if not any(r.get("kind") == "seats" for r in resources):
        seats = list(staff)
    return seats, staff


@dataclass
class SiteLoad:
    site_id: int
    capacity: int | None
    seats: list[int]
    staff: list[int]
    activities: list[str]

    @property
    def shortfalls(self) -> list[int]:
        """Seats missing per time point (0: enough); an unknown capacity counts as none."""
        cap = self.capacity or 0
        return [max(0, s - cap) for s in self.seats]

    @property
    def short(self) -> bool:
        return any(self.shortfalls)


def sum_per_site(
    rows: Iterable[tuple[int, str, Sequence[dict]]], capacities: dict[int, int | None], points: int
) -> dict[int, SiteLoad]:
    """Sum (site id, activity code, resource rows) per site: pure arithmetic, no ORM."""
    out: dict[int, SiteLoad] = {}
    for site_id, code, resources in rows:
        load = out.setdefault(
            site_id, SiteLoad(site_id, capacities.get(site_id), [0] * points, [0] * points, [])
        )
        seats, staff = seats_needed(resources, points)
        load.seats = [a + b for a, b in zip(load.seats, seats, strict=True)]
        load.staff = [a + b for a, b in zip(load.staff, staff, strict=True)]
        load.activities.append(code)
    return out


def counted(user, campaign: Campaign | None = None):
    """The assessments the check sums for this reader (see the module docstring)."""
    qs = Assessment.objects.for_user(user).filter(alternate_site__isnull=False)
    if campaign is not None:
        return qs.filter(campaign=campaign)
    # Newest first per activity: site_check keeps the first row of each activity.
    return qs.filter(status=Status.APPROVED).order_by("activity_id", "-approved_at", "-pk")


def site_check(user, points: Sequence[int], campaign: Campaign | None = None) -> list[tuple]:
    """[(site, SiteLoad)] of the alternate sites the counted assessments name, by site code;
    three queries."""
    latest: dict[int, tuple[int, str, list]] = {}
    rows = counted(user, campaign).values_list(
        "activity_id", "alternate_site_id", "activity__code", "resources"
    )
    for activity_id, site_id, code, resources in rows:
        latest.setdefault(activity_id, (site_id, code, resources or []))
    sites = {s.pk: s for s in Site.objects.filter(pk__in={v[0] for v in latest.values()})}
    loads = sum_per_site(
        latest.values(), {pk: s.seat_capacity for pk, s in sites.items()}, len(points)
    )
    return sorted(((sites[pk], load) for pk, load in loads.items()), key=lambda x: x[0].code)
