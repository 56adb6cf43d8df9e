"""Validating and saving many new objects at once, as `object_create` would one by one.

`object_create` validates an object with `full_clean()`, which asks the database about every
foreign key (does the unit exist?), every unique field (is the code taken?) and every
constraint: four to ten queries an object, then one INSERT and one audit event. A model
import of 10,000 items spent minutes so, holding SQLite's write lock all along.

`validate_many` gives each object the same verdict with the same messages in a bounded number
of queries: the fields and the model's `clean()` (the rules) run on each object as
`full_clean()` runs them; the foreign keys and the unique fields are checked with one query
per field and batch; the model's `Meta.constraints` are left to the database, and should one
refuse an INSERT, the batch is replayed one object at a time through `full_clean()` to name
the object and give its message (`insert_many`).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction

# Objects per INSERT and per validation query (SQLite binds at most 32,766 variables).
BATCH = 500


class BulkValidationError(Exception):
    """Some objects of a bulk create are invalid; nothing was saved.

    `errors` maps the position of each invalid object to its ValidationError (the one
    `full_clean()` raises for it, with an error_dict)."""

    def __init__(self, errors: dict[int, ValidationError]):
        super().__init__(f"{len(errors)} invalid object(s)")
        self.errors = dict(sorted(errors.items()))


def _foreign_keys(model) -> list[models.ForeignKey]:
    return [
        f for f in model._meta.concrete_fields if f.many_to_one and not f.remote_field.parent_link
    ]


def _existing_targets(field: models.ForeignKey, values: set) -> set:
    """Which of `values` name a row the foreign key may point at (ForeignKey.validate)."""
    target = field.remote_field.model
    qs = target._base_manager.filter(**{f"{field.remote_field.field_name}__in": values})
    qs = qs.complex_filter(field.get_limit_choices_to())
    return set(qs.values_list(field.remote_field.field_name, flat=True))


def _fk_error(field: models.ForeignKey, value) -> ValidationError:
    return ValidationError(
        field.error_messages["invalid"],
        code="invalid",
        params={
            "model": field.remote_field.model._meta.verbose_name,
            "pk": value,
            "field": field.remote_field.field_name,
            "value": value,
        },
    )


def _check_foreign_key(field, obj, existing: set) -> None:
    """clean_fields() for one foreign key (Field.clean: to_python, validate, validators),
    with ForeignKey.validate's existence query answered from `existing`."""
    raw = getattr(obj, field.attname)
    if field.blank and raw in field.empty_values:
        return
    value = field.to_python(raw)
    models.Field.validate(field, value, obj)  # null, blank, choices: no query
    if value is not None and value not in existing:
        raise _fk_error(field, value)
    field.run_validators(value)
    setattr(obj, field.attname, value)


def _unique_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.unique and not f.primary_key]


def validate_many(instances: Sequence[models.Model]) -> dict[int, ValidationError]:
    """The ValidationError `full_clean()` would raise for each new instance (by position),
    but for `Meta.constraints` (see the module's docstring), with a few queries per batch.

    Instances of one batch are also checked against each other: a code given twice is
    refused at its second use, as saving them one by one would."""
    errors: dict[int, dict] = {}
    if not instances:
        return {}
    model = type(instances[0])
    if any(type(obj) is not model for obj in instances):
        raise TypeError("validate_many() takes instances of one model")
    fks = _foreign_keys(model)
    uniques = _unique_fields(model)
    taken: dict[str, set] = {f.attname: set() for f in uniques}
    for start in range(0, len(instances), BATCH):
        batch = list(enumerate(instances[start : start + BATCH], start))
        existing = {
            f.attname: _existing_targets(f, {getattr(o, f.attname) for _, o in batch} - {None})
            for f in fks
        }
        for f in uniques:
            values = {getattr(o, f.attname) for _, o in batch} - {None}
            taken[f.attname] |= set(
                model._base_manager.filter(**{f"{f.attname}__in": values}).values_list(
                    f.attname, flat=True
                )
            )
        for i, obj in batch:
            found: dict = {}
            try:
                obj.full_clean(
                    exclude=[f.name for f in fks], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                found = exc.update_error_dict(found)
            for f in fks:
                try:
                    _check_foreign_key(f, obj, existing[f.attname])
                except ValidationError as exc:
                    found.setdefault(f.name, []).extend(exc.error_list)
            # Unique checks only for the fields that passed validation, as full_clean does.
            for f in uniques:
                value = getattr(obj, f.attname)
                if f.name in found or value is None:
                    continue
                if value in taken[f.attname]:
                    found.setdefault(f.name, []).append(obj.unique_error_message(model, (f.name,)))
                taken[f.attname].add(value)
            if found:
                errors[i] = ValidationError(found)
    return errors


def _replay(batch: list[tuple[int, models.Model]]) -> dict[int, ValidationError]:
    """Save the batch one object at a time, each through full_clean(), inside a savepoint
    that is rolled back: the objects a constraint refuses, with their messages."""
    errors: dict[int, ValidationError] = {}
    with transaction.atomic():
        for i, obj in batch:
            obj.pk = None
            obj._state.adding = True
            try:
                obj.full_clean()
            except ValidationError as exc:
                errors[i] = ValidationError(exc.update_error_dict({}))
                continue
            try:
                with transaction.atomic():
                    obj.save()
            except IntegrityError as exc:
                errors[i] = ValidationError({NON_FIELD_ERRORS: [str(exc)]})
        transaction.set_rollback(True)
    for _, obj in batch:
        obj.pk = None
        obj._state.adding = True
    return errors


def insert_many(instances: Sequence[models.Model], on_batch) -> None:
    """INSERT validated instances in batches; `on_batch(objects)` after each (the audit
    events). A constraint the database refuses raises BulkValidationError naming the
    objects (nothing of the batch is saved; the caller's transaction rolls the rest back)."""
    if not instances:
        return
    model = type(instances[0])
    for start in range(0, len(instances), BATCH):
        batch = list(instances[start : start + BATCH])
        try:
            with transaction.atomic():
                model._base_manager.bulk_create(batch)
        except IntegrityError:
            errors = _replay(list(enumerate(batch, start)))
            if errors:
                raise BulkValidationError(errors) from None
            raise
        if any(obj.pk is None for obj in batch):  # the backend returned no ids
            raise RuntimeError(f"bulk_create returned no primary keys for {model.__name__}")
        on_batch(batch)
