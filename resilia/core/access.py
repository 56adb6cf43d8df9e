"""The access choke point: who may read and write which objects.

Every view, API endpoint, export, search, autocomplete and task reads through
`Model.objects.for_user(user)` / `readable()` and fetches one object through
`get_object_for_user()`. No permission check is written anywhere else
(Zulip `access_*`, NetBox `RestrictedQuerySet`).

Roles (resilia.accounts.models.Role):
- admin, bcm_manager: read and write everything in the domain (only admin manages users);
- coordinator: read and write inside their unit's subtree; read unit-less shared objects;
- contributor: read inside their unit's subtree; edit what is assigned to them, never delete it
  (except the contents of what they own, e.g. the members of a team they lead);
- auditor: read everything, the audit trail included; write nothing;
- executive: dashboards and reports only; no registers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

ALL_READERS = {"admin", "bcm_manager", "coordinator", "contributor", "auditor"}
WRITE_ALL = {"admin", "bcm_manager"}
# Reports and analyses (what-if, gaps, SPOF, recovery order, the home page's figures): these
# roles see the whole organisation; the scoped ones see only what they may read.
REPORTS_WHOLE = frozenset({"admin", "bcm_manager", "auditor", "executive"})
REPORTS_SCOPED = frozenset({"coordinator", "contributor"})


@dataclass(frozen=True)
class Policy:
    """How one model is scoped.

    unit_path: lookup from the model to the unit path ("path" for Unit, "unit__path" for Person);
    unitless_shared: objects with no unit are readable by every reader (shared sites, teams);
    assigned: Q of objects a contributor may edit, given the user;
    readers: roles that may read the kind at all;
    parent: for child objects (memberships, evidence), the callable that returns the object
            whose access decides.
    """

    unit_path: str | None = None
    unitless_shared: bool = False
    assigned: Callable | None = None
    readers: frozenset = frozenset(ALL_READERS)
    writers: frozenset = frozenset(WRITE_ALL | {"coordinator", "contributor"})
    contributor_deletes: bool = False
    # For kinds scoped through something other than one unit path (e.g. links scoped by their
    # dependent): scope(path) -> Q of rows inside the subtree, shared -> Q of rows everyone reads.
    scope: Callable | None = None
    shared: Q | None = None
    # For personal records (a report job and its file): the field naming the user who alone
    # may read and write the row, whatever their role.
    owner: str | None = None
    # With `owner`: the roles that read (and, among the writers, write) every owner's rows,
    # e.g. the BCM office over the saved what-ifs of everyone.
    office: frozenset = frozenset()

    def in_subtree(self, path: str) -> Q:
        if self.scope is not None:
            return self.scope(path)
        return Q(**{f"{self.unit_path}__startswith": path})

    @property
    def scoped(self) -> bool:
        return self.scope is not None or self.unit_path is not None


_POLICIES: dict[str, Policy] = {}


def register(label: str, policy: Policy) -> None:
    """Register the policy of a model (label: 'org.person'). Called from apps' access modules."""
    _POLICIES[label] = policy


def policy_for(model) -> Policy:
    label = model._meta.label_lower
    try:
        return _POLICIES[label]
    except KeyError:
        raise LookupError(f"No access policy registered for {label}") from None


def role_of(user) -> str | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return "admin"
    return user.role


def _unit_path(user) -> str | None:
    unit = getattr(user, "unit", None)
    return unit.path if unit is not None else None


def read_q(user, model) -> Q | None:
    """The filter for readable rows, or None when the user reads none of this kind."""
    policy = policy_for(model)
    role = role_of(user)
    if role is None or role not in policy.readers:
        return None
    if policy.owner is not None:
        return Q() if role in policy.office else Q(**{policy.owner: user})
    if role in ("admin", "bcm_manager", "auditor") or not policy.scoped:
        return Q()
    path = _unit_path(user)
    if path is None:
        return None
    q = policy.in_subtree(path)
    if policy.unitless_shared:
        q |= Q(**{f"{policy.unit_path.removesuffix('__path')}__isnull": True})
    if policy.shared is not None:
        q |= policy.shared
    return q


