"""Generic audited writes that every app's services build on.

Each write validates the model (`full_clean`), attaches the user and the change reason for simple-history and runs in
one transaction, so the history row lands with the change or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError

from itsm.audit import clean_reason, mark


class ConflictError(Exception):
    """A write that is well-formed but refused by the state of the data (deleting the default, a record in use)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _split_m2m(model: type[models.Model], fields: dict[str, Any]) -> tuple[dict, dict]:
    m2m_names = {f.name for f in model._meta.many_to_many}
    plain = {k: v for k, v in fields.items() if k not in m2m_names}
    m2m = {k: v for k, v in fields.items() if k in m2m_names}
    return plain, m2m


# Validation runs before the transaction, so a refusal leaves a caller's transaction usable; the writes then need no
# savepoint of their own (inside a ticket write each nested level would cost a SAVEPOINT/RELEASE pair).
def record_create[M: models.Model](model: type[M], *, user: Any, change_reason: str | None, **fields: Any) -> M:
    reason = clean_reason(change_reason)
    plain, m2m = _split_m2m(model, fields)
    instance = model(**plain)
    instance.full_clean()
    with transaction.atomic(savepoint=False):
        mark(instance, user=user, reason=reason)
        instance.save()
        for name, values in m2m.items():
            getattr(instance, name).set(values)
    return instance


def record_update[M: models.Model](
    instance: M, *, user: Any, change_reason: str | None, clean_exclude: Iterable[str] = (), **fields: Any
) -> M:
    """`clean_exclude`: fields the caller knows are unchanged and valid (each related field checked again costs a
    query); their model-level clean() still runs."""
    reason = clean_reason(change_reason)
    plain, m2m = _split_m2m(type(instance), fields)
    for name, value in plain.items():
        setattr(instance, name, value)
    instance.full_clean(exclude=[name for name in clean_exclude if name not in fields] or None)
    with transaction.atomic(savepoint=False):
        mark(instance, user=user, reason=reason)
        instance.save()
        for name, values in m2m.items():
            manager = getattr(instance, name)
            if {obj.pk for obj in manager.all()} != {getattr(v, "pk", v) for v in values}:
                manager.set(values)
    return instance


def describe_protected(error: ProtectedError | RestrictedError, limit: int = 5) -> str:
    objs = list(error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects)
    by_kind: dict[str, list[str]] = {}
    for obj in objs:
        by_kind.setdefault(str(obj._meta.verbose_name_plural), []).append(str(obj))
    parts = []
    for kind, names in by_kind.items():
        shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
        parts.append(f"{len(names)} {kind} ({shown})")
    return "; ".join(parts)


@transaction.atomic
def record_delete(instance: models.Model, *, user: Any, change_reason: str | None) -> None:
    reason = clean_reason(change_reason)
    mark(instance, user=user, reason=reason)
    label = f"{instance._meta.verbose_name} '{instance}'"
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as error:
        raise ConflictError(f"Cannot delete {label}: it is still used by {describe_protected(error)}.") from error


def validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)
