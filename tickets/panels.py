"""Ticket lists shown on other apps' pages (person, service instance) through the hooks those apps offer."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from tickets import selectors

PANEL_ROWS = 15


def person_tickets_panel(person: Any, request) -> dict[str, Any] | None:
    if not request.user.has_perm("tickets.view_ticket"):
        return None
    return {
        "title": "Tickets",
        "tickets": list(selectors.tickets_for_person(person, limit=PANEL_ROWS)),
        "open_count": selectors.open_ticket_count(caller=person),
        "all_url": reverse("tickets:queue") + "?" + urlencode({"q": person.email or person.full_name, "state": "all"}),
        "new_url": reverse("tickets:create") + "?" + urlencode({"caller": person.pk})
        if request.user.has_perm("tickets.add_ticket")
        else "",
        "show_caller": False,
    }


def service_instance_tickets_panel(instance: Any, request) -> dict[str, Any] | None:
    if not request.user.has_perm("tickets.view_ticket"):
        return None
    return {
        "title": "Tickets",
        "tickets": list(selectors.tickets_for_service_instance(instance, limit=PANEL_ROWS)),
        "open_count": selectors.open_ticket_count(service_instance=instance),
        "all_url": reverse("tickets:queue") + "?" + urlencode({"instance": instance.pk, "state": "all"}),
        "new_url": "",
        "show_caller": True,
    }
