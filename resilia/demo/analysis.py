"""The demo's saved what-ifs (docs/analysis.md §Saved what-ifs): the BCM office's two runs
for the annual exercise — the primary data centre lost alone (the metro DR centre takes
over), then the primary and the metro DR centre lost together — so that the list, a saved
result, a re-run and a side-by-side comparison have something to show."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from resilia.accounts.models import User
from resilia.analysis import saved as svc
from resilia.analysis.models import SavedWhatIf

# Month-end close at 09:00 Beijing time, the exercise's scenario.
T0 = dt.datetime(2026, 6, 30, 1, 0, tzinfo=dt.UTC)
RUNS = [
    (
        "主数据中心失效（月末）",
        "2026年度演练情景一：主数据中心整体失效，同城灾备中心接管。",
        ["site:DC-MAIN"],
    ),
    (
        "主数据中心与同城灾备同时失效（月末）",
        "情景二：区域性灾难，主数据中心与同城灾备中心同时失效，仅剩异地灾备中心（冷备）。",
        ["site:DC-MAIN", "site:DC-DR-LOCAL"],
    ),
]


@transaction.atomic
def load_analysis() -> dict:
    bcm = User.objects.filter(username="bcm").first()
    if bcm is None:
        return {"saved_whatifs": 0}
    for name, note, specs in RUNS:
        if not SavedWhatIf.objects.filter(name=name).exists():
            svc.saved_whatif_create(actor=bcm, name=name, note=note, specs=specs, at=T0)
    return {"saved_whatifs": SavedWhatIf.objects.count()}
