"""A large synthetic organisation for load tests and benchmarks (`resilia demo --scale N`).

Rows are written with bulk_create, tree paths computed in Python from primary keys
reserved up front, so 100,000 people load in seconds. It writes ONE audit event,
`import`, that summarises the load (who, when, how many of what, which code prefix),
instead of one event per row: the hash chain appends events one at a time under a
lock, so N events would turn a seconds-long load into minutes, and they would bury
the trail under synthetic noise without telling an auditor anything more than the
summary does. The rows remain identifiable by their code prefix.
"""

from __future__ import annotations

import random

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from resilia.audit.services import audit_record
from resilia.core.db import refresh_statistics
from resilia.demo.names import GIVEN, SURNAMES, NameMaker
from resilia.org.models import Person, Unit

PREFIX = "SYN"
PEOPLE_PER_UNIT = 20
_DEPT_NAMES = [
    ("运营部", "Operations"), ("科技部", "Technology"), ("风险部", "Risk"),
    ("营业部", "Sales"), ("财务部", "Finance"), ("综合部", "Administration"),
]  # fmt: skip


def _next_pk(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _unit_rows(count: int, rng: random.Random) -> list[Unit]:
    """A root company, branches under it, departments and sections below (depth ≤ 3)."""
    start = _next_pk(Unit)
    root = Unit(
        pk=start, code=f"{PREFIX}-U000001", name="合成集团", name_en="Synthetic Group",
        kind="company", path=f"/{start}/", depth=0,
    )  # fmt: skip
    units = [root]
    branches = max(1, round(count**0.5 / 2))
    for i in range(1, count):
        pk = start + i
        if i <= branches:
            parent, kind = root, "company"
            name, name_en = f"第{i}分行", f"Branch {i}"
        else:
            parent = rng.choice(
                [u for u in units[-60:] if 1 <= u.depth < 3] or units[1 : branches + 1]
            )
            kind = "department" if parent.depth == 1 else "team"
            zh, en = rng.choice(_DEPT_NAMES)
            name, name_en = f"{zh}{i}", f"{en} {i}"
        units.append(
            Unit(
                pk=pk,
                code=f"{PREFIX}-U{i + 1:06d}",
                name=name,
                name_en=name_en,
                kind=kind,
                parent_id=parent.pk,
                path=f"{parent.path}{pk}/",
                depth=parent.depth + 1,
            )  # fmt: skip
        )
    return units


def _person_rows(count: int, units: list[Unit], rng: random.Random) -> list[Person]:
    names = NameMaker(rng.randint(0, 2**31))
    people = []
    for i in range(1, count + 1):
        if i <= 1500:  # the name pool runs out of unique pairs around here
            full_name, local = names.next()
        else:
            full_name = rng.choice(SURNAMES)[0] + rng.choice(GIVEN)[0]
            local = f"user{i}"
        people.append(
            Person(
                employee_no=f"{PREFIX}{i:07d}",
                full_name=full_name,
                title="员工",
                unit_id=rng.choice(units).pk,
                mobile=f"13{rng.randint(0, 9)}{i:08d}",
                email=f"{local}@synthetic.example",
                is_key_person=rng.random() < 0.05,
            )
        )
    return people


@transaction.atomic
def load_scale(*, people: int, seed: int = 22301) -> dict[str, int]:
    """Create ~`people` people in ~people/20 units, once; a second call creates nothing."""
    if Unit.objects.filter(code=f"{PREFIX}-U000001").exists():
        return {"units": 0, "people": 0, "skipped": 1}
    rng = random.Random(seed)
    units = _unit_rows(max(3, people // PEOPLE_PER_UNIT), rng)
    Unit.objects.bulk_create(units, batch_size=2000)
    rows = _person_rows(people, units, rng)
    Person.objects.bulk_create(rows, batch_size=2000)
    # Explicit primary keys bypass PostgreSQL's sequences: move them past what we wrote.
    sql = connection.ops.sequence_reset_sql(no_style(), [Unit, Person])
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
    refresh_statistics(Unit, Person)
    summary = {"units": len(units), "people": len(rows), "skipped": 0}
    audit_record(
        actor=None,
        action="import",
        obj=units[0],
        changes={"source": "resilia demo --scale", "prefix": PREFIX, **summary},
    )
    return summary
