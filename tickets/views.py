"""Analyst pages: the queue, log a call, the ticket page and its actions, and the small JSON look-ups they use."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from itsm.audit import history_entries
from itsm.params import date_param, int_param, search_param
from itsm.services import ConflictError
from itsm.views_mixins import SortableListMixin
from people.models import Person, Team
from services.models import CustomerGroup, ServiceInstance, ServiceLevel
from tickets import clock, extensions, selectors, services
from tickets.choices import (
    OPEN_STATUSES,
    PRIORITY_CHOICES,
    PRIORITY_LABELS,
    DueState,
    Level,
    Source,
    Status,
    Target,
    TicketType,
)
from tickets.forms import (
    AssignTeamForm,
    LogCallForm,
    NoteForm,
    TicketEditForm,
    TransitionForm,
    apply_service_errors,
)
from tickets.models import Ticket
from vip.visibility import visible_status


def _int(value: str | None) -> int | None:
    return int_param(value)


def _options(rows, selected: str) -> str:
    """<option> tags for (value, label) rows, the selected one marked."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((pk, mark_safe(" selected") if str(pk) == selected else "", label) for pk, label in rows),
    )


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


# -- log a call -------------------------------------------------------------------------------------------------
class LogCallView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "tickets.add_ticket"
    template_name = "tickets/log_call.html"
    form_class = LogCallForm

    def get_initial(self):
        initial = super().get_initial()
        caller_id = _int(self.request.GET.get("caller"))
        if caller_id:
            initial["caller"] = caller_id
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                user=self.request.user,
                change_reason=f"Call logged on the desk ({Source(data['source']).label.lower()})",
                caller=data["caller"],
                ticket_type=data["ticket_type"],
                source=data["source"],
                title=data["title"],
                description=data["description"],
                service_instance=data["service_instance"],
                configuration_item=data["configuration_item"],
                impact=data["impact"],
                urgency=data["urgency"],
                team=data["team"],
                assignee=self.request.user if data["assign_to_me"] else None,
                opened_at=data.get("opened_at"),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Logged {ticket.number} for {ticket.caller} (priority P{ticket.priority}).")
        return redirect(ticket)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        caller = _chosen_caller(form)
        matrix = services.priority_matrix()
        context.update(
            caller=caller,
            caller_card=caller_card(caller, self.request.user) if caller else None,
            matrix={f"{impact}/{urgency}": p for (impact, urgency), p in matrix.items()},
            priority_labels=PRIORITY_LABELS,
            chosen_instance=_value(form, "service_instance"),
            chosen_item=_value(form, "configuration_item"),
            items=(
                list(selectors.instance_configuration_items(_int(_value(form, "service_instance"))))
                if _int(_value(form, "service_instance"))
                else []
            ),
            initial_priority=matrix.get((_value(form, "impact") or "medium", _value(form, "urgency") or "medium")),
        )
        context["initial_priority_label"] = PRIORITY_LABELS.get(context["initial_priority"], "")
        return context


def _value(form, name: str) -> str:
    value = form[name].value()
    return "" if value is None else str(value)


def _chosen_caller(form):
    caller_id = _int(_value(form, "caller"))
    if not caller_id:
        return None
    return form.fields["caller"].queryset.filter(pk=caller_id).first()


def caller_card(person, user) -> dict:
    """What the log-a-call page shows once a caller is chosen: the badge, contact, instances, open tickets. A
    confidential status is left out for a user who may not see it."""
    instances = list(selectors.caller_service_instances(person))
    status = visible_status(person.vip_status, user)
    return {
        "id": person.pk,
        "name": person.full_name,
        "email": person.email,
        "phone": person.phone,
        "job_title": person.job_title,
        "vip": {
            "name": status.name,
            "colour": status.colour,
            "text_colour": status.text_colour,
            "shown": status.show_on_tickets,
        }
        if status is not None
        else None,
        "badge_html": render_to_string("vip/badge.html", {"status": person.vip_status, "visible": True})
        if person.vip_status.show_on_tickets
        else "",
        "open_tickets": selectors.open_ticket_count(caller=person),
        "url": person.get_absolute_url(),
        "tickets_url": reverse("tickets:queue") + "?" + urlencode({"q": person.email or person.full_name}),
        "instances": [
            {
                "id": i.pk,
                "title": i.title,
                "service_level": i.service_level.name if i.service_level_id else "",
                "status": i.get_status_display(),
            }
            for i in instances
        ],
    }


class CallerSearchView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """GET ?q= -> up to 10 active people matching a name or email, with their VIP badge (type-ahead)."""

    permission_required = "people.view_person"

    def get(self, request):
        people = selectors.caller_search(request.GET.get("q", "")[:100])
        return JsonResponse(
            {
                "results": [
                    {
                        "id": p.pk,
                        "name": p.full_name,
                        "email": p.email,
                        "job_title": p.job_title,
                        "badge_html": render_to_string("vip/badge.html", {"status": p.vip_status, "visible": True})
                        if p.vip_status.show_on_tickets
                        else "",
                    }
                    for p in people
                ]
            }
        )


