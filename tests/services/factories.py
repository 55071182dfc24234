"""Service-relationship rows for tests, built through the services so they carry history like real data."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from services import services
from services.models import ServiceInstance
from tests import factories

REASON = "test data"


def technical_service(index=0, **fields):
    return services.technical_service_create(user=None, change_reason=REASON, **{"name": f"Service {index}", **fields})


def service_level(index=0, **fields):
    return services.service_level_create(user=None, change_reason=REASON, **{"name": f"Level {index}", **fields})


def customer_group(index=0, **fields):
    return services.customer_group_create(user=None, change_reason=REASON, **{"name": f"Group {index}", **fields})


def membership(group, person, **fields):
    return services.membership_create(user=None, change_reason=REASON, group=group, person=person, **fields)


def service_instance(index=0, **fields):
    if "technical_service" not in fields:
        fields["technical_service"] = technical_service(index)
    if "customer_group" not in fields:
        fields["customer_group"] = customer_group(index)
    return services.service_instance_create(user=None, change_reason=REASON, **fields)


def agreement(index=0, **fields):
    """An instance under agreement, with the service level and primary customer that needs."""
    fields.setdefault("service_level", service_level(index))
    fields.setdefault("primary_customer", factories.person(1000 + index))
    fields.setdefault("status", ServiceInstance.Status.AGREEMENT)
    return service_instance(index, **fields)


def configuration_item(index=0, **fields):
    return services.configuration_item_create(
        user=None, change_reason=REASON, **{"name": f"srv-{index:03d}", "asset_tag": f"AT-{index:05d}", **fields}
    )


def timeframe(instance, index=0, **fields):
    now = timezone.now()
    data = {"name": f"Timeframe {index}", "start": now - dt.timedelta(days=1), "end": now + dt.timedelta(days=1)}
    return services.timeframe_create(user=None, change_reason=REASON, service_instance=instance, **{**data, **fields})


def task(instance, index=0, **fields):
    return services.task_create(
        user=None, change_reason=REASON, service_instance=instance, **{"title": f"Task {index}", **fields}
    )
