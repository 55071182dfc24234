"""The queue: the analyst's list of tickets, its tabs, filters and sort; live (polled) and remembered per analyst."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseNotModified, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html_join
from django.views import View
from django.views.generic import ListView

from itsm.params import int_param, search_param
from itsm.views_mixins import SortableListMixin
from tickets import filters, preferences, selectors
from tickets.choices import PRIORITY_CHOICES, DueState, TicketType
from tickets.models import QueuePreference
from tickets.views.paging import CappedPaginator

TABS = [
    ("all", "All"),
    ("mine", "Mine"),
    ("my_teams", "My teams"),
    ("unassigned", "Unassigned"),
    ("at_risk", "At risk"),
]
TAB_VALUES = {value for value, _ in TABS}
COLUMNS = [
    ("instance", "Service instance"),
    ("status", "Status"),
    ("team", "Team"),
    ("assignee", "Assignee"),
    ("age", "Age"),
    ("due", "Due"),
]
FIXED_COLUMNS = 4  # number, priority, title, caller (with the VIP badge)
OFFERED_PAGE_SIZES = (25, 50, 100)
# The At risk tab's badge counts up to this, then reads "999+": a badge says "a lot" as well as an exact 8,797 does,
# and the count reads a tenth of the index (PostgreSQL's VIP queue: 38 ms -> 5 ms).
AT_RISK_CAP = 999
ROW_RELATED = ("caller__vip_status", "service_instance", "team", "assignee")
PICKS = [("instance", "Instance", "Service instance"), ("group", "Group", "Customer group")]  # type-ahead filters
# Parameters that shape the page, not the tickets: a URL with only these still opens the analyst's last tab.
LAYOUT_PARAMS = {"page", "per_page", "sort"}


def _suggestions(rows) -> str:
    """<option> tags of a type-ahead's list: the label is what the box shows, the id what the filter sends."""
    return format_html_join("", '<option value="{}" data-id="{}"></option>', ((label, pk) for pk, label in rows))


def _not_modified(version: str) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = version
    return response


