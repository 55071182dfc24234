"""Reads of VIP statuses that more than one caller needs: the default status (which every person without another
has) and all statuses locked for a write.

The VIP status model's own module uses this one (a person's status defaults to the default status), so the model is
looked up in the app registry when a function runs rather than imported here: importing vip.models from here would
close an import cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db import transaction

from itsm.audit import mark

if TYPE_CHECKING:
    from vip.models import VipStatus

DEFAULT_NAME = "Standard"


def _status_model() -> type[VipStatus]:
    return apps.get_model("vip", "VipStatus")


def lock_all_statuses() -> list[VipStatus]:
    """Locks every status, always in primary-key order, so concurrent writers queue instead of deadlocking."""
    model = _status_model()
    list(model.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    return list(model.objects.order_by("position", "pk"))


def vip_status_get_default() -> VipStatus:
    model = _status_model()
    status = model.objects.filter(is_default=True).first()
    if status is not None:
        return status
    # Only reachable on a database flushed by a test: recreate the default the first migration made.
    with transaction.atomic():
        statuses = lock_all_statuses()
        status = next((s for s in statuses if s.is_default), None)
        if status is None:
            status = next((s for s in statuses if s.name.lower() == DEFAULT_NAME.lower()), None)
            if status is None:
                status = model(name=DEFAULT_NAME, colour="#6E7781", show_on_tickets=False)
                status.position = len(statuses) + 1
            status.is_default = True
            mark(status, user=None, reason="Default VIP status restored")
            status.save()
        return status