class CallerCardView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "people.view_person"

    def get(self, request, pk: int):
        person = Person.objects.with_vip().filter(pk=pk).first()
        if person is None:
            return JsonResponse({"detail": "No such person."}, status=404)
        card = caller_card(person, request.user)
        card["html"] = render_to_string("tickets/_caller_card.html", {"card": card})
        return JsonResponse(card)


class InstanceItemsView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The configuration items serving an instance, for the CI drop-down."""

    permission_required = "tickets.view_ticket"

    def get(self, request, pk: int):
        items = selectors.instance_configuration_items(pk)
        return JsonResponse({"results": [{"id": i.pk, "name": i.name, "type": i.get_ci_type_display()} for i in items]})


# -- the ticket page --------------------------------------------------------------------------------------------
class TicketMixin(LoginRequiredMixin, PermissionRequiredMixin):
    def get_ticket(self) -> Ticket:
        number = selectors.normalise_number(self.kwargs["number"])
        ticket = selectors.ticket_detail(number).first() if number else None
        if ticket is None:
            raise Http404("No such ticket.")
        return ticket


class TicketDetailView(TicketMixin, TemplateView):
    permission_required = "tickets.view_ticket"
    template_name = "tickets/ticket_detail.html"

    def get(self, request, *args, **kwargs):
        self.ticket = self.get_ticket()
        if self.ticket.number != kwargs["number"]:
            return redirect(self.ticket)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ticket = self.ticket
        entries = history_entries(list(selectors.ticket_history(ticket)))
        entries.reverse()
        allowed = services.allowed_transitions(ticket)
        return {
            **super().get_context_data(**kwargs),
            "ticket": ticket,
            "caller": ticket.caller,
            "notes": list(selectors.ticket_notes(ticket)),
            "history": entries,
            "allowed": allowed,
            "transition_form": kwargs.get("transition_form") or TransitionForm(allowed=allowed),
            "note_form": kwargs.get("note_form") or NoteForm(),
            "team_form": kwargs.get("team_form") or AssignTeamForm(initial={"team": ticket.team_id}),
            "final": ticket.status in (Status.CLOSED, Status.CANCELLED),
            "sla": sla_card(ticket),
            # Notes other apps add next to fields (the workflow's "Why?" on priority, team and status).
            "why": extensions.field_notes(ticket),
        }


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


def sla_card(ticket: Ticket) -> dict:
    """The ticket page's service level card: both targets with their due time and business time left or over."""
    summary = clock.summary(ticket)
    targets = []
    for target, label in ((Target.RESPONSE, "Response"), (Target.RESOLUTION, "Resolution")):
        left = clock.minutes_left(ticket, target)
        targets.append(
            {
                "label": label,
                "due": summary[f"{target}_due"],
                "state": summary[target],
                "done": summary["responded_at" if target == Target.RESPONSE else "resolved_at"],
                "left": None if left is None else duration_text(abs(left)),
                "over": left is not None and left < 0,
            }
        )
    return {
        **summary,
        "level": ticket.service_level,
        "targets": targets,
        "paused_text": duration_text(ticket.paused_seconds / 60) if ticket.paused_seconds else "",
        "breaches": list(ticket.breaches.order_by("breached_at", "id")),
    }


def duration_text(minutes: float) -> str:
    """Business time for people: '45 min', '3 h 10 min', '2 d 4 h' (a day is 24 h of the clock here)."""
    minutes = round(minutes)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


