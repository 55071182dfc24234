"""Writes on the service-relationship register; each validated, explained and recorded in history.

Rules that need other rows live here: a customer group never contains itself (directly or through others), instance
titles follow renames of their service and group (with a history row on each instance), a retired instance reopens
only to Agreement and only with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_save

from itsm.audit import clean_reason, mark
from itsm.services import record_create, record_delete, record_update
from services import selectors
from services.models import (
    ConfigurationItem,
    CustomerGroup,
    Membership,
    ServiceInstance,
    ServiceLevel,
    Task,
    TechnicalService,
    Timeframe,
)

REOPEN_REASON_MESSAGE = "Reopening a retired instance needs a change reason saying why."


# -- helpers ----------------------------------------------------------------------------------------------------------
def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _save_with_m2m(instance: models.Model, *, user: Any, reason: str, m2m: dict[str, Iterable], created: bool) -> None:
    """Saves fields and many-to-many changes as one history row carrying the reason.

    simple-history writes a row per save and another per m2m signal (a `set()` can send two), each a partial
    picture; here the save and the m2m writes happen with history paused, then one row is written with the full
    snapshot, through the same post_save handler simple-history uses.
    """
    mark(instance, user=user, reason=reason)
    instance.skip_history_when_saving = True
    try:
        instance.save()
        for name, values in m2m.items():
            getattr(instance, name).set(values)
    finally:
        del instance.skip_history_when_saving
    post_save.send(
        sender=type(instance),
        instance=instance,
        created=created,
        update_fields=None,
        raw=False,
        using=instance._state.db,
    )


def _m2m_changed(instance: models.Model, m2m: dict[str, Iterable]) -> dict[str, list]:
    changed = {}
    for name, values in m2m.items():
        values = list(values)
        if {obj.pk for obj in getattr(instance, name).all()} != {_pk(v) for v in values}:
            changed[name] = values
    return changed


def _create_tracking_m2m[M: models.Model](
    model: type[M], *, user: Any, change_reason: str | None, m2m_names: tuple[str, ...], **fields: Any
) -> M:
    reason = clean_reason(change_reason)
    m2m = {name: list(fields.pop(name)) for name in m2m_names if name in fields}
    instance = model(**fields)
    instance.full_clean()
    _save_with_m2m(instance, user=user, reason=reason, m2m=m2m, created=True)
    return instance


def _update_tracking_m2m[M: models.Model](
    instance: M, *, user: Any, change_reason: str | None, m2m_names: tuple[str, ...], **fields: Any
) -> M:
    reason = clean_reason(change_reason)
    m2m = {name: list(fields.pop(name)) for name in m2m_names if name in fields}
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    _save_with_m2m(instance, user=user, reason=reason, m2m=_m2m_changed(instance, m2m), created=False)
    return instance


def _because(prefix: str, reason: str | None) -> str:
    reason = (reason or "").strip()
    return f"{prefix}: {reason}" if reason else prefix


def _retitle_instances(instances: Iterable[ServiceInstance], *, user: Any, change_reason: str) -> None:
    """Gives each instance its new "Service - Group" title, with a history row saying why."""
    for instance in instances:
        old_title = instance.title
        if instance.build_title() != old_title:
            record_update(instance, user=user, change_reason=change_reason)


# -- technical services -----------------------------------------------------------------------------------------------
def technical_service_create(*, user: Any, change_reason: str | None, **fields: Any) -> TechnicalService:
    return record_create(TechnicalService, user=user, change_reason=change_reason, **fields)


@transaction.atomic
def technical_service_update(
    service: TechnicalService, *, user: Any, change_reason: str | None, **fields: Any
) -> TechnicalService:
    old_name = TechnicalService.objects.filter(pk=service.pk).values_list("name", flat=True).first()
    service = record_update(service, user=user, change_reason=change_reason, **fields)
    if old_name != service.name:
        reason = _because(f"Title follows the rename of technical service '{old_name}' to '{service}'", change_reason)
        _retitle_instances(service.instances.select_related("customer_group"), user=user, change_reason=reason)
    return service


def technical_service_delete(service: TechnicalService, *, user: Any, change_reason: str | None) -> None:
    record_delete(service, user=user, change_reason=change_reason)


# -- service levels ---------------------------------------------------------------------------------------------------
def service_level_create(*, user: Any, change_reason: str | None, **fields: Any) -> ServiceLevel:
    return record_create(ServiceLevel, user=user, change_reason=change_reason, **fields)


def service_level_update(level: ServiceLevel, *, user: Any, change_reason: str | None, **fields: Any) -> ServiceLevel:
    return record_update(level, user=user, change_reason=change_reason, **fields)


def service_level_delete(level: ServiceLevel, *, user: Any, change_reason: str | None) -> None:
    record_delete(level, user=user, change_reason=change_reason)


# -- customer groups --------------------------------------------------------------------------------------------------
def check_no_cycle(group: CustomerGroup, nested: Iterable) -> None:
    """Refuses nested groups that would make `group` contain itself, naming the cycle found."""
    cycle = selectors.nested_group_cycle(group.pk, [_pk(g) for g in nested])
    if cycle:
        names = dict(CustomerGroup.objects.filter(pk__in=set(cycle) - {None}).values_list("pk", "name"))
        names[group.pk] = group.name or names.get(group.pk, "this group")
        path = " → ".join(names.get(pk, "this group") for pk in cycle)
        raise ValidationError(
            {"nested_groups": [f"A group cannot contain itself: {path}."]},
            code="cycle",
        )


@transaction.atomic
def customer_group_create(*, user: Any, change_reason: str | None, **fields: Any) -> CustomerGroup:
    # A new group has no parents yet, so no nesting can close a cycle through it; only itself is impossible.
    return _create_tracking_m2m(
        CustomerGroup, user=user, change_reason=change_reason, m2m_names=("nested_groups",), **fields
    )


@transaction.atomic
def customer_group_update(
    group: CustomerGroup, *, user: Any, change_reason: str | None, **fields: Any
) -> CustomerGroup:
    if "nested_groups" in fields:
        fields["nested_groups"] = list(fields["nested_groups"])
        check_no_cycle(group, fields["nested_groups"])
    old_name = CustomerGroup.objects.filter(pk=group.pk).values_list("name", flat=True).first()
    group = _update_tracking_m2m(group, user=user, change_reason=change_reason, m2m_names=("nested_groups",), **fields)
    if old_name != group.name:
        reason = _because(f"Title follows the rename of customer group '{old_name}' to '{group}'", change_reason)
        _retitle_instances(group.instances.select_related("technical_service"), user=user, change_reason=reason)
    return group


@transaction.atomic
def customer_group_delete(group: CustomerGroup, *, user: Any, change_reason: str | None) -> None:
    reason = clean_reason(change_reason)
    if group.instances.exists():
        # Checked first so that no membership is touched when the group cannot go.
        record_delete(group, user=user, change_reason=reason)
    for parent in CustomerGroup.objects.filter(nested_groups=group):
        remaining = [g for g in parent.nested_groups.all() if g.pk != group.pk]
        _update_tracking_m2m(
            parent,
            user=user,
            change_reason=_because(f"Nested group '{group}' deleted", reason),
            m2m_names=("nested_groups",),
            nested_groups=remaining,
        )
    for membership in group.memberships.all():
        record_delete(membership, user=user, change_reason=reason)
    record_delete(group, user=user, change_reason=reason)


# -- memberships ------------------------------------------------------------------------------------------------------
def membership_create(*, user: Any, change_reason: str | None, **fields: Any) -> Membership:
    return record_create(Membership, user=user, change_reason=change_reason, **fields)


def membership_update(membership: Membership, *, user: Any, change_reason: str | None, **fields: Any) -> Membership:
    return record_update(membership, user=user, change_reason=change_reason, **fields)


def membership_delete(membership: Membership, *, user: Any, change_reason: str | None) -> None:
    record_delete(membership, user=user, change_reason=change_reason)


# -- service instances ------------------------------------------------------------------------------------------------
def service_instance_create(*, user: Any, change_reason: str | None, **fields: Any) -> ServiceInstance:
    if fields.get("status") == ServiceInstance.Status.AGREEMENT and not fields.get("agreement_date"):
        fields["agreement_date"] = dt.date.today()
    return record_create(ServiceInstance, user=user, change_reason=change_reason, **fields)


@transaction.atomic
def service_instance_update(
    instance: ServiceInstance, *, user: Any, change_reason: str | None, **fields: Any
) -> ServiceInstance:
    previous = ServiceInstance.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    new_status = fields.get("status", instance.status)
    if previous == ServiceInstance.Status.RETIRED and new_status != previous:
        if not (change_reason or "").strip():
            raise ValidationError({"change_reason": [REOPEN_REASON_MESSAGE]}, code="required")
        if new_status == ServiceInstance.Status.AGREEMENT and "end_date" not in fields:
            # Reopened: the old end date no longer applies.
            fields["end_date"] = None
    if (
        new_status == ServiceInstance.Status.AGREEMENT
        and previous != new_status
        and not fields.get("agreement_date", instance.agreement_date)
    ):
        fields["agreement_date"] = dt.date.today()
    return record_update(instance, user=user, change_reason=change_reason, **fields)


@transaction.atomic
def service_instance_delete(instance: ServiceInstance, *, user: Any, change_reason: str | None) -> None:
    reason = clean_reason(change_reason)
    # Children first, each with the reason: a database cascade would delete them without one.
    for row in [*instance.timeframes.all(), *instance.tasks.all()]:
        record_delete(row, user=user, change_reason=reason)
    for item in instance.configuration_items.all():
        remaining = [i for i in item.service_instances.all() if i.pk != instance.pk]
        _update_tracking_m2m(
            item,
            user=user,
            change_reason=_because(f"Service instance '{instance}' deleted", reason),
            m2m_names=("service_instances",),
            service_instances=remaining,
        )
    record_delete(instance, user=user, change_reason=reason)


# -- configuration items ----------------------------------------------------------------------------------------------
@transaction.atomic
def configuration_item_create(*, user: Any, change_reason: str | None, **fields: Any) -> ConfigurationItem:
    return _create_tracking_m2m(
        ConfigurationItem, user=user, change_reason=change_reason, m2m_names=("service_instances",), **fields
    )


@transaction.atomic
def configuration_item_update(
    item: ConfigurationItem, *, user: Any, change_reason: str | None, **fields: Any
) -> ConfigurationItem:
    return _update_tracking_m2m(
        item, user=user, change_reason=change_reason, m2m_names=("service_instances",), **fields
    )


def configuration_item_delete(item: ConfigurationItem, *, user: Any, change_reason: str | None) -> None:
    record_delete(item, user=user, change_reason=change_reason)


# -- timeframes and tasks ---------------------------------------------------------------------------------------------
def timeframe_create(*, user: Any, change_reason: str | None, **fields: Any) -> Timeframe:
    return record_create(Timeframe, user=user, change_reason=change_reason, **fields)


def timeframe_update(timeframe: Timeframe, *, user: Any, change_reason: str | None, **fields: Any) -> Timeframe:
    return record_update(timeframe, user=user, change_reason=change_reason, **fields)


def timeframe_delete(timeframe: Timeframe, *, user: Any, change_reason: str | None) -> None:
    record_delete(timeframe, user=user, change_reason=change_reason)


def task_create(*, user: Any, change_reason: str | None, **fields: Any) -> Task:
    return record_create(Task, user=user, change_reason=change_reason, **fields)


def task_update(task: Task, *, user: Any, change_reason: str | None, **fields: Any) -> Task:
    return record_update(task, user=user, change_reason=change_reason, **fields)


def task_delete(task: Task, *, user: Any, change_reason: str | None) -> None:
    record_delete(task, user=user, change_reason=change_reason)