class QueueView(LoginRequiredMixin, PermissionRequiredMixin, SortableListMixin, ListView):
    """Open tickets, most urgent first; every filter lives in the URL so a queue can be bookmarked. A bare /tickets/
    opens the tab the analyst used last. The rows poll for changes (`is_poll`): an unchanged queue answers 304."""

    permission_required = "tickets.view_ticket"
    template_name = "tickets/queue.html"
    paginate_by = 50
    # `?per_page=` picks one of these (the page offers 25, 50 and 100); anything else keeps the remembered size.
    page_sizes = QueuePreference.PAGE_SIZES
    sort_fields = {
        "priority": selectors.QUEUE_ORDER,
        "number": ["number"],
        "vip": ["vip_rank", "caller__vip_status__position", "priority", "opened_at", "id"],
        "caller": ["caller__last_name", "caller__first_name", "id"],
        "status": ["status", "priority", "opened_at", "id"],
        "team": ["team__name", "priority", "opened_at", "id"],
        "assignee": ["assignee__username", "priority", "opened_at", "id"],
        "age": ["opened_at", "id"],  # oldest first
        "due": ["next_due_at"],  # see sort(): nulls last in both directions
        "instance": ["service_instance__title", "priority", "opened_at", "id"],
    }
    default_sort = "priority"

    def is_poll(self) -> bool:
        return bool(self.request.htmx) and self.request.htmx.target == "queue-rows"

    def get(self, request, *args, **kwargs):
        poll = self.is_poll()
        if not poll:
            # The global search lands here: an exact ticket number opens the ticket at once.
            ticket = selectors.ticket_by_number(request.GET.get("q", ""))
            if ticket is not None:
                return redirect(ticket)
        state = selectors.queue_state()
        self.version = state.version
        request.shown_vip_ids = state.shown_vip_ids  # the VIP filter's statuses, read with the version
        if poll and self.version in request.headers.get("If-None-Match", ""):
            return _not_modified(self.version)  # the one query of a quiet poll: nothing else is read
        self.prefs = preferences.queue_preferences(request)
        self.scope = self.current_scope()
        if self.scope == "at_risk":
            self.default_sort = "due"  # most urgent first: the most overdue, then the soonest due
        if not poll:
            self.remember()
        response = super().get(request, *args, **kwargs)
        response["ETag"] = self.version
        return response

    def get_template_names(self):
        return ["tickets/_queue_live.html"] if self.is_poll() else [self.template_name]

    # -- what the analyst asked for, and remembering it -------------------------------------------------------------
    def current_scope(self) -> str:
        raw = self.request.GET.get("scope")
        if raw is not None:
            return raw if raw in TAB_VALUES else "all"  # `?scope=` (empty) is the old spelling of All
        if any(name not in LAYOUT_PARAMS for name in self.request.GET):
            return "all"  # a link with filters (a report figure, a bookmark) shows every ticket it names
        return self.prefs.default_tab(self.request.user)

    def requested_page_size(self) -> int | None:
        size = int_param(self.request.GET.get("per_page"))
        return size if size in self.page_sizes else None

    def remember(self) -> None:
        tab = self.request.GET.get("scope")
        tab = tab if tab in TAB_VALUES and tab != self.prefs.tab else None
        size = self.requested_page_size()
        size = size if size is not None and size != self.prefs.page_size else None
        if tab is not None or size is not None:
            self.prefs = preferences.queue_preferences_set(self.request, tab=tab, page_size=size)

    def get_paginate_by(self, queryset):
        return self.requested_page_size() or self.prefs.page_size or self.paginate_by

    # -- the rows -----------------------------------------------------------------------------------------------------
    def base_queryset(self, scope: str):
        user = self.request.user
        own_scope = scope if scope in selectors.SCOPES else ""
        base = selectors.ticket_queue(user=user, scope=own_scope, state="all", search=self.request.GET.get("q", ""))
        return filters.queue_filter(self.request.GET, base, self.request)

    def get_queryset(self):
        self.filterset = self.base_queryset(self.scope)
        # Only what a row shows: the list's configuration item, service level, calendar and VIP status at opening
        # are 100 model instances a page the queue never reads.
        tickets = self.filterset.qs.select_related(None).select_related(*ROW_RELATED)
        if self.scope == "at_risk":
            tickets = tickets.filter(selectors.at_risk())
        return self.sort(tickets)

    def sort(self, queryset):
        key = self.current_sort()
        if key.lstrip("-") == "due":
            return queryset.order_by(*(selectors.DUE_ORDER_DESC if key.startswith("-") else selectors.DUE_ORDER))
        return super().sort(queryset)

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        self.total = selectors.capped_total(queryset)
        if self.total.exact:
            queryset._known_count = self.total.value  # the queue's slicing picks its cheapest sort by it
        return CappedPaginator(
            queryset, per_page, total=self.total, orphans=orphans, allow_empty_first_page=allow_empty_first_page
        )

    def at_risk_total(self):
        everyone = self.filterset if self.scope in ("all", "at_risk") else self.base_queryset("all")
        return selectors.capped_total(everyone.qs.filter(selectors.at_risk()), cap=AT_RISK_CAP, estimate=False)

    # -- the page -----------------------------------------------------------------------------------------------------
    def tab_links(self, at_risk) -> list[dict]:
        params = self.request.GET.copy()
        params.pop("page", None)
        links = []
        for value, label in TABS:
            params["scope"] = value
            links.append(
                {
                    "value": value,
                    "label": label,
                    "query": params.urlencode(),
                    "active": self.scope == value,
                    "count": at_risk if value == "at_risk" else None,
                }
            )
        return links

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        f = {**filters.shown_values(self.filterset), "q": search_param(self.request.GET.get("q")), "scope": self.scope}
        active = [k for k, v in f.items() if v and k not in ("scope",) and not (k == "state" and v == "open")]
        shown = [name for name, _ in COLUMNS if name not in self.prefs.hidden_columns]
        poll = self.request.GET.copy()
        poll["scope"] = self.scope
        context.update(
            {
                "tabs": self.tab_links(self.at_risk_total()),
                "f": f,
                "filtered": bool(active),
                "total": self.total,
                "version": self.version,
                "poll_url": f"{reverse('tickets:queue')}?{poll.urlencode()}",
                "poll_seconds": settings.ITSM_QUEUE_POLL_SECONDS,
                "columns": shown,
                "column_choices": [(name, label, name in shown) for name, label in COLUMNS],
                "colspan": FIXED_COLUMNS + len(shown),
                "page_sizes": OFFERED_PAGE_SIZES,
                "per_page": context["paginator"].per_page if context.get("paginator") else self.paginate_by,
                "here": self.request.GET.urlencode(),
            }
        )
        if not self.is_poll():
            context.update(self.filter_choices(f))
        return context

    def filter_choices(self, f: dict) -> dict:
        """The filter form's choices (only on the full page; a poll renders the rows alone)."""
        return {
            "types": TicketType.choices,
            "sla_states": DueState.choices,
            "drilldown_names": filters.DRILLDOWN,
            "drilldown": any(f.get(name) for name in filters.DRILLDOWN),
            "outcome_label": f["outcome"].replace("_", " "),
            "priorities": PRIORITY_CHOICES,
            "states": filters.STATES,
            # The chosen instance and group by name (a query each only when one is chosen); the type-ahead
            # (QueuePickView) offers the others as the analyst types.
            "picks": [
                {"name": name, "label": label, "title": title, "value": f[name]}
                | {"text": filters.pick_label(name, f[name])}
                for name, label, title in PICKS
            ],
        }


class QueuePickView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """GET ?q= -> the options of the queue's instance or group type-ahead: the first few whose name holds every word."""

    permission_required = "tickets.view_ticket"

    def get(self, request, name: str):
        if name not in filters.PICKS:
            raise Http404("The queue filters by service instance or customer group only.")
        rows = filters.pick_suggestions(name, request.GET.get("q", "")[: filters.MAX_PICK_CHARS])
        return HttpResponse(_suggestions(rows))


class ColumnsForm(forms.Form):
    columns = forms.MultipleChoiceField(choices=COLUMNS, required=False)
    back = forms.CharField(required=False, max_length=2000)


class QueueColumnsView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The column picker: the optional columns the analyst ticked are shown, the others hidden, remembered per user.
    Answers with the queue the analyst came from (its query string, never another address)."""

    permission_required = "tickets.view_ticket"
    http_method_names = ["post"]

    def post(self, request):
        form = ColumnsForm(request.POST)
        back = QueryDict(request.POST.get("back", "")[:2000]).urlencode()
        if form.is_valid():
            hidden = [name for name, _ in COLUMNS if name not in form.cleaned_data["columns"]]
            preferences.queue_preferences_set(request, hidden_columns=hidden)
        else:
            messages.error(request, "Those columns are not offered: the queue shows the columns it showed before.")
        return redirect(f"{reverse('tickets:queue')}?{back}" if back else reverse("tickets:queue"))