class CallPreviewView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Log a call's preview, one request per change of caller, impact, urgency, type or instance: the priority the
    rules will give (with the rule that gave it), the team, the service level and both due times. Nothing saved."""

    permission_required = "tickets.add_ticket"

    def get(self, request):
        get = request.GET
        caller = (
            Person.objects.with_vip().filter(pk=int_param(get.get("caller"))).first() if get.get("caller") else None
        )
        instance_id = int_param(get.get("service_instance"))
        instance = (
            ServiceInstance.objects.select_related("service_level__calendar").filter(pk=instance_id).first()
            if instance_id
            else None
        )
        impact = get.get("impact") if get.get("impact") in Level.values else Level.MEDIUM
        urgency = get.get("urgency") if get.get("urgency") in Level.values else Level.MEDIUM
        ticket_type = get.get("ticket_type") if get.get("ticket_type") in TicketType.values else TicketType.INCIDENT
        return JsonResponse(
            call_preview(
                caller=caller,
                service_instance=instance,
                impact=impact,
                urgency=urgency,
                ticket_type=ticket_type,
                user=request.user,
            )
        )


def call_preview(*, caller, service_instance, impact, urgency, ticket_type, user) -> dict:
    now = timezone.now()
    ticket = Ticket(
        caller=caller,
        service_instance=service_instance,
        impact=impact,
        urgency=urgency,
        ticket_type=ticket_type,
        opened_at=now,
        updated_at=now,
        service_level=getattr(service_instance, "service_level", None),
    )
    matrix_priority = services.priority_for(impact=impact, urgency=urgency) or 3
    ticket.priority = matrix_priority
    outcome = extensions.call_preview(ticket, user=user) if caller is not None else {"changes": {}, "because": {}}
    changes, because = outcome["changes"], outcome["because"]
    priority = changes.get("priority", matrix_priority)
    level = ticket.service_level
    if "service_level" in changes:
        level = ServiceLevel.objects.select_related("calendar").filter(pk=changes["service_level"]).first()
    response_due, resolution_due = clock.due_times(level=level, priority=priority, opened_at=now)
    lines = []
    if priority != matrix_priority:
        lines.append(f"P{matrix_priority} -> P{priority} ({because.get('priority', 'a rule')})")
    team = Team.objects.filter(pk=changes["team"]).first() if changes.get("team") else None
    if team is not None:
        lines.append(f"team -> {team.name} ({because.get('team', 'a rule')})")
    if "service_level" in changes and level is not None:
        lines.append(f"service level -> {level.name} ({because.get('service_level', 'a rule')})")
    local = lambda moment: timezone.localtime(moment).strftime("%a %Y-%m-%d %H:%M") if moment else None  # noqa: E731
    return {
        "priority": priority,
        "priority_label": PRIORITY_LABELS.get(priority, ""),
        "matrix_priority": matrix_priority,
        "team": team.name if team else None,
        "service_level": level.name if level else None,
        "calendar": (level.calendar.name if level.calendar_id else "24x7") if level else None,
        "response_due": local(response_due),
        "resolution_due": local(resolution_due),
        "because": lines,
    }


class TicketActionView(TicketMixin, View):
    """POST-only actions on the ticket page; errors re-render the page with the typed input kept."""

    permission_required = "tickets.change_ticket"

    def post(self, request, number):
        self.ticket = self.get_ticket()
        try:
            response = self.act(request, self.ticket)
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect(self.ticket)
        return response

    def act(self, request, ticket):
        raise NotImplementedError

    def render_errors(self, **forms):
        page = TicketDetailView()
        page.setup(self.request, number=self.ticket.number)
        page.ticket = self.ticket
        return page.render_to_response(page.get_context_data(**forms), status=400)


class AssignView(TicketActionView):
    def act(self, request, ticket):
        if "me" in request.POST:
            services.ticket_assign(ticket, user=request.user, assignee=request.user)
            messages.success(request, f"{ticket.number} is assigned to you.")
        elif "unassign" in request.POST:
            services.ticket_assign(ticket, user=request.user, assignee=None)
            messages.success(request, f"{ticket.number} no longer has an assignee.")
        else:
            form = AssignTeamForm(request.POST)
            if not form.is_valid():
                return self.render_errors(team_form=form)
            services.ticket_assign(ticket, user=request.user, team=form.cleaned_data["team"])
            messages.success(request, f"{ticket.number} is assigned to {form.cleaned_data['team']}.")
        return redirect(ticket)


class TransitionView(TicketActionView):
    def act(self, request, ticket):
        allowed = services.allowed_transitions(ticket)
        form = TransitionForm(request.POST, allowed=allowed)
        if not form.is_valid():
            return self.render_errors(transition_form=form)
        try:
            services.ticket_transition(
                ticket, user=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except services.TransitionRefused as refused:
            form.add_error("status", refused.message)
            return self.render_errors(transition_form=form)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.render_errors(transition_form=form)
        messages.success(request, f"{ticket.number} is now {ticket.get_status_display()}.")
        return redirect(ticket)


class NoteView(TicketActionView):
    permission_required = "tickets.add_ticketnote"

    def act(self, request, ticket):
        form = NoteForm(request.POST)
        if not form.is_valid():
            return self.render_errors(note_form=form)
        services.ticket_note_add(ticket, user=request.user, **form.cleaned_data)
        messages.success(request, "Note added.")
        return redirect(f"{ticket.get_absolute_url()}#notes")


class TicketEditView(TicketMixin, FormView):
    permission_required = "tickets.change_ticket"
    template_name = "tickets/ticket_form.html"
    form_class = TicketEditForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.ticket = self.get_ticket()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "ticket": self.ticket}

    def form_valid(self, form):
        changed = {name: form.cleaned_data[name] for name in TicketEditForm.FIELDS if name in form.changed_data}
        try:
            services.ticket_update(
                self.ticket,
                user=self.request.user,
                change_reason=form.cleaned_data["change_reason"],
                auto_reason=True,
                **changed,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        except ConflictError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved {self.ticket.number}.")
        return redirect(self.ticket)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "ticket": self.ticket}


# -- search -----------------------------------------------------------------------------------------------------
@login_required
def search(request):
    """The top bar's search: a ticket number opens the ticket, anything else searches people."""
    term = request.GET.get("q", "").strip()
    ticket = selectors.ticket_by_number(term)
    if ticket is not None and request.user.has_perm("tickets.view_ticket"):
        return redirect(ticket)
    if selectors.normalise_number(term):
        return redirect(reverse("tickets:queue") + "?" + urlencode({"q": term, "state": "all"}))
    return redirect(reverse("people:list") + ("?" + urlencode({"q": term}) if term else ""))
