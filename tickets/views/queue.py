"""The queue: the analyst's list of tickets, its tabs, filters and sort."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Q
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.generic import ListView

from itsm.params import date_param, int_param, search_param
from itsm.views_mixins import SortableListMixin
from services.models import CustomerGroup, ServiceInstance
from tickets import clock, selectors
from tickets.choices import (
    OPEN_STATUSES,
    PRIORITY_CHOICES,
    DueState,
    Status,
    TicketType,
)


def _int(value: str | None) -> int | None:
    return int_param(value)


def _options(rows, selected: str) -> str:
    """<option> tags for (value, label) rows, the selected one marked."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((pk, mark_safe(" selected") if str(pk) == selected else "", label) for pk, label in rows),
    )


DRILLDOWN = ("opened_from", "opened_to", "breach", "outcome", "level", "vip_at_open")
REPORT_OUTCOMES = {
    "response_met": Q(first_response_at__isnull=False, response_breached=False),
    "response_breached": Q(response_breached=True),
    "resolution_met": Q(resolved_at__isnull=False, resolution_breached=False),
    "resolution_breached": Q(resolution_breached=True),
    "running": Q(status__in=OPEN_STATUSES, resolution_due_at__isnull=False, resolution_breached=False),
}


def report_drilldown(tickets, f: dict):
    """The queue narrowed to the tickets a report figure counts (same rules as the reports)."""
    if f["opened_from"]:
        start = dt.datetime.combine(dt.date.fromisoformat(f["opened_from"]), dt.time.min)
        tickets = tickets.filter(opened_at__gte=timezone.make_aware(start))
    if f["opened_to"]:
        end = dt.datetime.combine(dt.date.fromisoformat(f["opened_to"]) + dt.timedelta(days=1), dt.time.min)
        tickets = tickets.filter(opened_at__lt=timezone.make_aware(end))
    if f["breach"]:
        tickets = tickets.filter(**{f"{f['breach']}_breached": True})
    if f["outcome"]:
        tickets = tickets.filter(REPORT_OUTCOMES[f["outcome"]])
    if f["level"]:
        tickets = tickets.filter(service_level_id=int(f["level"]))
    if f["vip_at_open"]:
        tickets = tickets.filter(vip_status_at_open_id=int(f["vip_at_open"]))
    return tickets


# -- the queue --------------------------------------------------------------------------------------------------
class QueueView(LoginRequiredMixin, PermissionRequiredMixin, SortableListMixin, ListView):
    """Open tickets by default, most urgent first; every filter lives in the URL so a queue can be bookmarked."""

    permission_required = "tickets.view_ticket"
    template_name = "tickets/queue.html"
    paginate_by = 50
    # `?per_page=` picks one of these; anything else keeps the default.
    page_sizes = (10, 25, 50, 100)
    sort_fields = {
        "priority": selectors.QUEUE_ORDER,
        "number": ["number"],
        "vip": ["vip_rank", "caller__vip_status__position", "priority", "opened_at", "id"],
        "caller": ["caller__last_name", "caller__first_name", "id"],
        "status": ["status", "priority", "opened_at", "id"],
        "team": ["team__name", "priority", "opened_at", "id"],
        "assignee": ["assignee__username", "priority", "opened_at", "id"],
        "age": ["opened_at", "id"],  # oldest first
        "due": ["resolution_due_at", "priority", "id"],
        "instance": ["service_instance__title", "priority", "opened_at", "id"],
    }
    default_sort = "priority"

    def get(self, request, *args, **kwargs):
        # The global search lands here: an exact ticket number opens the ticket at once.
        ticket = selectors.ticket_by_number(request.GET.get("q", ""))
        if ticket is not None:
            return redirect(ticket)
        return super().get(request, *args, **kwargs)

    def get_paginate_by(self, queryset):
        size = _int(self.request.GET.get("per_page"))
        return size if size in self.page_sizes else self.paginate_by

    def filters(self) -> dict:
        get = self.request.GET
        return {
            "q": search_param(get.get("q")),
            "scope": get.get("scope", "") if get.get("scope", "") in selectors.SCOPES else "",
            "state": get.get("state", "open") if get.get("state", "open") in selectors.STATES else "open",
            "type": get.get("type", "") if get.get("type", "") in TicketType.values else "",
            "priority": get.get("priority", "") if get.get("priority", "") in {"1", "2", "3", "4", "5"} else "",
            "vip": "1" if get.get("vip") == "1" else "",
            "sla": get.get("sla", "") if get.get("sla", "") in DueState.values else "",
            # Drill-downs from the reports: the tickets behind a figure.
            "opened_from": str(date_param(get.get("opened_from")) or ""),
            "opened_to": str(date_param(get.get("opened_to")) or ""),
            "breach": get.get("breach", "") if get.get("breach", "") in ("response", "resolution") else "",
            "outcome": get.get("outcome", "") if get.get("outcome", "") in REPORT_OUTCOMES else "",
            "level": str(_int(get.get("level")) or ""),
            "vip_at_open": str(_int(get.get("vip_at_open")) or ""),
            "instance": str(_int(get.get("instance")) or ""),
            "group": str(_int(get.get("group")) or ""),
        }

    def get_queryset(self):
        f = self.filters()
        tickets = selectors.ticket_queue(
            user=self.request.user,
            scope=f["scope"],
            state=f["state"],
            ticket_type=f["type"],
            priority=_int(f["priority"]),
            vip_only=bool(f["vip"]),
            service_instance_id=_int(f["instance"]),
            customer_group_id=_int(f["group"]),
            search=f["q"],
        )
        if f["sla"]:
            tickets = tickets.filter(clock.state_filter(f["sla"], timezone.now()))
        return self.sort(report_drilldown(tickets, f))

    def get_context_data(self, **kwargs):
        f = self.filters()
        active = {k: v for k, v in f.items() if v and not (k == "state" and v == "open")}
        params = self.request.GET.copy()
        params.pop("page", None)
        scope_links = []
        for value, label in [("", "All"), ("mine", "Mine"), ("my_teams", "My teams"), ("unassigned", "Unassigned")]:
            params["scope"] = value
            query = params.copy()
            if not value:
                query.pop("scope")
            scope_links.append({"label": label, "query": query.urlencode(), "active": f["scope"] == value})
        return {
            "scope_links": scope_links,
            **super().get_context_data(**kwargs),
            "f": f,
            "filtered": bool(active),
            "types": TicketType.choices,
            "sla_states": DueState.choices,
            "drilldown_names": DRILLDOWN,
            "drilldown": any(f[name] for name in DRILLDOWN),
            "outcome_label": f["outcome"].replace("_", " "),
            "priorities": PRIORITY_CHOICES,
            "states": [("open", "Open"), *Status.choices, ("all", "All")],
            # Rendered here, not by a template loop: at 600 instances the loop cost more than the rest of the page.
            "instance_options": _options(
                ServiceInstance.objects.exclude(status=ServiceInstance.Status.RETIRED).values_list("id", "title"),
                f["instance"],
            ),
            "group_options": _options(CustomerGroup.objects.values_list("id", "name"), f["group"]),
        }
