"""Who may see which VIP status. A status not shown on tickets ("Board member (confidential)") is itself confidential
(the default status excepted): without the `vip.view_confidential_status` permission a person's status is shown only
when it is shown on tickets, on every page, in the API, in history and in simulate output. A status is granted to a
person only with `people.grant_vip_status`, because it raises their tickets' priority."""

from __future__ import annotations

from typing import Any

from simple_history.models import HistoricalRecords

VIEW_CONFIDENTIAL = "vip.view_confidential_status"
HIDDEN = "(confidential)"


def can_see_confidential(user: Any) -> bool:
    """None is the system itself (commands, data migrations, seed): it sees everything."""
    return user is None or user.has_perm(VIEW_CONFIDENTIAL)


def is_confidential(status: Any) -> bool:
    """Not shown on tickets and not the default: the default (Standard) is what everybody without a status holds."""
    return status is not None and not status.show_on_tickets and not status.is_default


def is_visible(status: Any, user: Any) -> bool:
    return not is_confidential(status) or can_see_confidential(user)


def visible_status(status: Any, user: Any) -> Any:
    """The status, or None when this user may not know it."""
    return status if is_visible(status, user) else None


def request_user() -> Any:
    """The user of the request being answered (simple-history's middleware keeps the request); None outside a request
    (a command, the system)."""
    from django.contrib.auth.models import AnonymousUser

    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return None
    return getattr(request, "user", None) or AnonymousUser()


def history_name(status: Any) -> str | None:
    """How a status reads in a history diff for the current request's user: None (its own name) or "(confidential)"."""
    return None if is_visible(status, request_user()) else HIDDEN


def statuses_visible_to(user: Any):
    """The VIP statuses this user may pick from or filter by (the confidential ones only with the permission)."""
    from django.db.models import Q

    from vip.models import VipStatus

    statuses = VipStatus.objects.ordered()
    if can_see_confidential(user):
        return statuses
    return statuses.filter(Q(show_on_tickets=True) | Q(is_default=True))