def write_q(user, model) -> Q | None:
    """The filter for writable rows, or None when the user writes none of this kind."""
    policy = policy_for(model)
    role = role_of(user)
    if role is None or role not in policy.writers:
        return None
    if policy.owner is not None:
        return Q() if role in policy.office else Q(**{policy.owner: user})
    if role in WRITE_ALL:
        return Q()
    path = _unit_path(user)
    if path is None:
        return None
    if role == "coordinator":
        if not policy.scoped:
            return None
        return policy.in_subtree(path)
    if role == "contributor" and policy.assigned is not None:
        assigned = policy.assigned(user)
        return assigned if assigned is not None else None
    return None


def readable(user, queryset: models.QuerySet) -> models.QuerySet:
    """Restrict a queryset to what the user may read."""
    q = read_q(user, queryset.model)
    if q is None:
        return queryset.none()
    return queryset.filter(q)


def writable(user, queryset: models.QuerySet) -> models.QuerySet:
    q = write_q(user, queryset.model)
    if q is None:
        return queryset.none()
    return queryset.filter(q)


def can_read_kind(user, model) -> bool:
    return read_q(user, model) is not None


def can_write_kind(user, model) -> bool:
    return write_q(user, model) is not None


def can_write(user, obj: models.Model) -> bool:
    """Whether the user may change or delete this saved object."""
    q = write_q(user, type(obj))
    if q is None:
        return False
    if not q:
        return True
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


def can_delete(user, obj: models.Model) -> bool:
    """Whether the user may delete this object: write access, and not a mere assignment."""
    if role_of(user) == "contributor" and not policy_for(type(obj)).contributor_deletes:
        return False
    return can_write(user, obj)


def can_create(user, model, unit=None) -> bool:
    """Whether the user may create an object of this kind (in this unit, when scoped)."""
    role = role_of(user)
    policy = policy_for(model)
    if role in WRITE_ALL and role in policy.writers:
        return True
    if role == "coordinator" and policy.scoped:
        path = _unit_path(user)
        if unit is None:
            return path is not None
        return path is not None and unit.path.startswith(path)
    return False


def get_object_for_user(user, model, pk, *, write: bool = False, delete: bool = False):
    """Fetch one object the user may read (404 otherwise); with write=True, may write (403);
    with delete=True, may delete (403)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    q = read_q(user, model)
    if q is None:
        # The kind itself is closed to this role: say so rather than pretend it is missing.
        raise PermissionDenied
    try:
        obj = model._default_manager.filter(q).get(pk=pk)
    except model.DoesNotExist:
        raise Http404 from None
    if write and not can_write(user, obj):
        raise PermissionDenied
    if delete and not can_delete(user, obj):
        raise PermissionDenied
    return obj


def may_read_about(user, model, pk, *, trail) -> bool:
    """Whether the user may read what is recorded about one object (its history): whoever may
    read the object itself; when it no longer exists, or its kind has no access policy (a
    system object), only those who may read the whole record kind `trail` (the audit trail)."""
    if model._meta.label_lower not in _POLICIES:
        return can_read_kind(user, trail)
    rows = model._default_manager.filter(pk=pk)
    if can_read_kind(user, model) and readable(user, rows).exists():
        return True
    return not rows.exists() and can_read_kind(user, trail)


def may_place_unscoped(user) -> bool:
    """Whether the user may put an object at no unit (a top-level unit, a site, team or
    resource shared by the whole organisation): organisation-wide writers only."""
    return role_of(user) in WRITE_ALL


def may_place(user, model, unit, *, instance=None, field: str = "unit") -> bool:
    """Whether the user may put an object of `model` at `unit`, on creation or by a change.

    The one placement rule of every write (form, API, import, model file): `unit` is the
    object's unit (its parent, for a unit); None places it at no unit, i.e. at the top of the
    tree or shared by the whole organisation, which only organisation-wide writers may do;
    a unit must be one where the user may create such an object. Keeping a saved `instance`
    where it is (its `field` unchanged) is no move and always allowed; None as the user
    stands for the system (the command line).
    """
    if user is None:
        return True
    if instance is not None and instance.pk is not None:
        if getattr(instance, f"{field}_id") == (unit.pk if unit is not None else None):
            return True
    if unit is None:
        return may_place_unscoped(user)
    return can_create(user, model, unit)


# What a reader is shown of a person (the one rule of every page that names people outside
# the people register): within the reader's scope, everything the page shows, linked to the
# person's page; outside it, on a call roster (a team's members, who must be reachable as a
# team) the name alone, and anywhere else (a resource's owner, an activity's owner, a unit's
# head) nothing, as the registers and their exports show "Not visible to you". Phones, e-mail,
# messaging ids and the person's unit are never shown outside the reader's scope.


@dataclass(frozen=True)
class PersonShown:
    """One person as a reader may see them; templates read only these attributes."""

    person: object
    in_scope: bool
    roster: bool = False

    @property
    def name(self) -> str | None:
        """The name, or None: hidden (show "Not visible to you")."""
        return self.person.full_name if self.in_scope or self.roster else None

    @property
    def url(self) -> str | None:
        return self.person.get_absolute_url() if self.in_scope else None

    def _channel(self, name: str):
        return getattr(self.person, name) if self.in_scope else ""

    @property
    def unit(self):
        return self.person.unit if self.in_scope else None

    @property
    def mobile(self) -> str:
        return self._channel("mobile")

    @property
    def office_phone(self) -> str:
        return self._channel("office_phone")

    @property
    def email(self) -> str:
        return self._channel("email")


def people_shown(user, people, *, roster: bool = False) -> list[PersonShown | None]:
    """`people` (None entries kept as None) as `user` may see them, in one query."""
    present = [p for p in people if p is not None]
    in_scope: set = set()
    if present:
        model = type(present[0])
        rows = model._default_manager.filter(pk__in={p.pk for p in present})
        in_scope = set(readable(user, rows).values_list("pk", flat=True))
    return [None if p is None else PersonShown(p, p.pk in in_scope, roster) for p in people]


def person_shown(user, person, *, roster: bool = False) -> PersonShown | None:
    """One person as `user` may see them (None when there is no person)."""
    return people_shown(user, [person], roster=roster)[0]


def can_view_reports(user) -> bool:
    """Whether the user may open the reports and analyses at all."""
    return role_of(user) in REPORTS_WHOLE | REPORTS_SCOPED


def reports_whole_model(user) -> bool:
    """Whether the user's reports cover the whole organisation; None stands for the command
    line, which runs with the operator's full rights."""
    return user is None or role_of(user) in REPORTS_WHOLE


