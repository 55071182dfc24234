"""Log a call: the form, the caller look-ups and card, and the priority preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import View
from django.views.generic import FormView

from itsm.forms import add_service_errors
from itsm.params import int_param
from itsm.services import ConflictError
from people.models import Person, Team
from services.models import ServiceInstance, ServiceLevel
from tickets import clock, context, extensions, selectors, services
from tickets.choices import (
    PRIORITY_LABELS,
    Level,
    Source,
    TicketType,
)
from tickets.forms import (
    CallNoteForm,
    LogCallForm,
)
from tickets.models import Ticket
from tickets.notes import ticket_call_note_add
from vip.visibility import visible_status


# -- log a call -------------------------------------------------------------------------------------------------
class LogCallView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "tickets.add_ticket"
    template_name = "tickets/log_call.html"
    form_class = LogCallForm

    def get_initial(self):
        initial = super().get_initial()
        caller_id = int_param(self.request.GET.get("caller"))
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
            add_service_errors(form, error)
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
            caller_card=caller_card(caller, self.request.user, chosen_instance=_value(form, "service_instance"))
            if caller
            else None,
            matrix={f"{impact}/{urgency}": p for (impact, urgency), p in matrix.items()},
            priority_labels=PRIORITY_LABELS,
            chosen_instance=_value(form, "service_instance"),
            chosen_item=_value(form, "configuration_item"),
            items=(
                list(selectors.instance_configuration_items(int_param(_value(form, "service_instance"))))
                if int_param(_value(form, "service_instance"))
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
    caller_id = int_param(_value(form, "caller"))
    if not caller_id:
        return None
    return form.fields["caller"].queryset.filter(pk=caller_id).first()


def caller_card(person, user, *, chosen_instance: str = "") -> dict:
    """What Log a call shows once a caller is chosen, in one response: the badge and contact, their open tickets
    (each can take the call as a note), their groups' support notes, the instances they consume and, per instance,
    its context (heightened support now, service level, primary customer, contacts for a P1). `html` is the card
    beside the caller, `instances_html` the instance context beside the instance field (only the chosen one shown).
    A confidential status is left out for a user who may not see it."""
    ctx = context.caller_context(person, user)
    card = {
        **_person_json(person, user),
        "job_title": person.job_title,
        "badge_html": render_to_string("vip/badge.html", {"status": person.vip_status, "visible": True})
        if person.vip_status.show_on_tickets
        else "",
        "open_tickets": ctx.open_count,
        "open_ticket_list": [
            {
                "number": t.number,
                "title": t.title,
                "status": t.status,
                "status_label": t.get_status_display(),
                "priority": t.priority,
                "url": t.get_absolute_url(),
            }
            for t in ctx.open_tickets
        ],
        "tickets_url": ctx.more_url,
        "support_notes": [{"group": g.name, "notes": g.support_notes} for g in ctx.support_notes],
        "instances": [_instance_json(ic, ctx, user) for ic in ctx.instances],
    }
    chosen = str(chosen_instance or "")
    card["html"] = render_to_string("tickets/_caller_card.html", {"card": card, "ctx": ctx, "chosen": chosen})
    card["instances_html"] = render_to_string("tickets/_instance_contexts.html", {"ctx": ctx, "chosen": chosen})
    return card


def _person_json(person, user) -> dict:
    status = visible_status(person.vip_status, user)
    return {
        "id": person.pk,
        "name": person.full_name,
        "email": person.email,
        "phone": person.phone,
        "url": person.get_absolute_url(),
        "vip": {
            "name": status.name,
            "colour": status.colour,
            "text_colour": status.text_colour,
            "shown": status.show_on_tickets,
        }
        if status is not None
        else None,
    }


def _instance_json(ic, ctx, user) -> dict:
    instance = ic.instance
    data = {
        "id": instance.pk,
        "title": instance.title,
        "service_level": instance.service_level.name if instance.service_level_id else "",
        "status": instance.get_status_display(),
    }
    if ctx.can_view_services:
        data["heightened_support"] = [
            {"name": h.name, "ends": h.ends.isoformat(), "notes": h.notes} for h in ic.heightened
        ]
        data["primary_customer"] = (
            _person_json(instance.primary_customer, user) if instance.primary_customer_id else None
        )
    if ctx.can_view_contacts:
        data["p1_contacts"] = [{"role": role, **_person_json(p, user)} for role, p in ic.contacts]
    return data


class CallNoteView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Log a call's "Add as a note to INC...": the call being typed is a further call about one of the caller's open
    tickets. Its description becomes a note on that ticket (through the service, audited) and the ticket opens. A
    refusal (nothing typed, the ticket closed) shows Log a call again with everything typed and the reason."""

    permission_required = ("tickets.add_ticket", "tickets.add_ticketnote")

    def post(self, request, number: str):
        ticket = selectors.ticket_by_number(number)
        if ticket is None:
            raise Http404("No such ticket.")
        form = CallNoteForm(request.POST)
        if not form.is_valid():  # a NUL character, a made-up source: never stored
            field, errors = next(iter(form.errors.items()))
            return self.refuse(field, " ".join(errors), 400)
        try:
            ticket_call_note_add(
                ticket,
                user=request.user,
                text=form.cleaned_data["description"],
                source=form.cleaned_data["source"] or Source.PHONE,
            )
        except ValidationError as error:
            return self.refuse("description", " ".join(error.message_dict.get("description", error.messages)), 400)
        except ConflictError as error:
            return self.refuse(None, error.message, 409)
        messages.success(request, f"The call is now a note on {ticket.number}: no new ticket was logged.")
        return redirect(f"{ticket.get_absolute_url()}#notes")

    def refuse(self, field: str | None, message: str, status: int):
        page = LogCallView()
        page.setup(self.request)
        form = LogCallForm(data=self.request.POST)
        form.refuse(field, message)
        return page.render_to_response(page.get_context_data(form=form), status=status)


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
        return JsonResponse(caller_card(person, request.user))


class InstanceItemsView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The configuration items serving an instance, for the CI drop-down."""

    permission_required = "tickets.view_ticket"

    def get(self, request, pk: int):
        items = selectors.instance_configuration_items(pk)
        return JsonResponse({"results": [{"id": i.pk, "name": i.name, "type": i.get_ci_type_display()} for i in items]})


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
