"""Load the standard demo bank through the ordinary services, idempotently.

Every object is looked up by its natural key (unit/site/team code, employee number,
username); a missing one is created, a differing one updated, an identical one left
alone, so a second run changes nothing and writes no audit event.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from resilia.demo import bank
from resilia.demo.names import NameMaker
from resilia.org import services as org
from resilia.org.models import Person, Site, Team, TeamMembership, Unit

PASSWORD_ENV = "RESILIA_DEMO_PASSWORD"


def demo_password() -> tuple[str, bool]:
    """The demo users' password and whether it was generated now.

    RESILIA_DEMO_PASSWORD wins; otherwise a random one is generated once and kept in
    <data dir>/demo_password (mode 600), so later runs print the same login.
    """
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV], False
    path = Path(settings.DATA_DIR) / "demo_password"
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password, True


def _upsert(model, key: dict, fields: dict, create: Callable, update: Callable):
    """Create the object with `key` + `fields`, or update the fields that differ."""
    obj = model.objects.filter(**key).first()
    if obj is None:
        return create(actor=None, **key, **fields)
    changed = {name: value for name, value in fields.items() if getattr(obj, name) != value}
    if changed:
        update(obj, changed)
    return obj


def _units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, name_en, kind, parent, *_ in bank.UNITS:
        units[code] = _upsert(
            Unit,
            {"code": code},
            {"name": name, "name_en": name_en, "kind": kind, "parent": units.get(parent)},
            org.unit_create,
            lambda obj, data: org.unit_update(actor=None, unit=obj, **data),
        )
    return units


def _sites(units: dict[str, Unit]) -> dict[str, Site]:
    sites = {}
    for code, name, name_en, kind, address, seats, unit, notes in bank.SITES:
        fields = {"name": name, "name_en": name_en, "kind": kind, "address": address}
        fields.update(seat_capacity=seats, unit=units[unit], notes=notes)
        sites[code] = _upsert(
            Site,
            {"code": code},
            fields,
            org.site_create,
            lambda obj, data: org.site_update(actor=None, site=obj, **data),
        )
    return sites


def _people(units, sites) -> dict[str, list[Person]]:
    """People per unit code, in staff order (index 0 is the head)."""
    names = NameMaker(bank.DEMO_SEED)
    staff: dict[str, list[Person]] = {}
    number = 0
    for code, _n, _e, _k, _p, head_title, titles, count in bank.UNITS:
        staff[code] = []
        for i in range(count):
            number += 1
            full_name, local = names.next()
            title = head_title if i == 0 else titles[(i - 1) % len(titles)]
            fields = {
                "full_name": full_name,
                "title": title,
                "unit": units[code],
                "site": sites[bank.UNIT_SITES.get(code, "HQ-BLDG")],
                "mobile": names.mobile(number),
                "office_phone": f"0571-8866{number:04d}",
                "email": f"{local}@{bank.BANK_DOMAIN}",
                # WeCom is being rolled out: IT and the head office first, a third of the rest.
                "wecom_id": local if code.startswith(("IT", "HQ")) or number % 3 == 0 else "",
                "is_key_person": i == 0
                or (i == 1 and code not in bank.HEADS_WITHOUT_DEPUTY)
                or title in bank.KEY_TITLES,
            }
            staff[code].append(
                _upsert(
                    Person,
                    {"employee_no": f"JH{number:04d}"},
                    fields,
                    org.person_create,
                    lambda obj, data: org.person_update(actor=None, person=obj, **data),
                )
            )
    return staff


def _deputy_for(people: list[Person], i: int, unit_code: str) -> Person | None:
    """Heads are backed by their deputy (except the gap units), the deputy by the head,
    other key people by the next colleague with the same title, if there is one."""
    person = people[i]
    if i == 0:
        return None if unit_code in bank.HEADS_WITHOUT_DEPUTY or len(people) < 2 else people[1]
    if i == 1 and unit_code not in bank.HEADS_WITHOUT_DEPUTY:
        return people[0]
    same = [p for p in people[i + 1 :] + people[1:i] if p.title == person.title]
    return same[0] if same else None


def _key_people(units, staff) -> None:
    for code, people in staff.items():
        for i, person in enumerate(people):
            if not person.is_key_person:
                continue
            deputy = _deputy_for(people, i, code)
            if person.deputy_id != (deputy.pk if deputy else None):
                org.person_update(actor=None, person=person, deputy=deputy)
        if units[code].head_id != people[0].pk:
            org.unit_update(actor=None, unit=units[code], head=people[0])


def _teams(units, staff) -> dict[str, Team]:
    teams = {}
    for code, name, name_en, kind, unit, duties, members in bank.TEAMS:
        team = _upsert(
            Team,
            {"code": code},
            {"name": name, "name_en": name_en, "kind": kind, "unit": units[unit]},
            org.team_create,
            lambda obj, data: org.team_update(actor=None, team=obj, **data),
        )
        if team.responsibilities != duties:
            org.team_update(actor=None, team=team, responsibilities=duties)
        for unit_code, index, role, text in members:
            _upsert(
                TeamMembership,
                {"team": team, "person": staff[unit_code][index]},
                {"role": role, "responsibilities": text},
                org.membership_create,
                lambda obj, data: org.membership_update(actor=None, membership=obj, **data),
            )
        teams[code] = team
    return teams


def _users(units, staff, password: str) -> list:
    from resilia.accounts import services as accounts
    from resilia.accounts.models import User

    users = []
    for username, role, unit, person_ref in bank.USERS:
        person = staff[person_ref[0]][person_ref[1]] if person_ref else None
        fields = {
            "role": role,
            "unit": units[unit] if unit else None,
            "person": person,
            "email": person.email if person else f"{username}@{bank.BANK_DOMAIN}",
            "is_superuser": role == "admin",
            "is_staff": role == "admin",
        }
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts.user_create(actor=None, password=password, username=username, **fields)
        else:
            changed = {k: v for k, v in fields.items() if getattr(user, k) != v}
            if changed:
                accounts.user_update(actor=None, user=user, data=changed)
            if not user.check_password(password):
                accounts.password_change(actor=None, user=user, new_password=password)
        users.append(user)
    return users


@transaction.atomic
def load_standard(*, password: str) -> dict[str, int]:
    """Create or refresh the demo bank; returns the counts of what the database now holds."""
    units = _units()
    sites = _sites(units)
    staff = _people(units, sites)
    _key_people(units, staff)
    _teams(units, staff)
    users = _users(units, staff, password)
    return {
        "units": Unit.objects.filter(code__in=[u[0] for u in bank.UNITS]).count(),
        "people": Person.objects.filter(employee_no__startswith="JH").count(),
        "sites": Site.objects.filter(code__in=[s[0] for s in bank.SITES]).count(),
        "teams": Team.objects.filter(code__in=[t[0] for t in bank.TEAMS]).count(),
        "users": len(users),
    }
