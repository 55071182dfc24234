"""Rows for ticket tests, written through the services so they carry history like real data."""

from __future__ import annotations

from typing import Any

from services import services as svc
from services.models import ConfigurationItem, CustomerGroup, Membership, ServiceLevel, TechnicalService
from tests import factories
from tickets import services
from tickets.choices import Level, TicketType

REASON = "test data"


def service_level(name: str = "Gold", **fields: Any) -> ServiceLevel:
    return svc.service_level_create(user=None, change_reason=REASON, name=name, hours="24x7", **fields)


def customer_group(name: str = "Finance", **fields: Any) -> CustomerGroup:
    return svc.customer_group_create(user=None, change_reason=REASON, name=name, **fields)


def member(person, group, **fields: Any) -> Membership:
    return svc.membership_create(user=None, change_reason=REASON, person=person, group=group, **fields)


def instance(service: str = "Shared Drive", group: CustomerGroup | None = None, level: Any = None, **fields: Any):
    technical = TechnicalService.objects.filter(name=service).first() or svc.technical_service_create(
        user=None, change_reason=REASON, name=service
    )
    group = group or customer_group(f"Group for {service}")
    return svc.service_instance_create(
        user=None,
        change_reason=REASON,
        technical_service=technical,
        customer_group=group,
        service_level=level,
        **fields,
    )


def configuration_item(name: str = "fs01", instances=(), **fields: Any) -> ConfigurationItem:
    return svc.configuration_item_create(
        user=None, change_reason=REASON, name=name, service_instances=list(instances), **fields
    )


def ticket(index: int = 0, caller=None, **fields: Any):
    data: dict[str, Any] = {
        "title": f"Printer {index} jams",
        "ticket_type": TicketType.INCIDENT,
        "impact": Level.MEDIUM,
        "urgency": Level.MEDIUM,
    }
    data.update(fields)
    caller = caller or factories.person(1000 + index)
    return services.ticket_create(user=None, change_reason=REASON, caller=caller, **data)
