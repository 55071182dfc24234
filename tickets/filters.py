"""The queue's filters: the API's `TicketFilter` (one definition of status, type, priority, VIP, service instance,
customer group, team, assignee, due state, breached ...) plus what only the queue has (open / all / one status, and
the drill-downs from the reports). The queue's older, shorter parameter names (`instance`, `group`, `sla`, `level`,
`vip=1`) are read as aliases, so bookmarks keep working; a value that does not validate is dropped, not a 400: a
page falls back to the rest of its filters where the API refuses."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django_filters import rest_framework as filters

from itsm.fulltext import parse
from services.models import CustomerGroup, ServiceInstance
from services.search import GROUP_INDEX, INSTANCE_INDEX
from tickets.api.views import TicketFilter, id_filter
from tickets.choices import OPEN_STATUSES, Status, Target
from tickets.models import Ticket

# The queue's parameter -> the filterset's name for the same filter.
ALIASES = {"instance": "service_instance", "group": "customer_group", "sla": "sla_state", "level": "service_level"}
STATES = [("open", "Open"), *Status.choices, ("all", "All")]
REPORT_OUTCOMES = {
    "response_met": Q(first_response_at__isnull=False, response_breached=False),
    "response_breached": Q(response_breached=True),
    "resolution_met": Q(resolved_at__isnull=False, resolution_breached=False),
    "resolution_breached": Q(resolution_breached=True),
    "running": Q(status__in=OPEN_STATUSES, resolution_due_at__isnull=False, resolution_breached=False),
}
DRILLDOWN = ("opened_from", "opened_to", "breach", "outcome", "level", "vip_at_open")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class QueueFilter(TicketFilter):
    state = filters.ChoiceFilter(choices=STATES, method="filter_state", help_text="Open (default), All or a status.")
    # Drill-downs from the reports: the tickets behind a figure, by the reports' own counting rules.
    opened_from = filters.DateFilter(method="filter_opened_from", help_text="Opened on or after this day.")
    opened_to = filters.DateFilter(method="filter_opened_to", help_text="Opened on or before this day.")
    breach = filters.ChoiceFilter(choices=Target.choices, method="filter_breach", help_text="This target breached.")
    outcome = filters.ChoiceFilter(choices=[(k, k) for k in REPORT_OUTCOMES], method="filter_outcome")
    vip_at_open = id_filter("vip_status_at_open_id", "The caller's VIP status when the ticket was logged.")

    class Meta:
        model = Ticket
        fields = []

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset if value == "all" else queryset.filter(status=value)

    def filter_opened_from(self, queryset, name, value):
        return queryset.filter(opened_at__gte=_day_start(value))

    def filter_opened_to(self, queryset, name, value):
        return queryset.filter(opened_at__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_breach(self, queryset, name, value):
        return queryset.filter(**{f"{value}_breached": True})

    def filter_outcome(self, queryset, name, value):
        return queryset.filter(REPORT_OUTCOMES[value])


def queue_data(params: QueryDict) -> QueryDict:
    """The queue's parameters in the filterset's names: aliases renamed, `vip=1` read as true, Open by default."""
    data = params.copy()
    for old, new in ALIASES.items():
        values = data.pop(old, [])
        if values and new not in data:
            data.setlist(new, values)
    vip = data.get("vip", "")
    if vip == "1":
        data["vip"] = "true"
    elif vip not in ("true", "false"):
        data.pop("vip", None)
    if data.get("state", "") not in dict(STATES) and not data.get("status") and not data.get("open"):
        data["state"] = "open"
    return data


def queue_filter(params: QueryDict, queryset, request=None) -> QueueFilter:
    """The bound filterset, with the parameters that did not validate left out (so the rest still apply)."""
    data = queue_data(params)
    filterset = QueueFilter(data=data, queryset=queryset, request=request)
    if not filterset.is_valid():
        for name in filterset.errors:
            data.pop(name, None)
        if "state" not in data and not data.get("status") and not data.get("open"):
            data["state"] = "open"
        filterset = QueueFilter(data=data, queryset=queryset, request=request)
    return filterset


def shown_values(filterset: QueueFilter) -> dict[str, str]:
    """What the queue's form shows, under the queue's own names (one value each; empty when not filtered)."""
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else {}

    def text(name: str) -> str:
        value = cleaned.get(name)
        if isinstance(value, list | tuple):
            value = value[0] if len(value) == 1 else ""
        if value is None or value == "":
            return ""
        if isinstance(value, float) or hasattr(value, "to_integral_value"):
            return str(int(value))
        return str(value)

    shown = {name: text(name) for name in ("state", "type", "priority", "opened_from", "opened_to", "breach")}
    shown.update({name: text(name) for name in ("outcome", "vip_at_open", "team", "assignee")})
    shown.update({old: text(new) for old, new in ALIASES.items()})
    shown["vip"] = "1" if cleaned.get("vip") is True else ""
    shown["state"] = shown["state"] or ("" if cleaned.get("status") or cleaned.get("open") is not None else "open")
    return shown


# -- the instance and group filters: a type-ahead, not a drop-down of every row --------------------------------------
# A million tickets come with thousands of instances: a <select> of all of them cost more than the rest of the queue
# page together. The page names the chosen one only; the type-ahead asks for a few matches at a time.
SUGGESTIONS = 20
MAX_PICK_CHARS = 200
PICKS = {
    # name in the queue's URL -> (model, full-text index, label column, rows not offered)
    "instance": (ServiceInstance, INSTANCE_INDEX, "title", Q(status=ServiceInstance.Status.RETIRED)),
    "group": (CustomerGroup, GROUP_INDEX, "name", Q(pk__in=[])),
}


def pick_suggestions(name: str, text: str) -> list[tuple[int, str]]:
    """(id, label) of the first SUGGESTIONS instances or groups whose name holds every word of `text` (as prefixes,
    by the register's full-text index), alphabetically; the first ones of all when `text` has no word. One query."""
    model, index, label, hidden = PICKS[name]
    query = parse(text)
    rows = model.objects.exclude(hidden)
    found = index.filter(rows, query, only=[label]) if query else rows
    return list(found.order_by(label, "id").values_list("id", label)[:SUGGESTIONS])


def pick_label(name: str, value: str) -> str:
    """The name of the chosen instance or group (a retired instance too: a bookmark may name one); one query, none
    when nothing is chosen; empty when there is no such row."""
    if not value:
        return ""
    model, _index, label, _hidden = PICKS[name]
    return model.objects.filter(pk=value).values_list(label, flat=True).first() or ""