def report_rows(user, model) -> models.QuerySet:
    """The rows of `model` a report for this user may name (see `reports_whole_model`)."""
    if reports_whole_model(user):
        return model._default_manager.all()
    return readable(user, model._default_manager.all())


def read_units(user, model) -> tuple[list[int], bool] | None:
    """The units whose rows of `model` the user may read, and whether rows with no unit are
    readable too; None: every row. The same rows as `readable`, for kinds scoped by their unit
    alone (activities, resources), so that counts kept per unit can be summed for any scope."""
    policy = policy_for(model)
    field, _sep, unit_path = (policy.unit_path or "").partition("__")
    if policy.scope is not None or policy.shared is not None or not unit_path:
        raise LookupError(f"{model._meta.label_lower} is not scoped by its unit alone")
    q = read_q(user, model)
    path = _unit_path(user)
    if q is not None and not q.children:
        return None  # Q(): every row
    if q is None or path is None or policy.owner is not None:
        return [], False
    units = model._meta.get_field(field).related_model._default_manager
    ids = units.filter(**{f"{unit_path}__startswith": path}).values_list("pk", flat=True)
    return sorted(ids), policy.unitless_shared


def report_units(user, model) -> tuple[list[int], bool] | None:
    """`read_units` for a report (see `reports_whole_model`): the same rows as `report_rows`."""
    if reports_whole_model(user):
        return None
    return read_units(user, model)


def report_count(user, model) -> tuple[int, bool] | None:
    """How many objects of a kind the user's home page shows and whether the figure may open
    the register: the readable ones (a link); organisation-wide totals for an executive, who
    has no register behind them (no link); or None, nothing at all."""
    if can_read_kind(user, model):
        return readable(user, model._default_manager.all()).count(), True
    if role_of(user) == "executive":
        return model._default_manager.count(), False
    return None


def require_kind(user, model, *, write: bool = False) -> None:
    """Raise PermissionDenied unless the user may read (or write) this kind at all."""
    allowed = can_write_kind(user, model) if write else can_read_kind(user, model)
    if not allowed:
        raise PermissionDenied


class ScopedQuerySet(models.QuerySet):
    """QuerySet with the choke point: `Model.objects.for_user(user)`."""

    def for_user(self, user, *, write: bool = False):
        return writable(user, self) if write else readable(user, self)
